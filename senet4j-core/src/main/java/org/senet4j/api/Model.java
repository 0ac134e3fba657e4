package org.senet4j.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.senet4j.ModelException;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.labels.ClassLabels;
import org.senet4j.labels.ClassOrder;
import org.senet4j.labels.LabelFileException;
import org.senet4j.nativefmt.NativeReader;
import org.senet4j.preprocess.Preprocessing;

/**
 * A loaded model and how to use it: its graph, the preprocessing of its input images (from a native file's metadata,
 * else the SENet release's), optional class labels and the order in which the model numbers its classes (the SENet
 * release's devkit order unless said otherwise). Immutable; the {@code with...} methods return changed copies.
 *
 * <p>A model from a native file keeps its weights in a memory mapping that lives as long as the model is reachable.
 */
public final class Model {
    private final Graph graph;
    private final Preprocessing preprocessing;
    private final ClassLabels labels;
    private final ClassOrder classOrder;

    private Model(Graph graph, Preprocessing preprocessing, ClassLabels labels, ClassOrder classOrder) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
        this.labels = labels;
        this.classOrder = Objects.requireNonNull(classOrder, "classOrder");
    }

    /**
     * Loads a Caffe model: the net definition and its weights.
     *
     * @throws IOException    when a file cannot be read
     * @throws ModelException naming the file, layer and field when the model is malformed or unsupported
     */
    public static Model load(Path prototxt, Path caffemodel) throws IOException, ModelException {
        Objects.requireNonNull(caffemodel, "caffemodel");
        return of(CaffeImporter.load(prototxt, caffemodel).graph());
    }

    /**
     * Loads a native file ({@code .safetensors} or {@code .senet4j}, made by {@code senet4j convert}), or a prototxt
     * alone (its layers then have no weights, so only parameterless nets can run).
     */
    public static Model load(Path file) throws IOException, ModelException {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".safetensors") || n.endsWith(".senet4j")) {
            Graph g = NativeReader.read(file);
            try {
                return of(g);
            } catch (IllegalArgumentException e) {
                throw new ModelException(file, null, null, "metadata." + Preprocessing.METADATA_KEY, e.getMessage(),
                        e);
            }
        }
        return of(CaffeImporter.load(file, null, CaffeImporter.Options.DEFAULT).graph());
    }

    /**
     * A model over a graph; the preprocessing comes from its {@value Preprocessing#METADATA_KEY} metadata when
     * present, else {@link Preprocessing#SENET}.
     *
     * @throws IllegalArgumentException when the metadata's preprocessing is malformed
     */
    public static Model of(Graph graph) {
        String pre = graph.metadata().get(Preprocessing.METADATA_KEY);
        return new Model(graph, pre == null ? Preprocessing.SENET : Preprocessing.fromJson(pre), null,
                ClassOrder.DEVKIT);
    }

    /** The graph as loaded (before the inference passes a session applies). */
    public Graph graph() {
        return graph;
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** The class labels, or null when none were given. */
    public ClassLabels labels() {
        return labels;
    }

    public ClassOrder classOrder() {
        return classOrder;
    }

    /** The graph's input names. */
    public List<String> inputs() {
        return graph.inputs();
    }

    /** The graph's output names. */
    public List<String> outputs() {
        return graph.outputs();
    }

    /** The shape of the first input, e.g. {@code 1x3x224x224}. */
    public Shape inputShape() {
        return graph.shape(graph.inputs().get(0));
    }

    /** This model with another preprocessing of images. */
    public Model withPreprocessing(Preprocessing p) {
        return new Model(graph, p, labels, classOrder);
    }

    /**
     * This model with class labels, checked against the class order.
     *
     * @throws LabelFileException when the labels cannot give the classes in this model's class order
     */
    public Model withLabels(ClassLabels l) throws LabelFileException {
        if (l != null) {
            l.require(classOrder);
        }
        return new Model(graph, preprocessing, l, classOrder);
    }

    /**
     * This model numbering its classes in {@code order}.
     *
     * @throws LabelFileException when the labels already given cannot give that order
     */
    public Model withClassOrder(ClassOrder order) throws LabelFileException {
        if (labels != null) {
            labels.require(order);
        }
        return new Model(graph, preprocessing, labels, order);
    }

    /** A session on the CPU with the default options. */
    public Session newSession() throws ModelException {
        return newSession(SessionOptions.DEFAULT);
    }

    /**
     * A session: the graph optimised and prepared on the chosen device. Close it.
     *
     * @throws ModelException when the graph cannot be prepared
     * @throws org.senet4j.engine.EngineUnavailableException when the device is not available here
     * @throws IllegalArgumentException for an unknown device or pass, or a precision the device lacks
     */
    public Session newSession(SessionOptions options) throws ModelException {
        return new Session(this, options);
    }

    @Override
    public String toString() {
        return "Model[" + graph.name() + ", input " + inputShape() + ", outputs " + outputs() + "]";
    }
}
