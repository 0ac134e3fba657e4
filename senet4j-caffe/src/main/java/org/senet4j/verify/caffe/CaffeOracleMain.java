package org.senet4j.verify.caffe;

import org.senet4j.io.AtomicFiles;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import org.senet4j.io.Npy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import org.senet4j.io.Tsv;
import org.senet4j.verify.InputDistribution;
import org.senet4j.verify.ManifestEntry;

/**
 * The Caffe oracle's child process: runs real Caffe (JavaCPP presets, CPU, TEST phase). A failed Caffe CHECK aborts
 * this process (exit status 134, SIGABRT), which is why {@link CaffeOracle} runs it in a separate JVM.
 *
 * <p>Exit status: 0 success, 1 error reported by this program, 2 usage error (bad option, missing file, unknown
 * input or blob name), anything else: the process died (Caffe abort: 134).
 *
 * <p>Threads: Caffe's CPU math runs in OpenBLAS, which reads {@code OPENBLAS_NUM_THREADS} / {@code OMP_NUM_THREADS}
 * when it loads, so a thread count must be set in the environment before this JVM starts; {@code --threads} only
 * records the intent and warns when the environment disagrees.
 */
@Command(name = "caffe-oracle", mixinStandardHelpOptions = true,
        description = "Runs real Caffe (CPU) for senet4j parity checks.",
        subcommands = {CaffeOracleMain.WriteWeights.class, CaffeOracleMain.Forward.class, CaffeOracleMain.Time.class,
                CaffeOracleMain.MakeReference.class})
public final class CaffeOracleMain implements Runnable {

    static final int EXIT_ERROR = 1;
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        LineFilter err = LineFilter.installOnStderr();
        int code = commandLine().execute(args);
        err.drain();
        System.out.flush();
        System.exit(code);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CaffeOracleMain());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            String name = cmd.getCommandSpec().qualifiedName();
            if (ex instanceof UsageException) {
                cmd.getErr().println(name + ": " + ex.getMessage());
                return EXIT_USAGE;
            }
            if (ex instanceof IOException || ex instanceof IllegalArgumentException) {
                cmd.getErr().println(name + ": error: " + ex.getMessage());
                return EXIT_ERROR;
            }
            cmd.getErr().println(name + ": error: " + ex);
            ex.printStackTrace(cmd.getErr());
            return EXIT_ERROR;
        });
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** A bad argument found after parsing (missing file, unknown input or blob name): exit status 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** Options shared by the commands that run the net. */
    static final class ThreadsOption {
        @Option(names = "--threads", paramLabel = "N",
                description = "Thread count the launcher set through OPENBLAS_NUM_THREADS/OMP_NUM_THREADS "
                        + "(recorded; warns when the environment disagrees). 0: not set.")
        int threads;

        /** The thread count in effect: {@code --threads} if given, else OPENBLAS_NUM_THREADS, else 0. */
        int effective() {
            String env = System.getenv("OPENBLAS_NUM_THREADS");
            if (threads > 0) {
                if (env == null || !env.strip().equals(Integer.toString(threads))) {
                    System.err.println("caffe-oracle: warning: --threads " + threads + " but OPENBLAS_NUM_THREADS="
                            + env + "; OpenBLAS uses the environment, set it before starting the JVM");
                }
                return threads;
            }
            try {
                return env == null ? 0 : Integer.parseInt(env.strip());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }

    static Path requireFile(Path p, String what) {
        if (!Files.isRegularFile(p)) {
            throw new UsageException(what + " not found: " + p);
        }
        return p.toAbsolutePath();
    }

    // ------------------------------------------------------------------------------------------------------------

    @Command(name = "write-weights", mixinStandardHelpOptions = true,
            description = "Fills every learnable blob of the net with tame seeded random values and writes a "
                    + ".caffemodel (and optionally a manifest: layer, type, blob, shape, count, crc32, sum).")
    static final class WriteWeights implements Callable<Integer> {
        @Option(names = "--prototxt", required = true, paramLabel = "P") Path prototxt;
        @Option(names = "--out", required = true, paramLabel = "M.caffemodel") Path out;
        @Option(names = "--seed", required = true, paramLabel = "S") long seed;
        @Option(names = "--manifest", paramLabel = "F.tsv") Path manifest;

        @Override
        public Integer call() throws IOException {
            Path proto = requireFile(prototxt, "prototxt");
            long t0 = System.nanoTime();
            try (CaffeNet net = CaffeNet.load(proto)) {
                List<ManifestEntry> entries = writeWeights(net, seed, out, manifest);
                System.out.printf(Locale.ROOT, "wrote %s: %d blobs, %d bytes in %.0f ms%n", out, entries.size(),
                        Files.size(out), (System.nanoTime() - t0) / 1e6);
            }
            return 0;
        }
    }

    static List<ManifestEntry> writeWeights(CaffeNet net, long seed, Path out, Path manifest) throws IOException {
        createParent(out);
        net.fillRandom(seed);
        net.save(out);
        List<ManifestEntry> entries = net.manifest();
        if (manifest != null) {
            createParent(manifest);
            ManifestEntry.write(manifest, entries);
        }
        return entries;
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    @Command(name = "forward", mixinStandardHelpOptions = true,
            description = "Loads the net and weights, feeds the given .npy inputs (their shapes set the input "
                    + "shapes), runs Forward and writes the requested blobs as .npy plus blobs.tsv and layers.tsv.")
    static final class Forward implements Callable<Integer> {
        @Option(names = "--prototxt", required = true, paramLabel = "P") Path prototxt;
        @Option(names = "--weights", required = true, paramLabel = "M") Path weights;
        @Option(names = "--input", required = true, paramLabel = "NAME=FILE.npy",
                description = "an input blob and its values; repeat for every input of the net")
        Map<String, Path> inputs = new LinkedHashMap<>();
        @Option(names = "--out", required = true, paramLabel = "DIR") Path out;
        @Option(names = "--blobs", paramLabel = "all|NAME,NAME...", defaultValue = "all",
                description = "blobs to write (default: all, including Caffe's *_split_N blobs)")
        String blobs;
        @Option(names = "--blob", paramLabel = "NAME",
                description = "a blob to write, by exact name (repeatable; for names containing commas)")
        List<String> blob = new ArrayList<>();
        @Mixin ThreadsOption threads;

        @Override
        public Integer call() throws IOException {
            Path proto = requireFile(prototxt, "prototxt");
            Path model = requireFile(weights, "weights");
            Map<String, Path> in = new LinkedHashMap<>();
            inputs.forEach((k, v) -> in.put(k, requireFile(v, "input file for " + k)));
            threads.effective();
            Map<String, Npy.NpyArray> arrays = new LinkedHashMap<>();
            for (Map.Entry<String, Path> e : in.entrySet()) {
                arrays.put(e.getKey(), Npy.read(e.getValue()));
            }
            try (CaffeNet net = CaffeNet.load(proto)) {
                net.copyTrainedLayersFrom(model);
                List<String> expected = net.inputNames();
                for (String name : in.keySet()) {
                    if (!expected.contains(name)) {
                        throw new UsageException("unknown input name " + name + ", expected one of " + expected);
                    }
                }
                for (String name : expected) {
                    if (!in.containsKey(name)) {
                        throw new UsageException("no --input for the net's input " + name + " (inputs: " + expected
                                + ")");
                    }
                }
                for (Map.Entry<String, Npy.NpyArray> e : arrays.entrySet()) {
                    net.setInput(e.getKey(), e.getValue().shape(), e.getValue().data());
                }
                net.reshape();
                net.forward();
                List<String> names = selectBlobs(net, blobs, blob);
                writeBlobs(net, names, out);
            }
            return 0;
        }
    }

    static List<String> selectBlobs(CaffeNet net, String blobsOption, List<String> blobOption) {
        List<String> all = net.blobNames();
        boolean everything = blobOption.isEmpty() && (blobsOption == null || blobsOption.equals("all"));
        if (everything) {
            return all;
        }
        Set<String> wanted = new LinkedHashSet<>(blobOption);
        if (blobsOption != null && !blobsOption.equals("all") && !blobsOption.isEmpty()) {
            for (String s : blobsOption.split(",")) {
                wanted.add(s.strip());
            }
        }
        for (String w : wanted) {
            if (!net.hasBlob(w)) {
                throw new UsageException("unknown blob name " + w + ", expected one of " + abbreviate(all));
            }
        }
        List<String> out = new ArrayList<>();
        for (String n : all) {
            if (wanted.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    private static String abbreviate(List<String> names) {
        if (names.size() <= 40) {
            return names.toString();
        }
        return names.subList(0, 40) + " and " + (names.size() - 40) + " more";
    }

    /** Writes the blobs as .npy, then blobs.tsv and layers.tsv, into {@code dir}. */
    static void writeBlobs(CaffeNet net, List<String> names, Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder tsv = new StringBuilder("#blob\tfile\tshape\n");
        for (String name : names) {
            String file = Npy.fileNameFor(name);
            int[] shape = net.shape(name);
            Npy.write(dir.resolve(file), shape, net.data(name));
            tsv.append(Tsv.escape(name)).append('\t').append(file).append('\t').append(Tsv.shape(shape)).append('\n');
        }
        StringBuilder layers = new StringBuilder(LayerInfo.HEADER).append('\n');
        for (LayerInfo l : net.layers()) {
            layers.append(l.toTsvLine()).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("layers.tsv"), layers.toString());
        // blobs.tsv last: its presence means the directory is complete.
        AtomicFiles.writeString(dir.resolve("blobs.tsv"), tsv.toString());
    }

    // ------------------------------------------------------------------------------------------------------------

    @Command(name = "time", mixinStandardHelpOptions = true,
            description = "Times net.Forward() on seeded random input; prints one JSON line with the "
                    + "per-iteration milliseconds and their median.")
    static final class Time implements Callable<Integer> {
        @Option(names = "--prototxt", required = true, paramLabel = "P") Path prototxt;
        @Option(names = "--weights", paramLabel = "M",
                description = "weights to load (default: seeded random weights, see --seed)")
        Path weights;
        @Option(names = "--batch", paramLabel = "N", defaultValue = "1") int batch;
        @Option(names = "--warmup", paramLabel = "W", defaultValue = "2") int warmup;
        @Option(names = "--iters", paramLabel = "K", defaultValue = "10") int iters;
        @Option(names = "--seed", paramLabel = "S", defaultValue = "1") long seed;
        @Mixin ThreadsOption threads;

        @Override
        public Integer call() {
            Path proto = requireFile(prototxt, "prototxt");
            Path model = weights == null ? null : requireFile(weights, "weights");
            if (batch < 1 || warmup < 0 || iters < 1) {
                throw new UsageException("need --batch >= 1, --warmup >= 0, --iters >= 1");
            }
            int t = threads.effective();
            double[] ms = new double[iters];
            try (CaffeNet net = CaffeNet.load(proto)) {
                if (model != null) {
                    net.copyTrainedLayersFrom(model);
                } else {
                    net.fillRandom(seed);
                }
                long inputSeed = seed;
                for (Map.Entry<String, int[]> e : net.inputShapes().entrySet()) {
                    int[] shape = withBatch(e.getValue(), batch);
                    float[] data = new float[Math.toIntExact(Npy.count(shape))];
                    InputDistribution.UNIFORM.fill(inputSeed++, data);
                    net.setInput(e.getKey(), shape, data);
                }
                net.reshape();
                for (int i = 0; i < warmup; i++) {
                    net.forward();
                }
                for (int i = 0; i < iters; i++) {
                    long t0 = System.nanoTime();
                    net.forward();
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            StringBuilder json = new StringBuilder("{\"command\":\"time\",\"prototxt\":")
                    .append(jsonString(proto.toString()))
                    .append(",\"batch\":").append(batch).append(",\"threads\":").append(t)
                    .append(",\"warmup\":").append(warmup).append(",\"millis\":[");
            for (int i = 0; i < ms.length; i++) {
                json.append(i > 0 ? "," : "").append(String.format(Locale.ROOT, "%.3f", ms[i]));
            }
            json.append("],\"median_ms\":").append(String.format(Locale.ROOT, "%.3f", TimingResult.median(ms)))
                    .append('}');
            System.out.println(json);
            return 0;
        }
    }

    /** {@code NAME=D,D,...} options as a map, refusing malformed ones. */
    static Map<String, int[]> parseShapes(List<String> options) {
        Map<String, int[]> m = new LinkedHashMap<>();
        for (String o : options) {
            int eq = o.indexOf('=');
            try {
                if (eq <= 0) {
                    throw new NumberFormatException("expected NAME=D,D,...");
                }
                String[] parts = o.substring(eq + 1).split(",");
                int[] dims = new int[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    dims[i] = Integer.parseInt(parts[i].trim());
                    if (dims[i] <= 0) {
                        throw new NumberFormatException("dimensions must be positive");
                    }
                }
                m.put(o.substring(0, eq), dims);
            } catch (NumberFormatException e) {
                throw new UsageException("--input-shape " + o + ": " + e.getMessage());
            }
        }
        return m;
    }

    static int[] withBatch(int[] shape, int batch) {
        int[] s = shape.clone();
        if (s.length > 0 && batch > 0) {
            s[0] = batch;
        }
        return s;
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    // ------------------------------------------------------------------------------------------------------------

    @Command(name = "make-reference", mixinStandardHelpOptions = true,
            description = {"Makes a reference set in one Caffe process: random weights (unless --weights), a seeded "
                    + "random input per net input, Forward, every requested blob.",
                    "Leaves DIR/model.caffemodel (+ model.manifest.tsv, or a symbolic link to --weights), "
                            + "DIR/input_<name>.npy, DIR/inputs.tsv, DIR/blobs/*.npy with blobs.tsv and layers.tsv, "
                            + "and DIR/reference.properties."})
    static final class MakeReference implements Callable<Integer> {
        @Option(names = "--prototxt", required = true, paramLabel = "P") Path prototxt;
        @Option(names = "--out", required = true, paramLabel = "DIR") Path out;
        @Option(names = "--weights", paramLabel = "M", description = "use these weights instead of random ones")
        Path weights;
        @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "weight seed (default 1)")
        long seed;
        @Option(names = "--batch", paramLabel = "N", defaultValue = "0",
                description = "batch size (default: the prototxt's)")
        int batch;
        @Option(names = "--input-dist", paramLabel = "uniform|normal", defaultValue = "uniform",
                description = "input values: uniform in [-1,1) or standard normal (default uniform)")
        String inputDist;
        @Option(names = "--input-seed", paramLabel = "S",
                description = "input seed (default: the weight seed); input i uses seed + i")
        Long inputSeed;
        @Option(names = "--blobs", paramLabel = "all|NAME,NAME...", defaultValue = "all") String blobs;
        @Option(names = "--input-shape", paramLabel = "NAME=D,D,...",
                description = "replace the prototxt's shape of a net input (repeatable); --batch still sets axis 0")
        List<String> inputShapes = new ArrayList<>();
        @Mixin ThreadsOption threads;

        @Override
        public Integer call() throws IOException {
            Path proto = requireFile(prototxt, "prototxt");
            Path model = weights == null ? null : requireFile(weights, "weights");
            Map<String, int[]> shapes = parseShapes(inputShapes);
            InputDistribution dist;
            try {
                dist = InputDistribution.valueOf(inputDist.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--input-dist must be uniform or normal, got " + inputDist);
            }
            if (batch < 0) {
                throw new UsageException("--batch must be >= 1");
            }
            int t = threads.effective();
            Path dir = out.toAbsolutePath();
            Files.createDirectories(dir);
            long inSeed = inputSeed != null ? inputSeed : seed;
            try (CaffeNet net = CaffeNet.load(proto)) {
                Path modelFile = dir.resolve("model.caffemodel");
                if (model == null) {
                    writeWeights(net, seed, modelFile, dir.resolve("model.manifest.tsv"));
                } else {
                    net.copyTrainedLayersFrom(model);
                    Files.deleteIfExists(modelFile);
                    Files.createSymbolicLink(modelFile, model);
                }
                StringBuilder inputsTsv = new StringBuilder("#input\tfile\tshape\n");
                long s = inSeed;
                Map<String, int[]> netInputs = net.inputShapes();
                for (String name : shapes.keySet()) {
                    if (!netInputs.containsKey(name)) {
                        throw new UsageException("--input-shape " + name + ": the net has no input of that name; its "
                                + "inputs are " + netInputs.keySet());
                    }
                }
                for (Map.Entry<String, int[]> e : netInputs.entrySet()) {
                    int[] shape = withBatch(shapes.getOrDefault(e.getKey(), e.getValue()), batch);
                    float[] data = new float[Math.toIntExact(Npy.count(shape))];
                    dist.fill(s++, data);
                    String file = "input_" + Npy.fileNameFor(e.getKey());
                    Npy.write(dir.resolve(file), shape, data);
                    inputsTsv.append(Tsv.escape(e.getKey())).append('\t').append(file).append('\t')
                            .append(Tsv.shape(shape)).append('\n');
                    net.setInput(e.getKey(), shape, data);
                }
                AtomicFiles.writeString(dir.resolve("inputs.tsv"), inputsTsv.toString());
                net.reshape();
                net.forward();
                writeBlobs(net, selectBlobs(net, blobs, List.of()), dir.resolve("blobs"));
            }
            String props = "# written by CaffeOracleMain make-reference\n"
                    + "prototxt=" + proto + "\n"
                    + "weights=" + (model == null ? "random" : model.toString()) + "\n"
                    + "seed=" + seed + "\n"
                    + "batch=" + (batch == 0 ? "prototxt" : Integer.toString(batch)) + "\n"
                    + "input_dist=" + dist.name().toLowerCase(Locale.ROOT) + "\n"
                    + "input_seed=" + inSeed + "\n"
                    + "threads=" + t + "\n"
                    + "caffe=org.bytedeco:caffe:1.0-1.5.8 (CPU)\n";
            AtomicFiles.writeString(dir.resolve("reference.properties"), props.replace("\\", "\\\\"));
            System.out.println("wrote reference set " + dir);
            return 0;
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    /**
     * Drops JavaCPP's "Warning: Versions of org.bytedeco:javacpp:X and ...:Y do not match." lines (the project
     * forces javacpp 1.5.13 under presets built with 1.5.8, on purpose) and passes every other line through.
     * JavaCPP's default logger writes to {@code System.err} at call time, so replacing it suffices; native (glog)
     * output does not pass through Java and is untouched.
     */
    static final class LineFilter extends OutputStream {
        private static final byte[] DROP_PREFIX =
                "Warning: Versions of org.bytedeco:javacpp:".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] DROP_SUFFIX = " do not match.".getBytes(StandardCharsets.US_ASCII);

        private final OutputStream target;
        private byte[] buf = new byte[256];
        private int len;

        LineFilter(OutputStream target) {
            this.target = target;
        }

        static LineFilter installOnStderr() {
            LineFilter f = new LineFilter(new FileOutputStream(FileDescriptor.err));
            System.setErr(new PrintStream(f, true, StandardCharsets.UTF_8));
            return f;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            if (len == buf.length) {
                buf = java.util.Arrays.copyOf(buf, buf.length * 2);
            }
            buf[len++] = (byte) b;
            if (b == '\n') {
                emitLine();
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int n) throws IOException {
            for (int i = 0; i < n; i++) {
                write(b[off + i]);
            }
        }

        private void emitLine() throws IOException {
            if (!isDropped()) {
                target.write(buf, 0, len);
                target.flush();
            }
            len = 0;
        }

        private boolean isDropped() {
            int end = len;
            while (end > 0 && (buf[end - 1] == '\n' || buf[end - 1] == '\r')) {
                end--;
            }
            return end >= DROP_PREFIX.length + DROP_SUFFIX.length
                    && java.util.Arrays.equals(buf, 0, DROP_PREFIX.length, DROP_PREFIX, 0, DROP_PREFIX.length)
                    && java.util.Arrays.equals(buf, end - DROP_SUFFIX.length, end, DROP_SUFFIX, 0, DROP_SUFFIX.length);
        }

        /** Writes out a last unterminated line, if any. */
        synchronized void drain() {
            try {
                if (len > 0) {
                    target.write(buf, 0, len);
                    len = 0;
                }
                target.flush();
            } catch (IOException ignored) {
                // stderr is gone; nothing left to tell
            }
        }
    }
}
