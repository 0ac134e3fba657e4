package org.senet4j.verify.caffe;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.senet4j.io.Tsv;
import org.senet4j.verify.InputDistribution;
import org.senet4j.verify.ManifestEntry;

/**
 * Runs real Caffe (JavaCPP presets {@code org.bytedeco:caffe}, CPU) in a child JVM and returns its results: the
 * parity oracle. A child is needed because a failed Caffe CHECK aborts the whole process; here it becomes a
 * {@link CaffeOracleException} and this JVM carries on.
 *
 * <p>The child is {@link CaffeOracleMain}, started with this JVM's {@code java} executable and class path (override
 * the class path with the system property {@value #CLASSPATH_PROPERTY}). Its environment gets
 * {@code GLOG_minloglevel=2} and, when a thread count is given, {@code OMP_NUM_THREADS} and
 * {@code OPENBLAS_NUM_THREADS}. Its stdout and stderr go to temporary files (so a chatty child can never block on
 * a full pipe), which are deleted after the run. Relative paths are resolved against this JVM's working directory.
 *
 * <p>This class never loads Caffe or any other native library itself.
 */
public final class CaffeOracle {

    /** System property: the class path for the child JVM (default: {@code java.class.path}). */
    public static final String CLASSPATH_PROPERTY = "senet4j.caffeOracle.classpath";
    /** Default limit for one child run: generous, SENet-154 weights take a while. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

    private static final String MAIN = CaffeOracleMain.class.getName();
    private static final int TAIL_LINES = 40;
    private static final int TAIL_BYTES = 64 * 1024;

    private CaffeOracle() {
    }

    /**
     * How to run the child.
     *
     * @param timeout      wall-clock limit; the child (and its descendants) is killed when it is exceeded
     * @param extraJvmArgs extra options for the child JVM, e.g. {@code -Xmx4g}
     * @param inputShapes  {@link #makeReference}: shapes that replace the prototxt's for these net inputs (Caffe
     *                     reshapes the net to them; a batch size given separately still replaces axis 0)
     */
    public record Options(Duration timeout, List<String> extraJvmArgs, Map<String, List<Integer>> inputShapes) {
        public Options {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            extraJvmArgs = List.copyOf(extraJvmArgs);
            Map<String, List<Integer>> shapes = new LinkedHashMap<>();
            inputShapes.forEach((k, v) -> shapes.put(k, List.copyOf(v)));
            inputShapes = java.util.Collections.unmodifiableMap(shapes);
        }

        /** {@link #DEFAULT_TIMEOUT}, no extra JVM options, the prototxt's input shapes. */
        public static Options defaults() {
            return new Options(DEFAULT_TIMEOUT, List.of(), Map.of());
        }

        public Options withTimeout(Duration t) {
            return new Options(t, extraJvmArgs, inputShapes);
        }

        public Options withInputShapes(Map<String, List<Integer>> shapes) {
            return new Options(timeout, extraJvmArgs, shapes);
        }
    }

    /** A reference set made by {@link #makeReference}: see {@code CaffeOracleMain make-reference}. */
    public record ReferenceSet(Path dir, Path model, Map<String, Path> inputs, Map<String, Path> blobs,
                               List<LayerInfo> layers) {
        public ReferenceSet {
            inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
            blobs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(blobs));
            layers = List.copyOf(layers);
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    /**
     * Loads {@code prototxt} in real Caffe (TEST phase), fills every learnable blob with tame seeded random values
     * (see {@code RandomWeights}) and writes them to {@code out} as a binary {@code .caffemodel}.
     *
     * @return one entry per blob of every layer, in layer order, as Caffe holds them after writing
     */
    public static List<ManifestEntry> writeRandomWeights(Path prototxt, Path out, long seed)
            throws CaffeOracleException {
        return writeRandomWeights(prototxt, out, seed, Options.defaults());
    }

    /** {@link #writeRandomWeights(Path, Path, long)} with explicit options. */
    public static List<ManifestEntry> writeRandomWeights(Path prototxt, Path out, long seed, Options options)
            throws CaffeOracleException {
        Path proto = prototxt.toAbsolutePath();
        Path manifest = null;
        try {
            Path target = out.toAbsolutePath();
            Files.createDirectories(target.getParent());
            manifest = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".manifest.tsv");
            List<String> args = List.of("write-weights", "--prototxt", proto.toString(), "--out", target.toString(),
                    "--seed", Long.toString(seed), "--manifest", manifest.toString());
            run(args, 0, options, proto);
            return ManifestEntry.read(manifest);
        } catch (IOException e) {
            throw new CaffeOracleException("write-weights for " + proto + ": " + e.getMessage(), "write-weights",
                    proto, null, null, null, e);
        } finally {
            deleteQuietly(manifest);
        }
    }

    /**
     * Runs the net on the given inputs and writes blobs as {@code .npy} files into {@code outDir}, plus
     * {@code blobs.tsv} and {@code layers.tsv} (see {@link #readLayers(Path)}).
     *
     * @param inputs  every input blob of the net and its {@code .npy} file; the file's shape sets the blob's
     *                shape, so the batch size follows the input
     * @param blobs   the blobs to write, or {@code null} for all of them (including Caffe's {@code *_split_N})
     * @param threads thread count for OpenBLAS (0: leave the environment as it is)
     * @return blob name to {@code .npy} file, in Caffe's net order
     */
    public static Map<String, Path> forward(Path prototxt, Path weights, Map<String, Path> inputs, Path outDir,
                                            Set<String> blobs, int threads) throws CaffeOracleException {
        return forward(prototxt, weights, inputs, outDir, blobs, threads, Options.defaults());
    }

    /** {@link #forward(Path, Path, Map, Path, Set, int)} with explicit options. */
    public static Map<String, Path> forward(Path prototxt, Path weights, Map<String, Path> inputs, Path outDir,
                                            Set<String> blobs, int threads, Options options)
            throws CaffeOracleException {
        Path proto = prototxt.toAbsolutePath();
        Path dir = outDir.toAbsolutePath();
        List<String> args = new ArrayList<>(List.of("forward", "--prototxt", proto.toString(),
                "--weights", weights.toAbsolutePath().toString(), "--out", dir.toString()));
        for (Map.Entry<String, Path> e : inputs.entrySet()) {
            args.add("--input");
            args.add(e.getKey() + "=" + e.getValue().toAbsolutePath());
        }
        if (blobs != null) {
            if (blobs.isEmpty()) {
                throw new IllegalArgumentException("blobs is empty; pass null for all blobs");
            }
            for (String b : blobs) {
                args.add("--blob");
                args.add(b);
            }
        }
        if (threads > 0) {
            args.add("--threads");
            args.add(Integer.toString(threads));
        }
        try {
            Files.deleteIfExists(dir.resolve("blobs.tsv"));
            run(args, threads, options, proto);
            return org.senet4j.verify.ReferenceSet.readBlobs(dir);
        } catch (IOException e) {
            throw new CaffeOracleException("forward for " + proto + ": " + e.getMessage(), "forward", proto, null,
                    null, null, e);
        }
    }

    /**
     * Times {@code net.Forward()} on seeded random input of batch {@code batch} after {@code warmup} untimed runs.
     *
     * @param weights a {@code .caffemodel}, or {@code null} for seeded random weights
     */
    public static TimingResult time(Path prototxt, Path weights, int batch, int warmup, int iters, int threads)
            throws CaffeOracleException {
        return time(prototxt, weights, batch, warmup, iters, threads, Options.defaults());
    }

    /** {@link #time(Path, Path, int, int, int, int)} with explicit options. */
    public static TimingResult time(Path prototxt, Path weights, int batch, int warmup, int iters, int threads,
                                    Options options) throws CaffeOracleException {
        Path proto = prototxt.toAbsolutePath();
        List<String> args = new ArrayList<>(List.of("time", "--prototxt", proto.toString(),
                "--batch", Integer.toString(batch), "--warmup", Integer.toString(warmup),
                "--iters", Integer.toString(iters)));
        if (weights != null) {
            args.add("--weights");
            args.add(weights.toAbsolutePath().toString());
        }
        if (threads > 0) {
            args.add("--threads");
            args.add(Integer.toString(threads));
        }
        String stdout = run(args, threads, options, proto);
        String json = stdout.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
        try {
            if (json == null) {
                throw new IllegalArgumentException("no JSON line in the child's output");
            }
            double[] millis = Arrays.stream(jsonField(json, "millis").replaceAll("[\\[\\]]", "").split(","))
                    .filter(s -> !s.isBlank()).mapToDouble(Double::parseDouble).toArray();
            return new TimingResult(Integer.parseInt(jsonField(json, "batch")),
                    Integer.parseInt(jsonField(json, "threads")), Integer.parseInt(jsonField(json, "warmup")),
                    millis, Double.parseDouble(jsonField(json, "median_ms")));
        } catch (IllegalArgumentException e) {
            throw new CaffeOracleException("time for " + proto + ": cannot read the child's result: "
                    + e.getMessage() + "\n" + stdout, "time", proto, 0, null, stdout, e);
        }
    }

    private static String jsonField(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(\\[[^\\]]*\\]|[-0-9.eE]+)").matcher(json);
        if (!m.find()) {
            throw new IllegalArgumentException("field " + key + " missing in " + json);
        }
        return m.group(1);
    }

    /**
     * Makes a reference set in one child: random weights (or {@code weights}), a seeded random input per net
     * input, Forward, all blobs. See {@code CaffeOracleMain make-reference} for the files it leaves in {@code dir}.
     *
     * @param weights   a {@code .caffemodel}, or {@code null} for random weights from {@code seed}
     * @param batch     batch size, or 0 for the prototxt's
     * @param inputSeed seed of the first input (input i uses inputSeed + i)
     */
    public static ReferenceSet makeReference(Path prototxt, Path dir, Path weights, long seed, int batch,
                                             InputDistribution dist, long inputSeed, int threads, Options options)
            throws CaffeOracleException {
        Path proto = prototxt.toAbsolutePath();
        Path out = dir.toAbsolutePath();
        List<String> args = new ArrayList<>(List.of("make-reference", "--prototxt", proto.toString(),
                "--out", out.toString(), "--seed", Long.toString(seed), "--batch", Integer.toString(batch),
                "--input-dist", dist.name().toLowerCase(java.util.Locale.ROOT),
                "--input-seed", Long.toString(inputSeed)));
        if (weights != null) {
            args.add("--weights");
            args.add(weights.toAbsolutePath().toString());
        }
        if (threads > 0) {
            args.add("--threads");
            args.add(Integer.toString(threads));
        }
        options.inputShapes().forEach((name, dims) -> {
            args.add("--input-shape");
            args.add(name + "=" + dims.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
        });
        try {
            Files.deleteIfExists(out.resolve("blobs").resolve("blobs.tsv"));
            run(args, threads, options, proto);
            Map<String, Path> inputs = new LinkedHashMap<>();
            for (String line : Files.readAllLines(out.resolve("inputs.tsv"), StandardCharsets.UTF_8)) {
                if (!line.isEmpty() && !line.startsWith("#")) {
                    String[] f = Tsv.fields(line);
                    inputs.put(Tsv.unescape(f[0]), out.resolve(f[1]));
                }
            }
            return new ReferenceSet(out, out.resolve("model.caffemodel"), inputs, org.senet4j.verify.ReferenceSet.readBlobs(out.resolve("blobs")),
                    readLayers(out.resolve("blobs")));
        } catch (IOException | RuntimeException e) {
            throw new CaffeOracleException("make-reference for " + proto + ": " + e.getMessage(), "make-reference",
                    proto, null, null, null, e);
        }
    }

    /** Reads {@code dir/layers.tsv} written by {@code forward}: Caffe's layers in order, with Split layers. */
    public static List<LayerInfo> readLayers(Path dir) throws IOException {
        return LayerInfo.read(dir.resolve("layers.tsv"));
    }

    // ------------------------------------------------------------------------------------------------------------

    /** Runs the child with {@code args}; returns its stdout, or throws with the tail of its stderr. */
    static String run(List<String> args, int threads, Options options, Path prototxt) throws CaffeOracleException {
        return runProcess("Caffe oracle", args.get(0), runDir -> javaCommand(args, options, runDir), threads,
                options.timeout(), prototxt);
    }

    /** The child JVM's command line; a crash log goes to {@code runDir}. */
    private static List<String> javaCommand(List<String> args, Options options, Path runDir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:-CreateCoredumpOnCrash");
        cmd.add("-XX:ErrorFile=" + runDir.resolve("hs_err_pid%p.log"));
        cmd.add("-Djava.awt.headless=true");
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("org.bytedeco.")) { // e.g. org.bytedeco.javacpp.cachedir
                cmd.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        cmd.addAll(options.extraJvmArgs());
        cmd.add("-cp");
        cmd.add(System.getProperty(CLASSPATH_PROPERTY, System.getProperty("java.class.path")));
        cmd.add(MAIN);
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Runs an oracle child process (GLOG quiet, BLAS threads limited) and returns its stdout, or throws with Caffe's
     * fatal message and the tail of its stderr.
     *
     * @param oracle  how messages name the oracle, e.g. {@code fork-caffe}
     * @param command the oracle command, for messages
     * @param cmdIn   the command line, given a scratch directory for the run (deleted afterwards)
     */
    static String runProcess(String oracle, String command, java.util.function.Function<Path, List<String>> cmdIn,
                             int threads, Duration timeout, Path prototxt) throws CaffeOracleException {
        Path runDir = null;
        try {
            runDir = Files.createTempDirectory("senet4j-caffe-oracle-");
            List<String> cmd = cmdIn.apply(runDir);
            Path stdout = runDir.resolve("stdout.txt");
            Path stderr = runDir.resolve("stderr.txt");
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.redirectOutput(stdout.toFile());
            pb.redirectError(stderr.toFile());
            pb.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            Map<String, String> env = pb.environment();
            env.put("GLOG_minloglevel", "2");
            env.put("GLOG_logtostderr", "1");
            if (threads > 0) {
                env.put("OMP_NUM_THREADS", Integer.toString(threads));
                env.put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
            }

            Process p = pb.start();
            boolean finished;
            try {
                finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                kill(p);
                Thread.currentThread().interrupt();
                throw new CaffeOracleException("interrupted while running " + oracle + " '" + command + "' for "
                        + prototxt, command, prototxt, null, null, tail(stderr), e);
            }
            if (!finished) {
                kill(p);
                String tail = tail(stderr);
                throw new CaffeOracleException(oracle + " '" + command + "' for " + prototxt + " timed out after "
                        + timeout + " and was killed" + tailSection(tail), command, prototxt, null, null, tail, null);
            }
            int code = p.exitValue();
            if (code != 0) {
                String tail = tail(stderr);
                String fatal = fatalMessage(tail).orElse(null);
                StringBuilder msg = new StringBuilder(oracle).append(" '").append(command).append("' failed for ")
                        .append(prototxt).append(": ").append(describeExit(code));
                if (fatal != null) {
                    msg.append(": ").append(fatal);
                }
                Path hsErr = findHsErr(runDir);
                if (hsErr != null) {
                    Path kept = Files.createTempFile("senet4j-caffe-oracle-hs_err-", ".log");
                    Files.copy(hsErr, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    msg.append("\nJVM crash log: ").append(kept);
                }
                msg.append(tailSection(tail));
                throw new CaffeOracleException(msg.toString(), command, prototxt, code, fatal, tail, null);
            }
            return Files.readString(stdout, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CaffeOracleException("cannot run " + oracle + " '" + command + "' for " + prototxt + ": "
                    + e.getMessage(), command, prototxt, null, null, null, e);
        } finally {
            deleteTree(runDir);
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String describeExit(int code) {
        if (code > 128 && code < 128 + 65) {
            int sig = code - 128;
            String name = switch (sig) {
                case 6 -> "SIGABRT (Caffe aborted: a CHECK or LOG(FATAL) failed)";
                case 9 -> "SIGKILL (killed, possibly out of memory)";
                case 11 -> "SIGSEGV";
                case 15 -> "SIGTERM";
                default -> "signal " + sig;
            };
            return "exit code " + code + ", killed by " + name;
        }
        return switch (code) {
            case CaffeOracleMain.EXIT_USAGE -> "exit code 2 (usage error)";
            case CaffeOracleMain.EXIT_ERROR -> "exit code 1 (error)";
            default -> "exit code " + code;
        };
    }

    /** glog's fatal line: {@code F1126 13:45:01.123456 12345 eltwise_layer.cpp:34] Check failed: ...}. */
    private static final Pattern GLOG_FATAL =
            Pattern.compile("^F\\d{4} [0-9:.]+\\s+\\d+ ([^\\]]+)\\] (.*)$", Pattern.MULTILINE);
    private static final Pattern CHILD_ERROR = Pattern.compile("^(?:caffe|opencv)-oracle[^:]*: (.*)$", Pattern.MULTILINE);

    /** Caffe's fatal message ({@code Check failed: ... (file.cpp:34)}), or the child's own error line. */
    static Optional<String> fatalMessage(String stderrTail) {
        Matcher m = GLOG_FATAL.matcher(stderrTail);
        if (m.find()) {
            return Optional.of(m.group(2).strip() + " (" + m.group(1).strip() + ")");
        }
        Matcher c = CHILD_ERROR.matcher(stderrTail);
        String last = null;
        while (c.find()) {
            last = c.group(1).strip();
        }
        if (last == null) {
            last = stderrTail.lines().filter(l -> !l.isBlank()).findFirst().orElse(null);
        }
        return Optional.ofNullable(last);
    }

    private static String tailSection(String tail) {
        return tail.isEmpty() ? "" : "\n--- last lines of the child's stderr ---\n" + tail;
    }

    /** The last lines of {@code file}, without glog's stack-trace address lines. */
    static String tail(Path file) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            long start = Math.max(0, len - TAIL_BYTES);
            byte[] b = new byte[(int) (len - start)];
            f.seek(start);
            f.readFully(b);
            List<String> lines = new ArrayList<>(new String(b, StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("    @ ") && !l.isBlank())
                    .toList());
            if (start > 0 && !lines.isEmpty()) {
                lines.remove(0); // probably cut in the middle
            }
            return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static Path findHsErr(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("hs_err")).findFirst().orElse(null);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a leftover temporary file is harmless
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(CaffeOracle::deleteQuietly);
        } catch (IOException ignored) {
            // a leftover temporary directory is harmless
        }
    }
}
