package org.senet4j.caffe;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.senet4j.ModelException;
import org.senet4j.caffe.CaffemodelFile.StoredBlob;
import org.senet4j.caffe.CaffemodelFile.StoredLayer;
import org.senet4j.caffe.proto.FillerParameter;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.caffe.proto.Phase;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.Op;

/**
 * Loads a Caffe model into a {@link Graph}: reads the prototxt, upgrades legacy forms, keeps the TEST-phase layers,
 * converts each layer through {@link LayerConverters}, and takes weights from the caffemodel by layer name (extra
 * layers of a training net are ignored; a layer that needs weights and finds none, a wrong blob count or a wrong shape
 * is an error).
 *
 * <p>A layer that works in place writes a new version of its blob; see {@link org.senet4j.ir.Value} for how versions
 * are named. When some layer types are not supported, loading goes on far enough to list all of them in one error.
 */
public final class CaffeImporter {

    /**
     * Loading options.
     *
     * @param allowUnknownFields skip prototxt fields caffe.proto lacks, with a warning
     * @param inputShapes        shapes that replace those the prototxt gives its inputs (or gives none for), by
     *                           input blob name
     * @param lazyWeights        leave the weights in the caffemodel instead of copying them into memory (where a blob
     *                           is one packed run of floats, as Caffe writes them): loading then reads only the
     *                           layers' parameters, and each weight is read from the file when its values are needed
     *                           (a writer streams them, or copies them file to file). For a short-lived use that
     *                           checks the file did not change before trusting the result, as a conversion does
     *                           ({@link org.senet4j.io.FileStamp}): a file rewritten in place meanwhile gives its new
     *                           bytes, one truncated an error naming the file and byte offset (positional reads, no
     *                           mapping: never a SIGBUS). The graph keeps the file open until it is unreachable (the
     *                           JDK's cleaner closes the channel). Off by default: a loaded graph is then independent
     *                           of the file.
     */
    public record Options(boolean allowUnknownFields, Map<String, Shape> inputShapes, boolean lazyWeights) {
        public static final Options DEFAULT = new Options(false, Map.of());

        public Options {
            inputShapes = Map.copyOf(inputShapes);
        }

        public Options(boolean allowUnknownFields, Map<String, Shape> inputShapes) {
            this(allowUnknownFields, inputShapes, false);
        }

        public Options(boolean allowUnknownFields) {
            this(allowUnknownFields, Map.of());
        }

        /** These options with the weights left in the file, read when needed (see {@code lazyWeights}). */
        public Options withLazyWeights() {
            return new Options(allowUnknownFields, inputShapes, true);
        }
    }

    private CaffeImporter() {
    }

    public static CaffeModel load(Path prototxt, Path caffemodel) throws IOException, ModelException {
        return load(prototxt, caffemodel, Options.DEFAULT);
    }

    /**
     * @param caffemodel the weights, or null to load the structure only (weights become shape-only placeholders)
     */
    public static CaffeModel load(Path prototxt, Path caffemodel, Options options) throws IOException, ModelException {
        long t0 = System.nanoTime();
        List<String> warnings = new ArrayList<>();
        PrototxtReader.ParsedNet parsed = PrototxtReader.parse(prototxt);
        NetParameter net = NetUpgrader.upgrade(parsed.net(), prototxt, parsed.v1ForkTypes());
        List<LayerParameter> layers = reviveDataLayers(net.getLayerList(),
                NetUpgrader.filter(net, Phase.TEST, prototxt), warnings, prototxt);
        if (caffemodel == null) {
            Result r = DetectionLayers.withPriorBoxDialect(d -> new Importer(prototxt, null, layers, options,
                    parsed.unknown(), warnings, d).run(net.getName()), warnings);
            return new CaffeModel(r.graph, new LoadReport(prototxt, null, warnings, List.of(), List.of(), r.leftOut,
                    0, System.nanoTime() - t0));
        }
        try (CaffemodelFile weights = CaffemodelFile.open(caffemodel)) {
            warnings.addAll(weights.warnings());
            Result r = DetectionLayers.withPriorBoxDialect(d -> new Importer(prototxt, weights, layers, options,
                    parsed.unknown(), warnings, d).run(net.getName()), warnings);
            return new CaffeModel(r.graph, new LoadReport(prototxt, caffemodel, warnings, r.loaded, r.ignored,
                    r.leftOut, r.weightBytes, System.nanoTime() - t0));
        }
    }

    /**
     * What importing the net would report, without failing: every unsupported type, unknown field and missing input
     * shape (the report's {@link ImportReport#supported()} is true for a net that imports).
     *
     * @throws ModelException for other errors (a malformed file, a bad parameter, weights that do not fit)
     */
    public static ImportReport check(Path prototxt, Path caffemodel, Options options)
            throws IOException, ModelException {
        try {
            CaffeModel m = load(prototxt, caffemodel, options);
            return new ImportReport(prototxt, Map.of(), List.of(), List.of(), m.report().leftOut());
        } catch (UnsupportedModelException e) {
            return e.report();
        }
    }

    /**
     * The TEST-phase layers plus the data layers that the phase rules excluded but whose tops the TEST net reads (a
     * training net with a TRAIN-only data layer and no TEST one): those become the net's inputs, with a warning.
     */
    static List<LayerParameter> reviveDataLayers(List<LayerParameter> all, List<LayerParameter> kept,
                                                 List<String> warnings, Path prototxt) {
        Set<LayerParameter> keptSet = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        keptSet.addAll(kept);
        Set<String> produced = new HashSet<>();
        Set<String> missing = new HashSet<>();
        for (LayerParameter l : kept) {
            for (String b : l.getBottomList()) {
                if (!produced.contains(b)) {
                    missing.add(b);
                }
            }
            produced.addAll(l.getTopList());
        }
        List<LayerParameter> out = new ArrayList<>();
        Set<String> revived = new HashSet<>();
        for (LayerParameter l : all) {
            if (keptSet.contains(l)) {
                out.add(l);
            } else if (DataLayers.isDataLayer(l) && l.getTopList().stream().anyMatch(missing::contains)
                    && l.getTopList().stream().noneMatch(revived::contains)) {
                out.add(l);
                revived.addAll(l.getTopList());
                warnings.add(prototxt + ": layer \"" + l.getName() + "\" (" + l.getType() + ") is not part of the "
                        + "TEST phase, but the TEST net reads its tops " + l.getTopList() + ": it is the net input");
            }
        }
        return out;
    }

    private record Result(Graph graph, List<LoadReport.LayerBlobs> loaded, List<LoadReport.LayerBlobs> ignored,
                          List<ImportReport.LeftOut> leftOut, long weightBytes) {
    }

    /**
     * Layer types dropped from an inference graph when nothing kept reads their tops: losses, accuracies, evaluation
     * and output layers of training and validation nets.
     */
    static boolean isTrainingOnly(String type) {
        return type.endsWith("Loss") || type.endsWith("Accuracy") || Set.of("DetectionEvaluate", "EvalDetection",
                "SegmentationEvaluate", "HDF5Output", "MatWrite", "Yolov3").contains(type);
    }

    /** One import run: the state of walking the layers in order. */
    private static final class Importer {
        private final Path prototxt;
        private final CaffemodelFile weights;
        private final List<LayerParameter> layers;
        private final Map<String, Shape> inputShapes;
        /** With lazy weights: the caffemodel, open for the graph's tensors to read their values from. */
        private FileChannel lazyChannel;
        private final boolean lazyWeights;
        private final Map<String, StoredLayer> stored = new LinkedHashMap<>();
        private final Set<String> usedStored = new HashSet<>();
        private final Map<String, Integer> lastWriter = new HashMap<>();
        private final Map<String, String> current = new HashMap<>();
        private final Set<String> poisoned = new HashSet<>();
        private final Map<String, List<String>> unsupported = new LinkedHashMap<>();
        private final List<ImportReport.ShapeNeeded> shapesNeeded = new ArrayList<>();
        private final List<PrototxtReader.UnknownField> unknownFields = new ArrayList<>();
        private final java.util.TreeMap<Integer, List<ImportReport.LeftOut>> leftOut = new java.util.TreeMap<>();
        private final Set<Integer> dropped = new HashSet<>();
        private final Map<Integer, String> nodeNames = new HashMap<>();
        private final Map<String, Integer> firstNamed = new HashMap<>();
        private final Map<String, List<Integer>> readers = new HashMap<>();
        private final List<String> warnings;
        private final List<LoadReport.LayerBlobs> loaded = new ArrayList<>();
        private long weightBytes;
        private final org.senet4j.ir.op.PriorBox.Dialect priorBoxDialect;

        Importer(Path prototxt, CaffemodelFile weights, List<LayerParameter> layers, Options options,
                 List<PrototxtReader.UnknownField> unknown, List<String> warnings,
                 org.senet4j.ir.op.PriorBox.Dialect priorBoxDialect) {
            this.priorBoxDialect = priorBoxDialect;
            this.prototxt = prototxt;
            this.inputShapes = options.inputShapes();
            this.lazyWeights = options.lazyWeights();
            this.weights = weights;
            this.layers = layers;
            this.warnings = warnings;
            leaveOutTrainingLayers();
            nameNodes();
            Set<String> kept = new HashSet<>();
            for (int i = 0; i < layers.size(); i++) {
                if (!dropped.contains(i)) {
                    kept.add(layers.get(i).getName());
                }
            }
            for (PrototxtReader.UnknownField u : unknown) {
                if (options.allowUnknownFields()) {
                    warnings.add(u.describe() + " skipped");
                } else if (u.layer() != null && !kept.contains(u.layer())) {
                    warnings.add(u.describe() + " ignored: the layer is not part of the TEST net");
                } else {
                    unknownFields.add(u);
                }
            }
            if (weights != null) {
                for (StoredLayer l : weights.layers()) {
                    stored.put(l.name(), l);
                }
            }
            for (int i = 0; i < layers.size(); i++) {
                for (String top : layers.get(i).getTopList()) {
                    lastWriter.put(top, i);
                }
            }
        }

        Result run(String netName) throws ModelException {
            checkInputShapeNames();
            Graph.Builder g = Graph.builder(netName.isEmpty() ? fileStem(prototxt) : netName);
            g.metadata("source.prototxt", prototxt.getFileName().toString());
            if (weights != null) {
                g.metadata("source.caffemodel", weights.path().getFileName().toString());
            }
            for (int i = 0; i < layers.size(); i++) {
                if (!dropped.contains(i)) {
                    convert(g, i, layers.get(i));
                }
            }
            ImportReport report = new ImportReport(prototxt, unsupported, unknownFields, shapesNeeded, leftOut());
            if (!report.supported()) {
                throw new UnsupportedModelException(report);
            }
            List<LoadReport.LayerBlobs> ignored = new ArrayList<>();
            for (StoredLayer l : stored.values()) {
                if (!usedStored.contains(l.name()) && !l.blobs().isEmpty()) {
                    ignored.add(new LoadReport.LayerBlobs(l.name(), l.type(),
                            l.blobs().stream().map(StoredBlob::shape).toList()));
                }
            }
            try {
                return new Result(g.build(), loaded, ignored, leftOut(), weightBytes);
            } catch (ModelException e) {
                throw e.inFile(prototxt);
            }
        }

        /** Drops training-only layers (losses, accuracies, evaluation) whose tops nothing kept reads. */
        private void leaveOutTrainingLayers() {
            Set<String> read = new HashSet<>();
            for (int i = layers.size() - 1; i >= 0; i--) {
                LayerParameter l = layers.get(i);
                if (isTrainingOnly(l.getType()) && l.getTopList().stream().noneMatch(read::contains)) {
                    dropped.add(i);
                    leaveOut(i, new ImportReport.LeftOut(l.getName(), l.getType(), "training or evaluation layer"));
                    continue;
                }
                read.addAll(l.getBottomList());
            }
            for (int i = 0; i < layers.size(); i++) {
                if (!dropped.contains(i)) {
                    for (String b : layers.get(i).getBottomList()) {
                        readers.computeIfAbsent(b, k -> new ArrayList<>()).add(i);
                    }
                }
            }
        }

        /** Whether a kept layer after {@code index} reads blob {@code top}. */
        private boolean isRead(String top, int index) {
            return readers.getOrDefault(top, List.of()).stream().anyMatch(j -> j > index);
        }

        /**
         * Node names: the layer names, except that a name used again (Caffe allows it) gets {@code #2}, {@code #3},
         * ... on its later layers. As in Caffe's CopyTrainedLayersFrom, weights named so go to the first.
         */
        private void nameNodes() {
            Set<String> taken = new HashSet<>();
            for (int i = 0; i < layers.size(); i++) {
                if (!dropped.contains(i)) {
                    taken.add(layers.get(i).getName());
                }
            }
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < layers.size(); i++) {
                if (dropped.contains(i)) {
                    continue;
                }
                String name = layers.get(i).getName();
                int k = seen.merge(name, 1, Integer::sum);
                if (k == 1) {
                    firstNamed.put(name, i);
                    nodeNames.put(i, name);
                    continue;
                }
                String node = name + "#" + k;
                while (taken.contains(node)) {
                    node = node + "#";
                }
                taken.add(node);
                nodeNames.put(i, node);
                warnings.add(prototxt + ": layer name \"" + name + "\" is used again by layer #" + (i + 1) + " ("
                        + layers.get(i).getType() + "), as Caffe allows; it is \"" + node + "\" in the graph, and "
                        + "weights named \"" + name + "\" go to the first layer of that name, as Caffe copies them");
            }
        }

        private void convert(Graph.Builder g, int index, LayerParameter written) throws ModelException {
            LayerParameter layer = written;
            List<Integer> positions = null;
            if (DataLayers.isDataLayer(written)) {
                // a data layer's tops that nothing reads (the label once the losses are left out) are no inputs
                positions = new ArrayList<>();
                LayerParameter.Builder kept = written.toBuilder().clearTop();
                for (int t = 0; t < written.getTopCount(); t++) {
                    if (isRead(written.getTop(t), index) || written.getTopCount() == 1) {
                        positions.add(t);
                        kept.addTop(written.getTop(t));
                    } else {
                        leaveOut(index, new ImportReport.LeftOut(written.getName(), written.getType(), "top \""
                                + written.getTop(t) + "\" is read by no layer of the TEST net"));
                    }
                }
                if (positions.isEmpty()) {
                    return;
                }
                layer = kept.build();
            }
            String name = layer.getName();
            String node = nodeNames.get(index);
            String type = layer.getType();
            List<String> inputs = new ArrayList<>();
            boolean blocked = false;
            for (int b = 0; b < layer.getBottomCount(); b++) {
                String blob = layer.getBottom(b);
                if (poisoned.contains(blob)) {
                    blocked = true;
                    continue;
                }
                String v = current.get(blob);
                if (v == null) {
                    throw missingBottom(index, layer, b);
                }
                inputs.add(v);
            }
            List<String> outputs = new ArrayList<>();
            for (int t = 0; t < layer.getTopCount(); t++) {
                String top = layer.getTop(t);
                boolean inPlace = t < layer.getBottomCount() && layer.getBottom(t).equals(top);
                if ((current.containsKey(top) || poisoned.contains(top)) && !inPlace) {
                    throw new ModelException(prototxt, name, type, "top[" + t + "]", "blob \"" + top
                            + "\" is already produced by an earlier layer; only a layer working in place (top " + t
                            + " equal to bottom " + t + ") may write it again", null);
                }
                outputs.add(lastWriter.get(top) == index ? top : top + "@" + node);
            }
            String unsupportedLabel = LayerConverters.unsupportedLabel(layer);
            LayerConverter converter = unsupportedLabel == null ? LayerConverters.forType(type) : null;
            if (unsupportedLabel != null) {
                unsupported(unsupportedLabel, name);
            }
            if (converter == null || blocked) {
                poison(layer);
                return;
            }
            List<Shape> shapes = inputs.stream().map(g::shape).toList();
            // Caffe's CopyTrainedLayersFrom gives a caffemodel layer's weights to the first layer of that name
            StoredLayer s = firstNamed.get(name) == index ? stored.get(name) : null;
            boolean[] took = {false};
            LayerParameter converted = layer;
            LayerContext ctx = new LayerContext(layer, shapes, expected -> {
                took[0] = true;
                return take(converted, s, expected, index);
            }, positions, priorBoxDialect, weights == null || s == null ? null
                    : s.blobs().stream().map(CaffemodelFile.StoredBlob::shape).toList());
            Op op;
            try {
                op = convertWithInputShapes(converter, ctx, layer);
                if (s != null && !took[0] && !s.blobs().isEmpty()) {
                    throw ModelException.field("blobs", weights.path() + " holds " + s.blobs().size()
                            + " blobs for this layer, which takes none");
                }
                g.add(new Node(node, type, op, inputs, outputs), layer.getTopList());
            } catch (DataLayers.ShapesNeeded e) {
                shapesNeeded.addAll(e.needed);
                poison(layer);
                return;
            } catch (UnsupportedLayerException e) {
                unsupported(e.label(), name);
                poison(layer);
                return;
            } catch (ModelException e) {
                throw e.inLayer(name, type).inFile(prototxt);
            } catch (IllegalArgumentException | ArithmeticException e) {
                // an op's own argument checks, reached by parameters that no converter check catches first
                throw new ModelException(prototxt, name, type, null, "invalid parameters: " + e.getMessage(), e);
            }
            if (s != null) {
                usedStored.add(name);
            }
            for (int t = 0; t < layer.getTopCount(); t++) {
                current.put(layer.getTop(t), outputs.get(t));
            }
        }

        private void leaveOut(int index, ImportReport.LeftOut l) {
            leftOut.computeIfAbsent(index, k -> new ArrayList<>()).add(l);
        }

        private List<ImportReport.LeftOut> leftOut() {
            return leftOut.values().stream().flatMap(List::stream).toList();
        }

        private void unsupported(String type, String layer) {
            unsupported.computeIfAbsent(type.isEmpty() ? "(no type)" : type, k -> new ArrayList<>()).add(layer);
        }

        /** The layer's tops cannot be computed: layers reading them are skipped too (their types still listed). */
        private void poison(LayerParameter layer) {
            poisoned.addAll(layer.getTopList());
            layer.getTopList().forEach(current::remove);
        }

        /** Every shape in the options must name a top of a layer without bottoms (known before converting). */
        private void checkInputShapeNames() throws ModelException {
            Set<String> tops = new HashSet<>();
            for (LayerParameter l : layers) {
                if (takesInputShapes(l)) {
                    tops.addAll(l.getTopList());
                }
            }
            for (String name : inputShapes.keySet()) {
                if (!tops.contains(name)) {
                    throw new ModelException(prototxt, null, null, null, "an input shape was given for \"" + name
                            + "\", which is not an input of the net (its inputs: " + tops.stream().sorted().toList()
                            + ")", null);
                }
            }
        }

        /** Whether the options' input shapes may name this layer's tops: a layer without bottoms but Parameter. */
        private static boolean takesInputShapes(LayerParameter l) {
            return l.getBottomCount() == 0 && !l.getType().equals("Parameter");
        }

        /** Converts a layer; for input layers, the shapes given in the options replace the prototxt's. */
        private Op convertWithInputShapes(LayerConverter converter, LayerContext ctx, LayerParameter layer)
                throws ModelException {
            boolean isInput = takesInputShapes(layer) && layer.getTopList().stream()
                    .anyMatch(inputShapes::containsKey);
            if (!isInput) {
                return converter.convert(ctx);
            }
            List<Shape> shapes = new ArrayList<>();
            String source = layer.getType();
            if (layer.getTopList().stream().allMatch(inputShapes::containsKey)) {
                layer.getTopList().forEach(t -> shapes.add(inputShapes.get(t)));
                return new Input(shapes, source);
            }
            List<Shape> known;
            try {
                if (!(converter.convert(ctx) instanceof Input in)) {
                    throw ModelException.field("top", "input shapes apply to input layers only");
                }
                known = in.shapes();
            } catch (DataLayers.ShapesNeeded e) {
                List<ImportReport.ShapeNeeded> still = e.needed.stream()
                        .filter(n -> !inputShapes.containsKey(n.top())).toList();
                if (!still.isEmpty()) {
                    throw new DataLayers.ShapesNeeded(still, e.known);
                }
                known = e.known;
            }
            for (int i = 0; i < layer.getTopCount(); i++) {
                shapes.add(inputShapes.getOrDefault(layer.getTop(i), known.get(i)));
            }
            return new Input(shapes, source);
        }

        private List<Tensor> take(LayerParameter layer, StoredLayer s, List<Shape> expected, int index)
                throws ModelException {
            if (weights == null) {
                return expected.stream().map(Tensor::placeholder).toList();
            }
            Integer first = firstNamed.get(layer.getName());
            if (first != null && first != index) {
                // Caffe copies the caffemodel's weights of a name only to the first layer of that name: a later
                // one keeps what its fillers made, which is reproducible for constant fillers only
                List<Tensor> filled = constantFillers(layer, expected);
                if (filled == null) {
                    throw ModelException.field("blobs", "Caffe copies the weights of " + weights.path() + " named \""
                            + layer.getName() + "\" only to the first layer of that name (layer #" + (first + 1)
                            + "); this layer keeps the random values of its fillers, which senet4j does not "
                            + "reproduce: give it a name of its own");
                }
                warnings.add(prototxt + ": layer #" + (index + 1) + " \"" + layer.getName() + "\" ("
                        + layer.getType() + ") takes no weights from " + weights.path() + " (they go to the first "
                        + "layer of that name, as in Caffe) and keeps its constant fillers' values");
                return filled;
            }
            if (s == null) {
                throw ModelException.field("blobs", "no weights for this layer in " + weights.path() + " (it needs "
                        + expected.size() + " blob" + (expected.size() == 1 ? "" : "s") + ": " + expected + ")");
            }
            if (s.blobs().size() != expected.size()) {
                throw ModelException.field("blobs", "expected " + expected.size() + " blobs " + expected + ", "
                        + weights.path() + " has " + s.blobs().size() + " "
                        + s.blobs().stream().map(StoredBlob::shape).toList());
            }
            List<Tensor> out = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                StoredBlob b = s.blobs().get(i);
                Shape want = expected.get(i);
                if (!b.shape().equals(want) && !(b.legacy() && legacyEquals(want, b.shape()))) {
                    throw ModelException.field("blobs[" + i + "]", "expected shape " + want + ", " + weights.path()
                            + " has " + b.shape() + (b.legacy() ? " (legacy 4-D dimensions)" : ""));
                }
                long at = lazyWeights ? weights.packedFloats(b) : -1;
                out.add(at >= 0 ? Tensor.computed(want, new StoredFloats(weights.path(), lazyChannel(), at))
                        : Tensor.of(want, weights.read(b)));
                weightBytes += 4 * b.count();
            }
            loaded.add(new LoadReport.LayerBlobs(layer.getName(), layer.getType(), expected));
            return out;
        }

        private FileChannel lazyChannel() throws ModelException {
            if (lazyChannel == null) {
                try {
                    lazyChannel = FileChannel.open(weights.path(), StandardOpenOption.READ);
                } catch (IOException e) {
                    throw new ModelException(weights.path(), null, null, null, "cannot open it again to read weights "
                            + "from it: " + e.getMessage(), e);
                }
            }
            return lazyChannel;
        }

        /** The blobs Caffe's constant fillers give a layer (the default filler is the constant 0), or null. */
        private static List<Tensor> constantFillers(LayerParameter l, List<Shape> expected) {
            List<FillerParameter> fillers = switch (l.getType()) {
                case "Convolution", "Deconvolution" -> List.of(l.getConvolutionParam().getWeightFiller(),
                        l.getConvolutionParam().getBiasFiller());
                case "InnerProduct" -> List.of(l.getInnerProductParam().getWeightFiller(),
                        l.getInnerProductParam().getBiasFiller());
                default -> List.of();
            };
            if (expected.size() > fillers.size()) {
                return null;
            }
            List<Tensor> out = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                FillerParameter f = fillers.get(i);
                if (!f.getType().equals("constant")) {
                    return null;
                }
                float[] v = new float[Math.toIntExact(expected.get(i).count())];
                java.util.Arrays.fill(v, f.getValue());
                out.add(Tensor.of(expected.get(i), v));
            }
            return out;
        }

        /** Caffe's rule for legacy blobs: the expected shape, left-padded with 1s to 4 axes, equals num/c/h/w. */
        private static boolean legacyEquals(Shape want, Shape legacy4) {
            if (want.rank() > 4) {
                return false;
            }
            for (int i = 0; i < 4; i++) {
                int j = want.rank() - 4 + i;
                int d = j < 0 ? 1 : want.dim(j);
                if (d != legacy4.dim(i)) {
                    return false;
                }
            }
            return true;
        }

        private ModelException missingBottom(int index, LayerParameter layer, int b) {
            String blob = layer.getBottom(b);
            List<Integer> later = new ArrayList<>();
            for (int j = index; j < layers.size(); j++) {
                if (layers.get(j).getTopList().contains(blob)) {
                    later.add(j);
                }
            }
            String field = "bottom[" + b + "]";
            if (later.isEmpty()) {
                return new ModelException(prototxt, layer.getName(), layer.getType(), field, "blob \"" + blob
                        + "\" is not produced by any layer (nor is it a net input)", null);
            }
            List<String> cycle = findCycle(index);
            if (cycle != null) {
                return new ModelException(prototxt, layer.getName(), layer.getType(), field, "blob \"" + blob
                        + "\" comes from a cycle: " + String.join(" -> ", cycle), null);
            }
            return new ModelException(prototxt, layer.getName(), layer.getType(), field, "blob \"" + blob
                    + "\" is produced only by the later layer \"" + layers.get(later.get(0)).getName()
                    + "\"; Caffe runs layers in the order they are listed", null);
        }

        /**
         * A cycle through layer {@code start} in data-flow order (its first layer repeated last), or null. Layer X
         * depends on layer Y when Y produces one of X's bottoms, wherever Y is listed.
         */
        private List<String> findCycle(int start) {
            Map<String, List<Integer>> producers = new HashMap<>();
            for (int j = 0; j < layers.size(); j++) {
                for (String t : layers.get(j).getTopList()) {
                    producers.computeIfAbsent(t, k -> new ArrayList<>()).add(j);
                }
            }
            Map<Integer, Integer> dependent = new HashMap<>();
            Deque<Integer> stack = new ArrayDeque<>();
            stack.push(start);
            while (!stack.isEmpty()) {
                int cur = stack.pop();
                for (String bottom : layers.get(cur).getBottomList()) {
                    for (int p : producers.getOrDefault(bottom, List.of())) {
                        if (p == cur) {
                            continue;
                        }
                        if (p == start) {
                            List<String> path = new ArrayList<>();
                            path.add(layers.get(start).getName());
                            for (int x = cur; x != start; x = dependent.get(x)) {
                                path.add(layers.get(x).getName());
                            }
                            path.add(layers.get(start).getName());
                            return path;
                        }
                        if (!dependent.containsKey(p)) {
                            dependent.put(p, cur);
                            stack.push(p);
                        }
                    }
                }
            }
            return null;
        }

        private static String fileStem(Path p) {
            String n = p.getFileName().toString();
            int dot = n.lastIndexOf('.');
            return dot > 0 ? n.substring(0, dot) : n;
        }
    }
}
