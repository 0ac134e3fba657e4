package org.senet4j.api;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Softmax;
import org.senet4j.labels.ClassLabels;
import org.senet4j.passes.Passes;
import org.senet4j.preprocess.BgrImage;
import org.senet4j.preprocess.ImageDecoder;
import org.senet4j.preprocess.ImagePreprocessor;

/**
 * A model prepared on a device: weights uploaded or packed once, run as often as needed with any batch size. Holds
 * native memory: close it. Not for concurrent use from several threads.
 *
 * <p>Inputs are N x C x H x W float32 in row-major order, already preprocessed; {@link #classify} does the
 * preprocessing itself. Blobs are named as in the Caffe net; the inference passes fold some of them away (BatchNorm
 * and Scale outputs, in-place activations) unless the session was opened with {@link SessionOptions#withAllBlobs()}.
 */
public final class Session implements AutoCloseable {
    private final Model model;
    private final SessionOptions options;
    private final Engine engine;
    private final String classOutput;
    private final boolean outputIsSoftmax;
    private final ImagePreprocessor preprocessor;

    Session(Model model, SessionOptions options) throws ModelException {
        this.model = model;
        this.options = options;
        Graph g = Passes.optimize(model.graph(), options.disabledPasses());
        this.engine = Engines.create(options.device(), g, new EngineOptions(options.threads(), options.precision(),
                0, false));
        List<String> outs = engine.graph().outputs();
        this.classOutput = outs.contains("prob") ? "prob" : outs.get(0);
        Node producer = engine.graph().producer(classOutput);
        this.outputIsSoftmax = producer != null && producer.op() instanceof Softmax;
        this.preprocessor = new ImagePreprocessor(model.preprocessing());
    }

    public Model model() {
        return model;
    }

    public SessionOptions options() {
        return options;
    }

    /** The device the session runs on, e.g. {@code cpu}. */
    public String device() {
        return engine.device();
    }

    /**
     * Runs a batch and returns the requested blobs (the graph outputs when none are named).
     *
     * @param inputs a tensor per graph input, by name
     * @throws ModelException when an input is missing or misshapen, or a blob is unknown (or folded away by a pass)
     */
    public Map<String, HostTensor> run(Map<String, HostTensor> inputs, String... blobs) throws ModelException {
        return engine.run(inputs, List.of(blobs));
    }

    /**
     * Runs the single input of the model on {@code input}, N x C x H x W values (N follows from the length), and
     * returns the values of the first output, N x the output size.
     */
    public float[] run(float[] input) throws ModelException {
        Map<String, HostTensor> out = run(FloatBuffer.wrap(input));
        return out.values().iterator().next().data();
    }

    /**
     * Runs the single input of the model on the remaining values of {@code input} (N x C x H x W; N follows from the
     * count) and returns the requested blobs, the graph outputs when none are named. The buffer's position is not
     * changed.
     */
    public Map<String, HostTensor> run(FloatBuffer input, String... blobs) throws ModelException {
        String name = singleInput();
        Shape one = model.graph().shape(name);
        long per = one.count(1, one.rank());
        if (input.remaining() == 0 || input.remaining() % per != 0) {
            throw new IllegalArgumentException("input \"" + name + "\" needs a multiple of " + per + " values (N x "
                    + one.slice(1, one.rank()) + "), got " + input.remaining());
        }
        float[] data = new float[input.remaining()];
        input.duplicate().get(data);
        return run(Map.of(name, new HostTensor(one.with(0, (int) (data.length / per)), data)), blobs);
    }

    /** The named blobs for one batch: {@link #run(FloatBuffer, String...)} with the names required. */
    public Map<String, HostTensor> blobs(float[] input, String... names) throws ModelException {
        if (names.length == 0) {
            throw new IllegalArgumentException("name at least one blob");
        }
        return run(FloatBuffer.wrap(input), names);
    }

    /** Reads, preprocesses and classifies one image file. */
    public Classification classify(Path image, int topK) throws IOException, ModelException {
        return classify(List.of(image), topK).get(0);
    }

    /**
     * Reads, preprocesses and classifies image files, {@link SessionOptions#batchSize()} at a time.
     *
     * @throws org.senet4j.preprocess.ImageDecodeException naming the first file that cannot be decoded
     */
    public List<Classification> classify(List<Path> images, int topK) throws IOException, ModelException {
        List<Classification> out = new ArrayList<>();
        for (int from = 0; from < images.size(); from += options.batchSize()) {
            List<Path> chunk = images.subList(from, Math.min(images.size(), from + options.batchSize()));
            List<BgrImage> decoded = new ArrayList<>();
            for (Path p : chunk) {
                decoded.add(ImageDecoder.read(p));
            }
            List<Classification> r = classifyImages(decoded, topK);
            for (int i = 0; i < r.size(); i++) {
                out.add(new Classification(chunk.get(i).toString(), r.get(i).top()));
            }
        }
        return out;
    }

    /** Preprocesses and classifies an image held in memory. */
    public Classification classify(BufferedImage image, int topK) throws ModelException {
        return classifyImages(List.of(ImageDecoder.fromBufferedImage(image)), topK).get(0);
    }

    /**
     * Preprocesses decoded images and classifies them in one batch.
     *
     * @throws IllegalArgumentException when the preprocessing does not give the model's input size
     */
    public List<Classification> classifyImages(List<BgrImage> images, int topK) throws ModelException {
        if (images.isEmpty()) {
            return List.of();
        }
        float[][] probs = probabilities(images);
        List<Classification> out = new ArrayList<>();
        for (float[] p : probs) {
            out.add(new Classification(null, top(p, topK)));
        }
        return out;
    }

    /**
     * The class probabilities of decoded images, run in one batch: the model's output {@code prob} (or its first
     * output), with a softmax applied when that output is not a Softmax layer's.
     *
     * @throws IllegalArgumentException when the preprocessing does not give the model's input size
     */
    public float[][] probabilities(List<BgrImage> images) throws ModelException {
        int per = imageTensorSize();
        float[] data = new float[per * images.size()];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(preprocess(images.get(i)), 0, data, i * per, per);
        }
        return probabilities(data, images.size());
    }

    /**
     * The class probabilities of {@code n} images already preprocessed into one N x C x H x W array (see
     * {@link #preprocess}).
     */
    public float[][] probabilities(float[] batch, int n) throws ModelException {
        String name = singleInput();
        Shape one = model.graph().shape(name);
        HostTensor out = run(Map.of(name, new HostTensor(one.with(0, n), batch)), classOutput).get(classOutput);
        int k = Math.toIntExact(out.shape().count(1, out.shape().rank()));
        float[][] res = new float[n][];
        for (int i = 0; i < n; i++) {
            res[i] = Arrays.copyOfRange(out.data(), i * k, (i + 1) * k);
            if (!outputIsSoftmax) {
                softmax(res[i]);
            }
        }
        return res;
    }

    /**
     * One decoded image as the model's input (C x H x W): the model's preprocessing applied. Safe to call from
     * several threads at once.
     *
     * @throws IllegalArgumentException when the image is smaller than the crop, or the preprocessing does not give
     *                                  the model's input size
     */
    public float[] preprocess(BgrImage image) {
        String name = singleInput();
        Shape one = model.graph().shape(name);
        imageTensorSize();
        BgrImage c = preprocessor.resizeAndCrop(image);
        if (c.height() != one.dim(2) || c.width() != one.dim(3)) {
            throw new IllegalArgumentException("the preprocessing gives " + c.width() + "x" + c.height()
                    + " images but input \"" + name + "\" is " + one.dim(3) + "x" + one.dim(2) + " ("
                    + model.preprocessing().toJson() + ")");
        }
        float[] t = new float[3 * c.width() * c.height()];
        preprocessor.toTensor(c, t, 0);
        return t;
    }

    /** Values per image of the input: C x H x W, checking that the input takes 3-channel images. */
    private int imageTensorSize() {
        String name = singleInput();
        Shape one = model.graph().shape(name);
        if (one.rank() != 4 || one.dim(1) != 3) {
            throw new IllegalArgumentException("classifying images needs an N x 3 x H x W input; \"" + name
                    + "\" is " + one);
        }
        return Math.toIntExact(one.count(1, 4));
    }

    /** The name of the output that gives the class scores: {@code prob} when the graph has it, else the first. */
    public String classOutput() {
        return classOutput;
    }

    /**
     * The {@code k} most probable classes of one probability vector, most probable first (ties: lower index first),
     * with their ImageNet classes when the model has labels.
     *
     * @throws IllegalArgumentException when the model has labels but not 1000 outputs
     */
    public List<Prediction> top(float[] probs, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("top-K needs K >= 1, got " + k);
        }
        ClassLabels labels = model.labels();
        if (labels != null && probs.length != ClassLabels.CLASSES) {
            throw new IllegalArgumentException("the labels describe the 1000 ImageNet classes but the model has "
                    + probs.length + " outputs");
        }
        List<Prediction> out = new ArrayList<>();
        for (int i : topIndices(probs, k)) {
            out.add(new Prediction(i, probs[i], labels == null ? null : labels.forOutput(i, model.classOrder())));
        }
        return out;
    }

    /** Indices of the {@code k} largest values, largest first, ties by lower index. */
    public static int[] topIndices(float[] v, int k) {
        int n = Math.min(k, v.length);
        int[] best = new int[n];
        int size = 0;
        for (int i = 0; i < v.length; i++) {
            if (size == n && !(v[i] > v[best[n - 1]])) {
                continue;
            }
            int j = size < n ? size++ : n - 1;
            while (j > 0 && v[i] > v[best[j - 1]]) {
                best[j] = best[j - 1];
                j--;
            }
            best[j] = i;
        }
        return best;
    }

    private static void softmax(float[] v) {
        float max = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.exp(v[i] - max);
            sum += v[i];
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] / sum);
        }
    }

    /**
     * The name of the model's single input.
     *
     * @throws IllegalArgumentException when the model has several inputs (use {@link #run(Map, String...)})
     */
    public String singleInput() {
        List<String> in = model.graph().inputs();
        if (in.size() != 1) {
            throw new IllegalArgumentException("the model has inputs " + in + ": use run(Map, String...)");
        }
        return in.get(0);
    }

    @Override
    public void close() {
        engine.close();
    }
}
