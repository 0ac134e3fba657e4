package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.onnx.ExportOptions;
import org.senet4j.onnx.OnnxExporter;
import org.senet4j.passes.Passes;

/**
 * Checks one graph against one reference set on every backend a layer must be proven on: the reference engine and the
 * CPU engine, each with the inference passes on and off, and ONNX Runtime running the export with folding on and
 * off. Every blob the reference holds and the backend exposes is compared in place (relative L-infinity error).
 */
final class BackendParity {
    static final double TOLERANCE = 1e-4;

    /** The engines every layer is proven on. */
    static final List<String> DEVICES = List.of("reference", "cpu");
    private static final ReportCheck NONE = (label, engine, report) -> { };

    private final Path dir;
    private final Map<String, Double> worst = new TreeMap<>();

    /** @param dir a scratch directory for the ONNX files */
    BackendParity(Path dir) {
        this.dir = dir;
    }

    /** The worst relative error seen so far, by label ({@code what backend}). */
    Map<String, Double> worst() {
        return worst;
    }

    /** A test's own condition on each engine and its report (after its blobs passed), e.g. which blobs it compared. */
    @FunctionalInterface
    interface ReportCheck {
        void check(String label, Engine engine, VerifyReport report) throws Exception;
    }

    /**
     * Asserts that every backend matches {@code ref} within {@link #TOLERANCE} on every blob, comparing at least
     * {@code minBlobs} of them (ONNX exposes one fewer: the graph input is not an output).
     */
    void check(String what, Graph g0, ReferenceSet ref, int minBlobs) throws Exception {
        check(what, g0, ref, minBlobs, DEVICES, true, true, NONE);
    }

    /** As {@link #check(String, Graph, ReferenceSet, int)}, with ONNX Runtime only when {@code onnx}. */
    void check(String what, Graph g0, ReferenceSet ref, int minBlobs, boolean onnx) throws Exception {
        check(what, g0, ref, minBlobs, DEVICES, onnx, true, NONE);
    }

    /** As {@link #check(String, Graph, ReferenceSet, int)}, also running {@code extra} on each engine's report. */
    void check(String what, Graph g0, ReferenceSet ref, int minBlobs, ReportCheck extra) throws Exception {
        check(what, g0, ref, minBlobs, DEVICES, true, true, extra);
    }

    /**
     * As {@link #check(String, Graph, ReferenceSet, int)} on the given engines only, ONNX Runtime only with
     * {@code withOnnx}, and with the passes off and ONNX folding off as well only when {@code bothWays} (large nets:
     * the passes on, folding on).
     */
    void check(String what, Graph g0, ReferenceSet ref, int minBlobs, List<String> devices, boolean withOnnx,
               boolean bothWays) throws Exception {
        check(what, g0, ref, minBlobs, devices, withOnnx, bothWays, NONE);
    }

    /** The general form: given engines, ONNX Runtime or not, both pass settings or not, a check per report. */
    void check(String what, Graph g0, ReferenceSet ref, int minBlobs, List<String> devices, boolean withOnnx,
               boolean bothWays, ReportCheck extra) throws Exception {
        int batch = Npy.read(ref.inputs().values().iterator().next()).shape()[0];
        Graph g = g0.withBatchSize(batch);
        List<List<String>> passSettings = bothWays ? List.of(List.of(), List.of("all")) : List.of(List.of());
        for (String device : devices) {
            for (List<String> disabled : passSettings) {
                try (Engine e = Engines.create(device, Passes.optimize(g, disabled), EngineOptions.DEFAULT)) {
                    VerifyReport r = Verifier.verify(e, ref, TOLERANCE);
                    String label = what + " " + device + " passes " + (disabled.isEmpty() ? "on" : "off") + " b"
                            + batch;
                    assertTrue(r.pass(), label + ": " + r.blobs().stream().filter(b -> !b.pass())
                            .map(BlobResult::toString).toList());
                    assertTrue(r.blobs().size() >= minBlobs, label + ": compared " + r.blobs().size());
                    extra.check(label, e, r);
                    worst.merge(what + " " + device, r.worstRelError(), Math::max);
                }
            }
        }
        boolean[] folds = !withOnnx ? new boolean[0] : bothWays ? new boolean[] {true, false} : new boolean[] {true};
        for (boolean fold : folds) {
            Path onnx = dir.resolve("parity.onnx");
            OnnxExporter.write(g0, ExportOptions.defaults().withFold(fold).withExposeAll(true), onnx);
            try (OrtRunner ort = new OrtRunner(onnx)) {
                Map<String, HostTensor> in = Verifier.inputs(ref, g);
                Set<String> wanted = new HashSet<>(ref.blobs().keySet());
                wanted.retainAll(ort.outputNames());
                assertTrue(wanted.size() >= minBlobs - 1, what + " onnx: " + wanted);
                Map<String, HostTensor> out = ort.run(in, wanted);
                List<String> failed = new ArrayList<>();
                for (String blob : wanted) {
                    Npy.NpyArray r = Npy.read(ref.blobs().get(blob));
                    assertEquals(Shape.of(r.shape()), out.get(blob).shape(), what + " onnx " + blob);
                    BlobResult c = BlobResult.compare(blob, out.get(blob).shape(), out.get(blob).data(), r.data(),
                            TOLERANCE);
                    if (!c.pass()) {
                        failed.add(c.toString());
                    }
                    worst.merge(what + " onnx", c.relError(), Math::max);
                }
                assertTrue(failed.isEmpty(), what + " onnx fold " + fold + " b" + batch + ": " + failed);
            } finally {
                Files.deleteIfExists(onnx);
            }
        }
    }

    /**
     * A reference set computed by the reference engine, for layers real Caffe lacks or cannot run on the CPU (the
     * reference engine's kernels are themselves proven by hand-computed cases in senet4j-core).
     */
    ReferenceSet fromReferenceEngine(String name, Graph g, Map<String, HostTensor> inputs, List<String> blobs)
            throws Exception {
        Path refDir = Files.createDirectories(dir.resolve(name));
        Map<String, Path> inputFiles = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
            Path f = refDir.resolve(e.getKey() + ".input.npy");
            Npy.write(f, e.getValue().shape().dims(), e.getValue().data());
            inputFiles.put(e.getKey(), f);
        }
        Map<String, HostTensor> expected;
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            expected = e.run(inputs, blobs);
        }
        Map<String, Path> files = new LinkedHashMap<>();
        for (String b : blobs) {
            Path f = refDir.resolve(b + ".npy");
            Npy.write(f, expected.get(b).shape().dims(), expected.get(b).data());
            files.put(b, f);
        }
        return new ReferenceSet(refDir, inputFiles, files);
    }
}
