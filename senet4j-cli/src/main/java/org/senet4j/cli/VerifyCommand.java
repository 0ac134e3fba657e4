package org.senet4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.senet4j.engine.Engine;
import org.senet4j.engine.Precision;
import org.senet4j.io.Json;
import org.senet4j.ir.Graph;
import org.senet4j.passes.RoundWeightsToBf16;
import org.senet4j.verify.BlobResult;
import org.senet4j.verify.ReferenceSet;
import org.senet4j.verify.Verifier;
import org.senet4j.verify.VerifyReport;
import org.senet4j.verify.caffe.CaffeOracle;
import org.senet4j.verify.caffe.OpenCvOracle;
import org.senet4j.verify.InputDistribution;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code senet4j verify}: blob-by-blob parity with real Caffe or OpenCV dnn. */
@Command(name = "verify", sortOptions = false,
        description = {"Compare every blob of a run with real Caffe: either run Caffe now (--caffe, in a child "
                + "process, on a seeded random input) or read a reference set made by tools/caffe-reference "
                + "(--reference DIR); or, for nets with fork layers real Caffe lacks, with OpenCV dnn 4.6 (--opencv, "
                + "in a child process; not for nets with Axpy, which OpenCV computes wrongly). Prints each blob's max "
                + "absolute error and relative L-infinity error max|a-b|/max|b|, and a verdict; exits 1 when some "
                + "blob exceeds the tolerance."},
        footer = {"", "Examples:",
            "  senet4j verify SE-ResNet-50.prototxt SE-ResNet-50.caffemodel --caffe --batch 2",
            "  senet4j verify net.prototxt net.caffemodel --reference ref/ --json",
            "  senet4j verify shufflenet_v2.prototxt shufflenet_v2.caffemodel --opencv --batch 2",
            "  senet4j verify SE-ResNet-50.prototxt SE-ResNet-50.caffemodel --caffe --svg errors.svg",
            "  senet4j verify SE-ResNet-152.prototxt SE-ResNet-152.caffemodel --caffe --bf16-weights"})
final class VerifyCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Oracle oracle;

    static final class Oracle {
        @Option(names = "--caffe", required = true, description = "Run real Caffe now (child JVM).")
        boolean caffe;

        @Option(names = "--reference", required = true, paramLabel = "DIR",
                description = "A reference set from tools/caffe-reference.")
        Path reference;

        @Option(names = "--opencv", required = true,
                description = "Run OpenCV dnn 4.6 now (child JVM), for fork layers real Caffe lacks; each blob is read "
                        + "from the layer that last wrote it. Refused for nets with Axpy.")
        boolean opencv;
    }

    @Mixin
    EngineOptionsMixin engine;

    @Option(names = "--batch", defaultValue = "0", paramLabel = "N",
            description = "Batch size for --caffe and --opencv (default: the prototxt's).")
    int batch;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
            description = "Input seed for --caffe and --opencv.")
    long seed;

    @Option(names = "--tolerance", paramLabel = "T",
            description = "Largest relative L-infinity error that passes (default: 1e-4 in fp32, 5e-3 in tf32, 2e-2 "
                    + "in fp16 and bf16).")
    Double tolerance;

    @Option(names = "--top1", description = "Also require the reference's top-1 class for every input in each N x K "
            + "output blob (class scores).")
    boolean top1;

    @Option(names = "--bf16-weights", description = "Round to bf16 the weights that a bf16 CPU plan stores in bf16 "
            + "(convolutions and inner products on feature maps, after the passes) and run at --precision: in fp32, "
            + "what the weights' rounding alone costs. The default tolerance is then bf16's (2e-2).")
    boolean bf16Weights;

    @Option(names = "--json", description = "Print JSON: {\"blobs\":[...],\"pass\":bool}.")
    boolean json;

    @Option(names = "--svg", paramLabel = "OUT.svg",
            description = "Also plot each blob's relative error (log scale) along the depth of the network, with "
                    + "the tolerance, to OUT.svg.")
    Path svg;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        LoadedModel m = model.load(spec, true);
        Path tmp = null;
        ReferenceSet ref;
        try {
            if (oracle.caffe && model.isNative()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--caffe runs real Caffe on the "
                        + "prototxt and caffemodel; verify a native file with --reference DIR");
            }
            if (oracle.opencv) {
                tmp = Files.createTempDirectory("senet4j-verify-");
                ref = openCvReference(m.graph(), tmp);
            } else if (oracle.caffe) {
                if (batch < 0) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be positive");
                }
                tmp = Files.createTempDirectory("senet4j-verify-");
                Map<String, List<Integer>> shapes = new LinkedHashMap<>();
                model.inputShapes(spec).forEach((name, shape) -> shapes.put(name,
                        java.util.Arrays.stream(shape.dims()).boxed().toList()));
                CaffeOracle.makeReference(model.model, tmp, model.weights, 1, batch, InputDistribution.NORMAL, seed,
                        engine.threads, CaffeOracle.Options.defaults().withInputShapes(shapes));
                ref = ReferenceSet.read(tmp);
            } else {
                ref = ReferenceSet.read(oracle.reference);
            }
            Graph g = m.graph();
            int n = Verifier.inputs(ref, g).values().iterator().next().shape().dim(0);
            VerifyReport report;
            Graph prepared = engine.optimize(g.withBatchSize(n));
            if (bf16Weights) {
                prepared = new RoundWeightsToBf16().apply(prepared);
            }
            Precision bar = bf16Weights ? Precision.BF16 : engine.options().precision();
            try (Engine e = engine.createOptimized(prepared)) {
                report = Verifier.verify(e, ref, tolerance != null ? tolerance : bar.defaultTolerance(), top1);
            }
            print(report);
            if (svg != null) {
                org.senet4j.svg.Svg.write(svg, org.senet4j.svg.ErrorPlotSvg.render(model.model.getFileName()
                        .toString(), report.blobs(), report.tolerance()));
                spec.commandLine().getErr().println("wrote " + svg + " (" + report.blobs().size() + " blobs)");
                spec.commandLine().getErr().flush();
            }
            return report.pass() ? ExitCode.OK : ExitCode.CHECK_FAILED;
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /** Runs OpenCV on seeded inputs of the graph's input shapes (batch replaced by --batch) in {@code dir}. */
    private ReferenceSet openCvReference(Graph g, Path dir) throws Exception {
        if (model.isNative()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--opencv runs OpenCV on the prototxt and "
                    + "caffemodel; verify a native file with --reference DIR");
        }
        if (model.weights == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--opencv needs the caffemodel (WEIGHTS)");
        }
        if (batch < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be positive");
        }
        java.util.Optional<String> refused = OpenCvOracle.refusal(OpenCvOracle.read(model.model));
        if (refused.isPresent()) {
            throw new UserFacingException(ExitCode.USAGE, "--opencv: " + model.model + ": " + refused.get());
        }
        Map<String, org.senet4j.ir.Shape> shapes = new LinkedHashMap<>();
        for (String in : g.inputs()) {
            org.senet4j.ir.Shape s = g.shape(in);
            shapes.put(in, batch > 0 && s.rank() > 0 ? s.with(0, batch) : s);
        }
        OpenCvOracle.Result r = OpenCvOracle.makeReference(model.model, model.weights, dir, shapes,
                InputDistribution.NORMAL, seed, OpenCvOracle.DEFAULT_TIMEOUT);
        return new ReferenceSet(r.dir(), r.inputs(), r.blobs());
    }

    private void print(VerifyReport r) {
        var out = spec.commandLine().getOut();
        if (json) {
            List<Object> blobs = new ArrayList<>();
            for (BlobResult b : r.blobs()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("name", b.name());
                o.put("shape", b.shape().dims());
                o.put("maxAbsError", b.maxAbsError());
                o.put("relError", b.relError());
                o.put("pass", b.pass());
                if (!b.note().isEmpty()) {
                    o.put("note", b.note());
                }
                blobs.add(o);
            }
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("blobs", blobs);
            root.put("pass", r.pass());
            out.println(Json.write(root));
            out.flush();
            return;
        }
        int w = Math.max(4, r.blobs().stream().mapToInt(b -> b.name().length()).max().orElse(4));
        int sw = Math.max(5, r.blobs().stream().mapToInt(b -> b.shape().toString().length()).max().orElse(5));
        out.printf(Locale.ROOT, "%-" + w + "s  %-" + sw + "s  %12s  %12s  %s%n", "blob", "shape", "max abs err",
                "rel err", "result");
        for (BlobResult b : r.blobs()) {
            out.printf(Locale.ROOT, "%-" + w + "s  %-" + sw + "s  %12.3e  %12.3e  %s%s%n", b.name(), b.shape(),
                    b.maxAbsError(), b.relError(), b.pass() ? "pass" : "FAIL", b.note().isEmpty() ? ""
                            : " (" + b.note() + ")");
        }
        if (!r.skipped().isEmpty()) {
            out.printf(Locale.ROOT, "%d reference blobs not compared (Caffe's split copies, values removed by "
                    + "passes)%n", r.skipped().size());
        }
        long failed = r.blobs().stream().filter(b -> !b.pass()).count();
        out.printf(Locale.ROOT, "%s: %d blobs compared, %d failed, worst relative error %.3e (tolerance %.1e)%n",
                r.pass() ? "PASS" : "FAIL", r.blobs().size(), failed, r.worstRelError(), r.tolerance());
        out.flush();
    }

    private static void deleteTree(Path p) {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (java.io.IOException e) {
            // best effort: a temporary directory
        }
    }
}
