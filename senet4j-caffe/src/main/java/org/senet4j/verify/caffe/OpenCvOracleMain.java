package org.senet4j.verify.caffe;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_dnn.Net;
import org.senet4j.io.AtomicFiles;
import org.senet4j.io.Npy;
import org.senet4j.io.Tsv;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The OpenCV oracle's child process: OpenCV dnn 4.6 (JavaCPP presets {@code org.bytedeco:opencv}) reads the net with
 * {@code readNetFromCaffe(prototxt, caffemodel)}, runs it on the CPU with layer fusion off (so every layer's own
 * output exists), reads each requested layer's outputs after a pass up to that layer, and writes them as {@code .npy} under the Caffe blob names the parent mapped
 * them to. Some nets abort OpenCV, which is why {@link OpenCvOracle} runs this in a separate JVM.
 *
 * <p>Exit status: 0 success, 1 error reported by this program (OpenCV's exception message on stderr), 2 usage
 * error, anything else: the process died.
 */
@Command(name = "opencv-oracle", mixinStandardHelpOptions = true,
        description = "Runs OpenCV dnn (CPU) on a Caffe model for senet4j parity checks.",
        subcommands = {OpenCvOracleMain.Forward.class})
public final class OpenCvOracleMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        CaffeOracleMain.LineFilter err = CaffeOracleMain.LineFilter.installOnStderr();
        CommandLine cl = new CommandLine(new OpenCvOracleMain());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            String name = cmd.getCommandSpec().qualifiedName();
            if (ex instanceof CaffeOracleMain.UsageException) {
                cmd.getErr().println(name + ": " + ex.getMessage());
                return CaffeOracleMain.EXIT_USAGE;
            }
            cmd.getErr().println(name + ": error: " + String.valueOf(ex.getMessage()).replace('\n', ' ').strip());
            if (!(ex instanceof IOException) && !(ex instanceof RuntimeException)) {
                ex.printStackTrace(cmd.getErr());
            }
            return CaffeOracleMain.EXIT_ERROR;
        });
        int code = cl.execute(args);
        err.drain();
        System.out.flush();
        System.exit(code);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    @Command(name = "forward", mixinStandardHelpOptions = true,
            description = "Loads the net, feeds the .npy inputs, runs a forward pass up to each listed layer and "
                    + "writes its outputs as .npy plus blobs.tsv.")
    static final class Forward implements Callable<Integer> {
        @Option(names = "--prototxt", required = true, paramLabel = "P") Path prototxt;
        @Option(names = "--weights", required = true, paramLabel = "M") Path weights;
        @Option(names = "--input", required = true, paramLabel = "NAME=FILE.npy",
                description = "a net input and its values; repeat for every input")
        Map<String, Path> inputs = new LinkedHashMap<>();
        @Option(names = "--outputs", required = true, paramLabel = "F.tsv",
                description = "one line per blob to write: blob name, OpenCV layer name, output index (TSV)")
        Path outputs;
        @Option(names = "--out", required = true, paramLabel = "DIR") Path out;

        @Override
        public Integer call() throws IOException {
            Path proto = CaffeOracleMain.requireFile(prototxt, "prototxt");
            Path model = CaffeOracleMain.requireFile(weights, "weights");
            List<String[]> wanted = new ArrayList<>();
            for (String line : Files.readAllLines(CaffeOracleMain.requireFile(outputs, "outputs file"),
                    StandardCharsets.UTF_8)) {
                if (!line.isEmpty() && !line.startsWith("#")) {
                    String[] f = Tsv.fields(line);
                    wanted.add(new String[] {Tsv.unescape(f[0]), Tsv.unescape(f[1]), f[2]});
                }
            }
            Net net = opencv_dnn.readNetFromCaffe(proto.toString(), model.toString());
            if (net.empty()) {
                throw new IllegalArgumentException("OpenCV read an empty net from " + proto);
            }
            net.enableFusion(false);
            net.setPreferableBackend(opencv_dnn.DNN_BACKEND_OPENCV);
            net.setPreferableTarget(opencv_dnn.DNN_TARGET_CPU);
            for (Map.Entry<String, Path> e : inputs.entrySet()) {
                Npy.NpyArray a = Npy.read(CaffeOracleMain.requireFile(e.getValue(), "input file for " + e.getKey()));
                Mat m = new Mat(a.shape().length, a.shape(), CV_32F);
                new FloatPointer(m.data()).capacity(a.data().length).put(a.data());
                net.setInput(m, e.getKey(), 1.0, new Scalar());
            }
            List<String> layers = new ArrayList<>();
            for (String[] w : wanted) {
                if (!layers.contains(w[1])) {
                    layers.add(w[1]);
                }
            }
            for (String l : layers) {
                if (net.getLayerId(l) < 0) {
                    throw new CaffeOracleMain.UsageException("OpenCV's net has no layer " + l);
                }
            }
            // One forward pass per layer, up to that layer: OpenCV reuses a blob's memory for a later in-place
            // layer (a ReLU after a Slice) even when the blob was asked for, so it is read before anything after it
            // runs.
            Files.createDirectories(out);
            Map<String, String> lines = new LinkedHashMap<>();
            for (String[] w : wanted) {
                lines.put(w[0], null);
            }
            for (String l : layers) {
                MatVector outs = new MatVector();
                net.forward(outs, l);
                for (String[] w : wanted) {
                    if (w[1].equals(l)) {
                        lines.put(w[0], write(outs, w, out));
                    }
                }
            }
            StringBuilder tsv = new StringBuilder("#blob\tfile\tshape\n");
            lines.values().forEach(tsv::append);
            // blobs.tsv last: its presence means the directory is complete
            AtomicFiles.writeString(out.resolve("blobs.tsv"), tsv.toString());
            return 0;
        }

        /** Writes output {@code w[2]} of {@code outs} as blob {@code w[0]}; returns its blobs.tsv line. */
        private static String write(MatVector outs, String[] w, Path out) throws IOException {
            int index = Integer.parseInt(w[2]);
            if (index >= outs.size()) {
                throw new IllegalArgumentException("OpenCV layer " + w[1] + " has " + outs.size()
                        + " outputs, blob " + w[0] + " wants output " + index);
            }
            Mat m = outs.get(index);
            if (m.type() != CV_32F || !m.isContinuous()) {
                throw new IllegalArgumentException("OpenCV layer " + w[1] + " output " + index
                        + " is not a continuous float32 blob (type " + m.type() + ")");
            }
            int[] shape = new int[m.dims()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = m.size(i);
            }
            float[] data = new float[Math.toIntExact(m.total())];
            new FloatPointer(m.data()).capacity(data.length).get(data);
            String file = Npy.fileNameFor(w[0]);
            Npy.write(out.resolve(file), shape, data);
            return Tsv.escape(w[0]) + '\t' + file + '\t' + Tsv.shape(shape) + '\n';
        }
    }
}
