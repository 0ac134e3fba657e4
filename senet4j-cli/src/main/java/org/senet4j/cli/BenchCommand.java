package org.senet4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.senet4j.bench.Benchmark;
import org.senet4j.bench.Timing;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Precision;
import org.senet4j.io.Json;
import org.senet4j.nativefmt.NativeReader;
import org.senet4j.verify.caffe.CaffeOracle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code senet4j bench}: speed next to ONNX Runtime and real Caffe, measured in the same run. */
@Command(name = "bench", sortOptions = false,
        description = {"Time models on a senet4j engine next to ONNX Runtime (on the ONNX export of the same weights, "
                + "same JVM, interleaved) and real Caffe (child JVM), all at the same thread count: median and "
                + "spread of the runs, milliseconds per image, and the ratios. A prototxt without a caffemodel gets "
                + "random weights written by real Caffe. --load measures loading the caffemodel instead."},
        footer = {"", "Examples:",
            "  senet4j bench SE-ResNet-50.prototxt SE-ResNeXt-50.prototxt --batch 1 --batch 8 --threads 2",
            "  senet4j bench SE-ResNet-50.prototxt SE-ResNet-50.caffemodel --peers onnxruntime --json",
            "  senet4j bench SE-ResNet-50.prototxt SE-ResNeXt-50.prototxt --precision bf16 --peers onnxruntime",
            "  senet4j bench SENet-154.prototxt SENet-154.caffemodel --load"})
final class BenchCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL", arity = "1..*",
            description = "Models: X.prototxt [X.caffemodel], or a native file; several may follow each other.")
    List<Path> models = new ArrayList<>();

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE", description = "cpu (default) or cuda.")
    String device;

    @Option(names = "--batch", paramLabel = "N", description = "Batch sizes (repeatable; default 1 and 8).")
    List<Integer> batches = new ArrayList<>();

    @Option(names = "--threads", defaultValue = "2", paramLabel = "N",
            description = "Threads for senet4j and every peer (default 2).")
    int threads;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "P",
            description = "senet4j's precision: fp32 (default), bf16 (cpu), tf32 or fp16 (cuda); the peers run fp32.")
    String precision;

    @Option(names = "--cuda-graphs",
            description = "cuda: replay each run as a CUDA graph (captured after the first run).")
    boolean cudaGraphs;

    @Option(names = "--peers", defaultValue = "caffe,onnxruntime", split = ",", paramLabel = "PEERS",
            description = "Peers to measure in the same run: caffe, onnxruntime, or none (default both).")
    List<String> peers = new ArrayList<>();

    @Option(names = "--warmup", defaultValue = "5", paramLabel = "N", description = "Untimed runs first.")
    int warmup;

    @Option(names = "--iterations", defaultValue = "30", paramLabel = "N", description = "Timed runs.")
    int iterations;

    @Option(names = "--load", description = "Measure loading the caffemodel: MB/s and peak heap over the weights.")
    boolean load;

    @Option(names = "--convert", description = "Measure converting the caffemodel (to ONNX and to the native file) "
            + "against copying it, and opening the native file: the first round (what one convert command costs) "
            + "and the medians of the 5 after it.")
    boolean convert;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<Benchmark.Model> list = parseModels();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (load) {
            return loadBench(list, out);
        }
        if (convert) {
            return convertBench(list, out);
        }
        Set<String> peerSet = new LinkedHashSet<>();
        for (String p : peers) {
            if (p.equals("none")) {
                continue;
            }
            if (!p.equals("caffe") && !p.equals("onnxruntime")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown peer \"" + p
                        + "\"; peers are caffe, onnxruntime, none");
            }
            peerSet.add(p);
        }
        if (threads < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 1");
        }
        List<Integer> bs = batches.isEmpty() ? List.of(1, 8) : batches;
        for (int b : bs) {
            if (b < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be positive");
            }
        }
        List<Path> temp = new ArrayList<>();
        try {
            List<Benchmark.Model> ready = new ArrayList<>();
            for (Benchmark.Model m : list) {
                if (m.graph() == null && m.caffemodel() == null) {
                    Path dir = Files.createTempDirectory("senet4j-bench-");
                    temp.add(dir);
                    Path w = dir.resolve("random.caffemodel");
                    err.println("  " + m.label() + ": writing random weights with real Caffe...");
                    CaffeOracle.writeRandomWeights(m.prototxt(), w, 1);
                    m = new Benchmark.Model(m.label(), m.prototxt(), w, null);
                }
                ready.add(m);
            }
            EngineOptions eo = new EngineOptions(threads, Precision.parse(precision), 0, cudaGraphs);
            List<Benchmark.Row> rows = Benchmark.run(ready, new Benchmark.Options(device, bs, eo, peerSet, warmup,
                    iterations, 3), s -> {
                        err.println(s);
                        err.flush();
                    });
            print(rows, out);
            return ExitCode.OK;
        } finally {
            for (Path d : temp) {
                try (var s = Files.walk(d)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private List<Benchmark.Model> parseModels() throws Exception {
        List<Benchmark.Model> list = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            Path p = models.get(i);
            if (!Files.exists(p)) {
                throw new NoSuchFileException(p.toString());
            }
            String name = p.getFileName().toString();
            if (ConvertCommand.formatOf(p) == ConvertCommand.Format.NATIVE) {
                list.add(new Benchmark.Model(stem(name), null, null, NativeReader.read(p)));
            } else if (name.endsWith(".prototxt")) {
                Path w = null;
                if (i + 1 < models.size() && models.get(i + 1).getFileName().toString().endsWith(".caffemodel")) {
                    w = models.get(++i);
                    if (!Files.exists(w)) {
                        throw new NoSuchFileException(w.toString());
                    }
                }
                list.add(new Benchmark.Model(stem(name), p, w, null));
            } else {
                throw new CommandLine.ParameterException(spec.commandLine(), p + ": expected a .prototxt (optionally "
                        + "followed by its .caffemodel) or a native file");
            }
        }
        return list;
    }

    private static String stem(String n) {
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private int loadBench(List<Benchmark.Model> list, PrintWriter out) throws Exception {
        List<Object> results = new ArrayList<>();
        for (Benchmark.Model m : list) {
            if (m.caffemodel() == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--load needs MODEL.prototxt "
                        + "WEIGHTS.caffemodel");
            }
            Benchmark.LoadResult r = Benchmark.load(m.prototxt(), m.caffemodel(), 5);
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("model", m.label());
                o.put("fileBytes", r.fileBytes());
                o.put("weightBytes", r.weightBytes());
                o.put("medianMs", r.timing().median());
                o.put("megabytesPerSecond", r.megabytesPerSecond());
                o.put("peakHeapBytes", r.peakHeapBytes());
                o.put("peakHeapRatio", r.peakHeapRatio());
                results.add(o);
            } else {
                out.printf(Locale.ROOT, "%s: %.1f MB caffemodel loaded in %.0f ms median of 5 (first %.0f ms) = "
                        + "%.0f MB/s; heap needed %.1f MB = %.2fx the %.1f MB of weights%n", m.label(),
                        r.fileBytes() / 1e6, r.timing().median(), r.timing().millis()[0], r.megabytesPerSecond(),
                        r.peakHeapBytes() / 1e6, r.peakHeapRatio(), r.weightBytes() / 1e6);
            }
        }
        if (json) {
            out.println(Json.write(Map.of("load", results)));
        }
        out.flush();
        return ExitCode.OK;
    }

    /** Rounds of {@code --convert} measured after the first. */
    private static final int CONVERT_ROUNDS = 5;

    private int convertBench(List<Benchmark.Model> list, PrintWriter out) throws Exception {
        List<Object> results = new ArrayList<>();
        for (Benchmark.Model m : list) {
            if (m.caffemodel() == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--convert needs MODEL.prototxt "
                        + "WEIGHTS.caffemodel");
            }
            Path dir = Files.createTempDirectory(m.caffemodel().toAbsolutePath().getParent(), ".senet4j-bench-");
            try {
                Benchmark.ConvertResult r = Benchmark.convert(m.prototxt(), m.caffemodel(), dir, CONVERT_ROUNDS);
                Benchmark.Round f = r.first();
                if (json) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("model", m.label());
                    o.put("caffemodelBytes", r.caffemodelBytes());
                    o.put("rounds", CONVERT_ROUNDS);
                    o.put("copyMs", r.copy().median());
                    o.put("toOnnxMs", r.toOnnx().median());
                    o.put("toNativeMs", r.toNative().median());
                    o.put("openNativeMs", r.openNative().median());
                    o.put("onnxRatioToCopy", r.onnxRatio());
                    o.put("nativeRatioToCopy", r.nativeRatio());
                    o.put("first", Map.of("copyMs", f.copy(), "toOnnxMs", f.toOnnx(), "toNativeMs", f.toNative(),
                            "openNativeMs", f.openNative(), "onnxRatioToCopy", f.onnxRatio(),
                            "nativeRatioToCopy", f.nativeRatio()));
                    results.add(o);
                } else {
                    out.printf(Locale.ROOT, "%s (%.1f MB caffemodel), medians of %d rounds after a first one: copy %.0f "
                            + "ms; to ONNX %.0f ms (%.2fx the copy); to native %.0f ms (%.2fx); open native %.1f ms%n",
                            m.label(), r.caffemodelBytes() / 1e6, CONVERT_ROUNDS, r.copy().median(),
                            r.toOnnx().median(), r.onnxRatio(), r.toNative().median(), r.nativeRatio(),
                            r.openNative().median());
                    out.printf(Locale.ROOT, "  first round (for the first model listed, what one convert command "
                            + "costs once its JVM has started): copy %.0f ms; to ONNX %.0f ms (%.2fx); to native %.0f "
                            + "ms (%.2fx); open native %.1f ms%n",
                            f.copy(), f.toOnnx(), f.onnxRatio(), f.toNative(), f.nativeRatio(), f.openNative());
                }
            } finally {
                try (var s = Files.walk(dir)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        if (json) {
            out.println(Json.write(Map.of("convert", results)));
        }
        out.flush();
        return ExitCode.OK;
    }

    private void print(List<Benchmark.Row> rows, PrintWriter out) {
        if (json) {
            List<Object> list = new ArrayList<>();
            for (Benchmark.Row r : rows) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("model", r.model());
                o.put("batch", r.batch());
                o.put("device", r.device());
                o.put("threads", r.threads());
                o.put("senet4j", timing(r.senet4j(), r.batch()));
                o.put("onnxruntime", timing(r.onnxruntime(), r.batch()));
                o.put("caffe", timing(r.caffe(), r.batch()));
                o.put("deviceOnly", timing(r.deviceOnly(), r.batch()));
                o.put("precision", Precision.parse(precision).label());
                o.put("cudaGraphs", cudaGraphs);
                o.put("ratioToOnnxRuntime", r.onnxruntime() == null ? null
                        : r.senet4j().median() / r.onnxruntime().median());
                o.put("speedupOverCaffe", r.caffe() == null ? null : r.caffe().median() / r.senet4j().median());
                list.add(o);
            }
            out.println(Json.write(Map.of("results", list)));
            out.flush();
            return;
        }
        boolean gpu = rows.stream().anyMatch(r -> r.deviceOnly() != null);
        out.printf(Locale.ROOT, "%-18s %5s  %-26s  %-14s  %-14s  %9s  %11s%s%n", "model", "batch",
                "senet4j ms/img (p10-p90)", "ONNX Runtime", "Caffe", "vs ORT", "vs Caffe",
                gpu ? "  GPU-only ms/img (img/s)" : "");
        for (Benchmark.Row r : rows) {
            int b = r.batch();
            out.printf(Locale.ROOT, "%-18s %5d  %-26s  %-14s  %-14s  %9s  %11s%s%n", r.model(), b,
                    ms(r.senet4j().median() / b) + " (" + ms(r.senet4j().percentile(10) / b) + "-"
                            + ms(r.senet4j().percentile(90) / b) + ")",
                    r.onnxruntime() == null ? "-" : String.format(Locale.ROOT, "%.1f", r.msPerImage(r.onnxruntime())),
                    r.caffe() == null ? "-" : String.format(Locale.ROOT, "%.1f", r.msPerImage(r.caffe())),
                    r.onnxruntime() == null ? "-" : String.format(Locale.ROOT, "%.2fx",
                            r.senet4j().median() / r.onnxruntime().median()),
                    r.caffe() == null ? "-" : String.format(Locale.ROOT, "%.1fx faster",
                            r.caffe().median() / r.senet4j().median()),
                    r.deviceOnly() == null ? "" : String.format(Locale.ROOT, "  %.4f (%.0f)", r.deviceOnly().median() / b,
                            1000.0 * b / r.deviceOnly().median()));
        }
        out.printf(Locale.ROOT, "%d thread(s), device %s, senet4j in %s (peers in fp32); vs ORT = senet4j time / "
                + "ONNX Runtime time (below 1 is faster); medians of %d runs after %d warm-up runs%n", rows.isEmpty()
                ? threads : rows.get(0).threads(), device, Precision.parse(precision).label(), iterations, warmup);
        out.flush();
    }

    /** Milliseconds with the digits that matter: 12.3, 1.23, 0.0123. */
    static String ms(double v) {
        return String.format(Locale.ROOT, v >= 10 ? "%.1f" : v >= 1 ? "%.2f" : "%.4f", v);
    }

    private static Map<String, Object> timing(Timing t, int batch) {
        if (t == null) {
            return null;
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("msPerImage", t.median() / batch);
        o.put("medianMs", t.median());
        o.put("p10Ms", t.percentile(10));
        o.put("p90Ms", t.percentile(90));
        o.put("runs", t.millis().length);
        return o;
    }
}
