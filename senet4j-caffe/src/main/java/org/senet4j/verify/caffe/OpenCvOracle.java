package org.senet4j.verify.caffe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.senet4j.ModelException;
import org.senet4j.caffe.NetUpgrader;
import org.senet4j.caffe.PrototxtReader;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.io.AtomicFiles;
import org.senet4j.io.Npy;
import org.senet4j.io.Tsv;
import org.senet4j.ir.Shape;
import org.senet4j.verify.InputDistribution;
import org.senet4j.verify.SeededWeights;

/**
 * OpenCV dnn 4.6 (JavaCPP presets {@code org.bytedeco:opencv}, CPU) as an independent oracle for the fork layers real
 * Caffe lacks (ShuffleChannel, ConvolutionDepthwise, ReLU6, PriorBox, Interp, ...), run in a child JVM
 * ({@link OpenCvOracleMain}) because some nets abort it; its failures become {@link CaffeOracleException}s as real
 * Caffe's do, with OpenCV's error line.
 *
 * <p>OpenCV names outputs by layer, Caffe by blob. A blob's value after a Caffe forward pass is what the last layer
 * writing it produced (in-place layers such as BatchNorm, Scale and ReLU overwrite their bottom), so each blob is read
 * from the output of the last layer, in prototxt order, that has it as a top, at that top's index
 * ({@link #outputs}). Net inputs are not read back (unless a layer rewrites one in place). OpenCV fuses layers unless told not to; the child turns fusion
 * off, so every layer's own output exists.
 *
 * <p>Never an oracle for nets with SENet's Axpy: OpenCV's importer computes {@code a Y + X} instead of Caffe's
 * {@code a X + Y} (measured on SE-ResNet-50: prob relative error 0.87); {@link #refusal} says so and {@link #forward}
 * refuses such nets.
 */
public final class OpenCvOracle {
    /** Default limit for one child run. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(20);

    private static final String MAIN = OpenCvOracleMain.class.getName();

    private OpenCvOracle() {
    }

    /** Where a Caffe blob's final value is in OpenCV's net: output {@code index} of the layer named {@code layer}. */
    public record Output(String blob, String layer, int index) {
    }

    /**
     * A forward pass's results.
     *
     * @param inputs  the input files, by blob name
     * @param blobs   the blobs OpenCV computed, by Caffe blob name, in net order
     * @param outputs where each blob was read from
     */
    public record Result(Path dir, Map<String, Path> inputs, Map<String, Path> blobs, List<Output> outputs) {
        public Result {
            inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
            blobs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(blobs));
            outputs = List.copyOf(outputs);
        }
    }

    /** The net as OpenCV reads it: the prototxt, upgraded from V0/V1 as Caffe and OpenCV do. */
    public static NetParameter read(Path prototxt) throws IOException, ModelException {
        return NetUpgrader.upgrade(PrototxtReader.read(prototxt), prototxt);
    }

    /**
     * Why OpenCV must not be the oracle for this net, if it must not: it has an Axpy layer.
     */
    public static Optional<String> refusal(NetParameter net) {
        List<String> axpy = net.getLayerList().stream().filter(l -> l.getType().equals("Axpy"))
                .map(LayerParameter::getName).toList();
        if (axpy.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("OpenCV dnn computes SENet's Axpy wrongly (a*Y + X instead of Caffe's a*X + Y; measured on "
                + "SE-ResNet-50, prob relative error 0.87), so it is no oracle for this net (Axpy layer"
                + (axpy.size() == 1 ? " " : "s ") + String.join(", ", axpy.subList(0, Math.min(3, axpy.size())))
                + (axpy.size() > 3 ? ", ..." : "") + "); verify it against real Caffe (--caffe)");
    }

    /**
     * For every blob a layer writes, the OpenCV output holding its final value: the last layer in net order with it
     * as a top, at that top's position, under the name OpenCV's importer gives the layer (a repeated layer name gets
     * {@code _1}, {@code _2}, ... as in OpenCV). The tops of Input layers are left out: they are fed. Blobs are
     * listed in the order of their last writer.
     */
    public static List<Output> outputs(NetParameter net) {
        Map<String, Output> last = new LinkedHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (LayerParameter l : net.getLayerList()) {
            int repetitions = seen.merge(l.getName(), 1, Integer::sum) - 1;
            String name = repetitions == 0 ? l.getName() : l.getName() + "_" + repetitions;
            if (l.getType().equals("Input")) {
                continue;
            }
            for (int i = 0; i < l.getTopCount(); i++) {
                String blob = l.getTop(i);
                last.remove(blob);
                last.put(blob, new Output(blob, name, i));
            }
        }
        return new ArrayList<>(last.values());
    }

    /**
     * Runs {@code prototxt} with {@code weights} in OpenCV on the given inputs and reads back every blob a layer
     * writes ({@link #outputs}).
     *
     * @param inputs every net input and its {@code .npy} file (float32; the file's shape is the input's)
     * @throws CaffeOracleException when OpenCV fails, aborts or times out (the message names the prototxt and gives
     *     OpenCV's error line), or the net has an Axpy layer
     */
    public static Result forward(Path prototxt, Path weights, Map<String, Path> inputs, Path outDir,
                                 Duration timeout) throws CaffeOracleException {
        Path proto = prototxt.toAbsolutePath();
        Path dir = outDir.toAbsolutePath();
        List<Output> outputs;
        Path forOpenCv;
        try {
            NetParameter net = read(proto);
            Optional<String> refused = refusal(net);
            if (refused.isPresent()) {
                throw new CaffeOracleException("OpenCV oracle for " + proto + ": " + refused.get(), "forward", proto,
                        null, refused.get(), null, null);
            }
            outputs = outputs(net);
            Files.createDirectories(dir);
            forOpenCv = withBuiltInProposals(net, proto, dir);
            Files.deleteIfExists(dir.resolve("blobs.tsv"));
            StringBuilder tsv = new StringBuilder("#blob\tlayer\tindex\n");
            for (Output o : outputs) {
                tsv.append(Tsv.escape(o.blob())).append('\t').append(Tsv.escape(o.layer())).append('\t')
                        .append(o.index()).append('\n');
            }
            AtomicFiles.writeString(dir.resolve("opencv-outputs.tsv"), tsv.toString());
        } catch (IOException | ModelException e) {
            throw new CaffeOracleException("OpenCV oracle for " + proto + ": " + e.getMessage(), "forward", proto,
                    null, null, null, e);
        }
        List<String> args = new ArrayList<>(List.of("forward", "--prototxt", forOpenCv.toString(), "--weights",
                weights.toAbsolutePath().toString(), "--outputs", dir.resolve("opencv-outputs.tsv").toString(),
                "--out", dir.toString()));
        inputs.forEach((name, file) -> {
            args.add("--input");
            args.add(name + "=" + file.toAbsolutePath());
        });
        CaffeOracle.runProcess("OpenCV oracle", "forward", runDir -> javaCommand(args, runDir), 1, timeout, proto);
        try {
            return new Result(dir, inputs, org.senet4j.verify.ReferenceSet.readBlobs(dir), outputs);
        } catch (IOException | RuntimeException e) {
            throw new CaffeOracleException("OpenCV oracle for " + proto + ": cannot read its output: "
                    + e.getMessage(), "forward", proto, null, null, null, e);
        }
    }

    /**
     * The prototxt OpenCV is given: {@code prototxt} itself, or, when the net has py-faster-rcnn's Python proposal
     * layer (which OpenCV's importer cannot create), a copy in which that layer is OpenCV's built-in {@code Proposal}
     * with the same parameters, as OpenCV's own Faster R-CNN sample prototxts write it.
     */
    static Path withBuiltInProposals(NetParameter net, Path prototxt, Path dir) throws IOException, ModelException {
        List<String> names = net.getLayerList().stream().filter(l -> l.getType().equals("Python")
                && l.getPythonParam().getModule().equals("rpn.proposal_layer")
                && l.getPythonParam().getLayer().equals("ProposalLayer")).map(LayerParameter::getName).toList();
        if (names.isEmpty()) {
            return prototxt;
        }
        org.senet4j.ir.Graph g = org.senet4j.caffe.CaffeImporter.load(prototxt, null).graph();
        NetParameter.Builder b = net.toBuilder();
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < b.getLayerCount(); i++) {
            LayerParameter l = b.getLayer(i);
            if (names.contains(l.getName())) {
                org.senet4j.ir.op.Proposal p = (org.senet4j.ir.op.Proposal) g.node(l.getName()).op();
                StringBuilder t = new StringBuilder("proposal_param { feat_stride: " + p.featStride() + " base_size: "
                        + p.baseSize() + " min_size: " + (int) p.minSize());
                p.ratios().forEach(r -> t.append(" ratio: ").append(r));
                p.scales().forEach(r -> t.append(" scale: ").append(r));
                t.append(" pre_nms_topn: ").append(p.preNmsTopN()).append(" post_nms_topn: ").append(p.postNmsTopN())
                        .append(" nms_thresh: ").append(p.nmsThresh()).append(" }");
                String marker = "senet4j-proposal-" + i;
                params.put(marker, t.toString());
                b.setLayer(i, l.toBuilder().setType(marker).clearPythonParam());
            }
        }
        String text = com.google.protobuf.TextFormat.printer().printToString(b.build());
        for (Map.Entry<String, String> e : params.entrySet()) {
            text = text.replace("type: \"" + e.getKey() + "\"", "type: \"Proposal\"\n  " + e.getValue());
        }
        Path out = dir.resolve("opencv-net.prototxt");
        AtomicFiles.writeString(out, text);
        return out;
    }

    /**
     * {@link #forward} on seeded inputs, as {@code verify --opencv} runs it: input {@code i} of {@code inputShapes}
     * (in that order) gets {@code distribution}'s values for seed {@code inputSeed + i}, written to
     * {@code dir/input_<name>.npy}.
     */
    public static Result makeReference(Path prototxt, Path weights, Path dir, Map<String, Shape> inputShapes,
                                       InputDistribution distribution, long inputSeed, Duration timeout)
            throws CaffeOracleException {
        Map<String, Path> inputs = new LinkedHashMap<>();
        long seed = inputSeed;
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, Shape> e : inputShapes.entrySet()) {
                Path f = dir.resolve("input_" + Npy.fileNameFor(e.getKey()));
                Npy.write(f, e.getValue().dims(), SeededWeights.input(e.getValue(), distribution, seed++));
                inputs.put(e.getKey(), f);
            }
        } catch (IOException e) {
            throw new CaffeOracleException("OpenCV oracle for " + prototxt.toAbsolutePath() + ": cannot write its "
                    + "inputs: " + e.getMessage(), "forward", prototxt.toAbsolutePath(), null, null, null, e);
        }
        return forward(prototxt, weights, inputs, dir.resolve("blobs"), timeout);
    }

    /** The child JVM's command line (the Caffe oracle's JVM options and class path); a crash log goes to runDir. */
    private static List<String> javaCommand(List<String> args, Path runDir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:-CreateCoredumpOnCrash");
        cmd.add("-XX:ErrorFile=" + runDir.resolve("hs_err_pid%p.log"));
        cmd.add("-Djava.awt.headless=true");
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("org.bytedeco.")) {
                cmd.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty(CaffeOracle.CLASSPATH_PROPERTY, System.getProperty("java.class.path")));
        cmd.add(MAIN);
        cmd.addAll(args);
        return cmd;
    }
}
