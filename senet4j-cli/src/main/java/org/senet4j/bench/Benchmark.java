package org.senet4j.bench;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.senet4j.ModelException;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.CaffeModel;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.engine.DeviceTimer;
import org.senet4j.io.FileStamp;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.passes.Passes;
import org.senet4j.verify.caffe.CaffeOracle;
import org.senet4j.verify.caffe.CaffeOracleException;
import org.senet4j.verify.caffe.TimingResult;

/**
 * Times a model on a senet4j engine next to its peers measured in the same run: ONNX Runtime on the ONNX export of
 * the same weights (in this JVM, interleaved with senet4j in rounds so that both see the same machine state) and
 * real Caffe (in a child JVM, same thread count).
 */
public final class Benchmark {

    /** What to measure. {@code peers}: {@code caffe}, {@code onnxruntime}. */
    public record Options(String device, List<Integer> batches, EngineOptions engine, Set<String> peers, int warmup,
                          int iterations, int rounds) {
        public Options {
            batches = List.copyOf(batches);
            peers = Set.copyOf(peers);
            if (warmup < 0 || iterations < 1 || rounds < 1) {
                throw new IllegalArgumentException("warmup >= 0, iterations >= 1 and rounds >= 1 are required");
            }
        }
    }

    /** A model to measure: a prototxt with its caffemodel (made with random weights when absent), or a graph. */
    public record Model(String label, Path prototxt, Path caffemodel, Graph graph) {
    }

    /**
     * One measured configuration; peers are null when not measured. {@code deviceOnly}: for GPU engines, the device
     * work alone (inputs already on the device, timed with CUDA events), else null.
     */
    public record Row(String model, int batch, String device, int threads, Timing senet4j, Timing onnxruntime,
                      Timing caffe, Timing deviceOnly) {
        public double msPerImage(Timing t) {
            return t == null ? Double.NaN : t.median() / batch;
        }
    }

    private Benchmark() {
    }

    public static List<Row> run(List<Model> models, Options o, Consumer<String> log)
            throws IOException, ModelException, CaffeOracleException, OrtException, InterruptedException {
        List<Row> rows = new ArrayList<>();
        for (Model m : models) {
            Graph graph = m.graph();
            if (graph == null) {
                CaffeModel cm = CaffeImporter.load(m.prototxt(), m.caffemodel());
                graph = cm.graph();
            }
            Graph optimized = Passes.optimize(graph, List.of());
            for (int batch : o.batches()) {
                log.accept("  " + m.label() + " batch " + batch + ": senet4j (" + o.device() + ")"
                        + (o.peers().contains("onnxruntime") ? " and ONNX Runtime" : "") + "...");
                Graph g = optimized.withBatchSize(batch);
                Map<String, HostTensor> in = randomInputs(g, batch);
                Timing ours;
                Timing ort = null;
                Timing deviceOnly = null;
                try (Engine e = Engines.create(o.device(), g, o.engine())) {
                    OrtPeer peer = o.peers().contains("onnxruntime")
                            ? new OrtPeer(graph.withBatchSize(batch), o.engine().resolvedThreads()) : null;
                    try {
                        if (peer != null) {
                            peer.inputs(in);
                        }
                        Timing[] t = interleaved(e, peer, in, o);
                        ours = t[0];
                        ort = t[1];
                        if (e instanceof DeviceTimer ce) {
                            log.accept("  " + m.label() + " batch " + batch + ": device work alone (CUDA events)...");
                            deviceOnly = new Timing(ce.timeDevice(batch, o.warmup(), o.iterations()));
                        }
                    } finally {
                        if (peer != null) {
                            peer.close();
                        }
                    }
                }
                Timing caffe = null;
                if (o.peers().contains("caffe") && m.prototxt() != null) {
                    log.accept("  " + m.label() + " batch " + batch + ": real Caffe (child JVM)...");
                    TimingResult r = CaffeOracle.time(m.prototxt(), m.caffemodel(), batch, Math.max(2, o.warmup()),
                            Math.max(5, o.iterations() / 2), o.engine().resolvedThreads());
                    caffe = new Timing(r.millis());
                }
                rows.add(new Row(m.label(), batch, o.device(), o.engine().resolvedThreads(), ours, ort, caffe,
                        deviceOnly));
            }
        }
        return rows;
    }

    /** Warm-up, then rounds alternating senet4j and the ONNX Runtime peer (with a pause between them). */
    private static Timing[] interleaved(Engine e, OrtPeer peer, Map<String, HostTensor> in, Options o)
            throws ModelException, OrtException, InterruptedException {
        for (int i = 0; i < o.warmup(); i++) {
            e.run(in);
            if (peer != null) {
                peer.run();
            }
        }
        List<Double> ours = new ArrayList<>();
        List<Double> theirs = new ArrayList<>();
        int per = Math.max(1, o.iterations() / o.rounds());
        for (int r = 0; r < o.rounds(); r++) {
            Thread.sleep(100);
            for (int i = 0; i < per; i++) {
                long t0 = System.nanoTime();
                e.run(in);
                ours.add((System.nanoTime() - t0) / 1e6);
            }
            if (peer != null) {
                Thread.sleep(100);
                for (int i = 0; i < per; i++) {
                    long t0 = System.nanoTime();
                    peer.run();
                    theirs.add((System.nanoTime() - t0) / 1e6);
                }
            }
        }
        return new Timing[] {new Timing(ours.stream().mapToDouble(Double::doubleValue).toArray()),
            peer == null ? null : new Timing(theirs.stream().mapToDouble(Double::doubleValue).toArray())};
    }

    static Map<String, HostTensor> randomInputs(Graph g, int batch) {
        Random r = new Random(42);
        Map<String, HostTensor> in = new LinkedHashMap<>();
        for (String name : g.inputs()) {
            Shape s = g.shape(name);
            float[] x = new float[Math.toIntExact(s.count())];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            in.put(name, new HostTensor(s, x));
        }
        return in;
    }

    /**
     * Conversion speed against copying the caffemodel, measured in the same run: copy, caffemodel to ONNX (load, fold,
     * export, write), caffemodel to native file, and opening the native file to a graph with usable weights. Both
     * conversions load and write as the {@code convert} command does: the caffemodel's weights left in the file (read
     * as they are written), its stamp verified before the output is committed. The {@code first} round is what one
     * {@code convert} command costs after its JVM has started (the code not yet compiled); the timings are the
     * {@code reps} rounds after it.
     */
    public record ConvertResult(long caffemodelBytes, Round first, Timing copy, Timing toOnnx, Timing toNative,
                                Timing openNative) {
        public double onnxRatio() {
            return toOnnx.median() / copy.median();
        }

        public double nativeRatio() {
            return toNative.median() / copy.median();
        }
    }

    /** One round of {@link #convert}, in milliseconds. */
    public record Round(double copy, double toOnnx, double toNative, double openNative) {
        public double onnxRatio() {
            return toOnnx / copy;
        }

        public double nativeRatio() {
            return toNative / copy;
        }
    }

    /** How {@code convert} loads a caffemodel: its weights left in the file, the file checked at the end. */
    private static final CaffeImporter.Options LAZY = CaffeImporter.Options.DEFAULT.withLazyWeights();

    public static ConvertResult convert(Path prototxt, Path caffemodel, Path dir, int reps)
            throws IOException, ModelException {
        Round first = convertRound(prototxt, caffemodel, dir);
        List<Round> rounds = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            rounds.add(convertRound(prototxt, caffemodel, dir));
        }
        return new ConvertResult(Files.size(caffemodel), first, timing(rounds, Round::copy),
                timing(rounds, Round::toOnnx), timing(rounds, Round::toNative), timing(rounds, Round::openNative));
    }

    private static Timing timing(List<Round> rounds, java.util.function.ToDoubleFunction<Round> figure) {
        return new Timing(rounds.stream().mapToDouble(figure).toArray());
    }

    private static Round convertRound(Path prototxt, Path caffemodel, Path dir) throws IOException, ModelException {
        Path copied = dir.resolve("copy.caffemodel");
        Path onnxFile = dir.resolve("model.onnx");
        Path nativeFile = dir.resolve("model.safetensors");
        Files.deleteIfExists(copied);
        long t0 = System.nanoTime();
        Files.copy(caffemodel, copied);
        double copy = (System.nanoTime() - t0) / 1e6;
        Files.delete(copied);
        System.gc();
        t0 = System.nanoTime();
        List<FileStamp> stamp = List.of(FileStamp.of(caffemodel));
        org.senet4j.onnx.OnnxExporter.write(CaffeImporter.load(prototxt, caffemodel, LAZY).graph(),
                org.senet4j.onnx.ExportOptions.defaults(), onnxFile, stamp);
        double onnx = (System.nanoTime() - t0) / 1e6;
        Files.delete(onnxFile);
        System.gc();
        t0 = System.nanoTime();
        stamp = List.of(FileStamp.of(caffemodel));
        org.senet4j.nativefmt.NativeWriter.write(CaffeImporter.load(prototxt, caffemodel, LAZY).graph(),
                nativeFile, null, stamp);
        double nat = (System.nanoTime() - t0) / 1e6;
        System.gc();
        t0 = System.nanoTime();
        Graph g = org.senet4j.nativefmt.NativeReader.read(nativeFile);
        if (!g.hasWeights()) {
            throw new IllegalStateException("native file without weights");
        }
        double open = (System.nanoTime() - t0) / 1e6;
        Files.delete(nativeFile);
        return new Round(copy, onnx, nat, open);
    }

    /**
     * Load speed of a caffemodel: bytes per second (median of {@code reps}) and the heap the load needs: the smallest
     * {@code -Xmx} with which a fresh JVM (serial collector) completes it, minus the smallest with which it loads
     * the prototxt alone (the JVM's own baseline).
     */
    public record LoadResult(long fileBytes, long weightBytes, Timing timing, long peakHeapBytes) {
        public double megabytesPerSecond() {
            return fileBytes / 1e6 / (timing.median() / 1e3);
        }

        public double peakHeapRatio() {
            return (double) peakHeapBytes / weightBytes;
        }
    }

    /** Loads {@code caffemodel} against {@code prototxt} {@code reps} times, then measures the heap it needs. */
    public static LoadResult load(Path prototxt, Path caffemodel, int reps)
            throws IOException, ModelException, InterruptedException {
        long size = Files.size(caffemodel);
        double[] ms = new double[reps];
        long weights = 0;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            weights = CaffeImporter.load(prototxt, caffemodel).report().weightBytes();
            ms[i] = (System.nanoTime() - t0) / 1e6;
            System.gc();
        }
        long baseline = smallestHeap(prototxt, null, 4L << 20, 256L << 20);
        long needed = smallestHeap(prototxt, caffemodel, baseline, baseline + 3 * weights + (64L << 20));
        return new LoadResult(size, weights, new Timing(ms), needed - baseline);
    }

    /** Binary search (to 2 MB) of the smallest -Xmx with which a child JVM completes the load. */
    private static long smallestHeap(Path prototxt, Path caffemodel, long low, long high)
            throws IOException, InterruptedException {
        if (!loads(prototxt, caffemodel, high)) {
            throw new IOException("the load did not complete even with -Xmx" + (high >> 20) + "m");
        }
        while (high - low > (2L << 20)) {
            long mid = (low + high) / 2;
            if (loads(prototxt, caffemodel, mid)) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return high;
    }

    private static boolean loads(Path prototxt, Path caffemodel, long heap) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx" + (heap >> 20) + "m", "-cp", System.getProperty("java.class.path"),
                LoadProbe.class.getName(), prototxt.toAbsolutePath().toString()));
        if (caffemodel != null) {
            cmd.add(caffemodel.toAbsolutePath().toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        int code = p.waitFor();
        if (code != 0 && code != 3 && code != 1) {
            throw new IOException("the heap probe failed with exit code " + code);
        }
        return code == 0;
    }
}
