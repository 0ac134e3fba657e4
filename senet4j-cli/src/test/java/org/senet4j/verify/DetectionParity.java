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
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.DetectionRows;
import org.senet4j.onnx.ExportOptions;
import org.senet4j.onnx.OnnxExporter;
import org.senet4j.passes.Passes;
import org.senet4j.verify.caffe.ForkCaffe;

/**
 * Checks a detection net against a run of the fork: every blob both sides have (relative L-infinity error, 1e-4) and,
 * for each DetectionOutput, the detections themselves: the same number of rows, each row of the fork matched by one
 * of ours with the same image and label, score and box coordinates within 1e-4 (absolute; they are probabilities and
 * normalised coordinates), at the same position or, among scores within 1e-4 of each other (which float noise may
 * reorder), near it. Backends: the reference and CPU engines with the passes on and off, ONNX Runtime on the export with folding
 * on and off.
 */
final class DetectionParity {
    static final double TOLERANCE = 1e-4;

    /** How ONNX Runtime's detections are compared. */
    enum Onnx {
        /** Row for row, as the engines. */
        EXACT,
        /**
         * The same scores per image: keep_top_k among tied scores (the fork's unstable std::sort) may keep other
         * boxes in the export, which sorts stably.
         */
        SAME_SCORES,
        /** Not exported (the caller checks the refusal). */
        NONE
    }

    private final Path dir;
    private final Map<String, Double> worst = new TreeMap<>();
    private int rows;
    private int reordered;

    DetectionParity(Path dir) {
        this.dir = dir;
    }

    Map<String, Double> worst() {
        return worst;
    }

    /** Detection rows compared so far, over every backend. */
    int rows() {
        return rows;
    }

    static Path forkHome() {
        return org.senet4j.TestData.requireShared("fork-caffe/bin/caffe-run").getParent().getParent();
    }

    static ReferenceSet reference(ForkCaffe.Result r) {
        return new ReferenceSet(r.dir(), r.inputs(), r.blobs());
    }

    /** The values of the graph that detection-rows nodes (DetectionOutput, the YOLO heads) write, as blob names. */
    static List<String> detectionBlobs(Graph g) {
        List<String> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof DetectionRows) {
                out.add(g.value(n.outputs().get(0)).blob());
            }
        }
        return out;
    }

    /**
     * The engines: reference and CPU, passes on and off; with {@code quick} the reference engine (the slowest, proven
     * on the layer nets) only at batch 1 with the passes on.
     */
    void engines(String what, Graph g0, ReferenceSet ref, int minBlobs, boolean quick) throws Exception {
        int batch = Npy.read(ref.inputs().values().iterator().next()).shape()[0];
        Graph g = g0.withBatchSize(batch);
        List<String> dets = detectionBlobs(g);
        for (String device : List.of("reference", "cpu")) {
            for (List<String> disabled : List.of(List.<String>of(), List.of("all"))) {
                if (quick && device.equals("reference") && (!disabled.isEmpty() || batch > 1)) {
                    continue;
                }
                String label = what + " " + device + " passes " + (disabled.isEmpty() ? "on" : "off") + " b" + batch;
                try (Engine e = Engines.create(device, Passes.optimize(g, disabled), EngineOptions.DEFAULT)) {
                    VerifyReport r = Verifier.verify(e, ref, TOLERANCE);
                    List<String> failed = r.blobs().stream().filter(b -> !b.pass() && !dets.contains(b.name()))
                            .map(BlobResult::toString).toList();
                    assertTrue(failed.isEmpty(), label + ": " + failed);
                    assertTrue(r.blobs().size() >= minBlobs, label + ": compared " + r.blobs().size());
                    worst.merge(what + " " + device, r.blobs().stream().filter(b -> !dets.contains(b.name()))
                            .mapToDouble(BlobResult::relError).max().orElse(0), Math::max);
                    Map<String, HostTensor> out = e.run(Verifier.inputs(ref, g), dets);
                    for (String d : dets) {
                        worst.merge(what + " " + device + " detections", compareRows(label + " " + d,
                                Npy.read(ref.blobs().get(d)), out.get(d), true), Math::max);
                    }
                }
            }
        }
    }

    /** ONNX Runtime on the export, folding on and off: every exposed blob, then the detections. */
    void onnx(String what, Graph g0, ReferenceSet ref, int minBlobs, Onnx mode) throws Exception {
        if (mode == Onnx.NONE) {
            return;
        }
        int batch = Npy.read(ref.inputs().values().iterator().next()).shape()[0];
        Graph g = g0.withBatchSize(batch);
        Set<String> dets = new HashSet<>(detectionBlobs(g));
        for (boolean fold : new boolean[] {true, false}) {
            Path onnx = dir.resolve("parity.onnx");
            OnnxExporter.write(g0, ExportOptions.defaults().withFold(fold).withExposeAll(true), onnx);
            String label = what + " onnx fold " + fold + " b" + batch;
            try (OrtRunner ort = new OrtRunner(onnx)) {
                Map<String, HostTensor> in = Verifier.inputs(ref, g);
                Set<String> wanted = new HashSet<>(ref.blobs().keySet());
                wanted.retainAll(ort.outputNames());
                assertTrue(wanted.size() >= minBlobs - 1, label + ": " + wanted);
                Map<String, HostTensor> out = ort.run(in, wanted);
                List<String> failed = new ArrayList<>();
                for (String blob : wanted) {
                    Npy.NpyArray r = Npy.read(ref.blobs().get(blob));
                    if (dets.contains(blob)) {
                        worst.merge(what + " onnx detections", compareRows(label + " " + blob, r, out.get(blob),
                                mode == Onnx.EXACT), Math::max);
                        continue;
                    }
                    assertEquals(Shape.of(r.shape()), out.get(blob).shape(), label + " " + blob);
                    BlobResult c = BlobResult.compare(blob, out.get(blob).shape(), out.get(blob).data(), r.data(),
                            TOLERANCE);
                    if (!c.pass()) {
                        failed.add(c.toString());
                    }
                    worst.merge(what + " onnx", c.relError(), Math::max);
                }
                assertTrue(failed.isEmpty(), label + ": " + failed);
                assertTrue(wanted.containsAll(dets), label + ": detections not exposed");
            } finally {
                Files.deleteIfExists(onnx);
            }
        }
    }

    /**
     * A net whose detection head has no ONNX form: the export is refused naming the head, its type and the
     * {@code convert --outputs} cut before it; the graph cut there exports and matches on every blob it has.
     */
    void onnxRefusedThenCut(String what, Graph g, ReferenceSet ref, int minBlobs) throws Exception {
        Node head = g.nodes().stream().filter(x -> x.op() instanceof DetectionRows).findFirst().orElseThrow();
        org.senet4j.ModelException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.senet4j.ModelException.class, () -> OnnxExporter.export(g, ExportOptions.DEFAULT));
        assertTrue(e.getMessage().contains("\"" + head.name() + "\"") && e.getMessage().contains(head.type())
                && e.getMessage().contains("--outputs " + String.join(",", head.inputs())), e.getMessage());
        onnx(what + " cut", org.senet4j.ir.GraphCut.upTo(g, head.inputs()), ref, minBlobs, Onnx.EXACT);
    }

    /**
     * The fork's rows against ours; returns the largest absolute difference of a score or coordinate.
     *
     * @param inOrder row for row; otherwise the same count and the same sorted scores per image
     */
    double compareRows(String what, Npy.NpyArray fork, HostTensor ours, boolean inOrder) {
        assertEquals(Shape.of(fork.shape()), ours.shape(), what + ": rows");
        float[] f = fork.data();
        float[] o = ours.data();
        int k = f.length / 7;
        double worstDiff = 0;
        if (!inOrder) {
            assertEquals(scores(f, k).keySet(), scores(o, k).keySet(), what + ": images");
            Map<Integer, List<Float>> fs = scores(f, k);
            Map<Integer, List<Float>> os = scores(o, k);
            for (int image : fs.keySet()) {
                for (int i = 0; i < fs.get(image).size(); i++) {
                    double d = Math.abs(fs.get(image).get(i) - os.get(image).get(i));
                    assertTrue(d <= TOLERANCE, what + ": image " + image + " score " + i);
                    worstDiff = Math.max(worstDiff, d);
                }
            }
            rows += k;
            return worstDiff;
        }
        boolean[] used = new boolean[k];
        for (int i = 0; i < k; i++) {
            // the fork's row i, or a row of ours near it with the same image and label whose score is within the
            // tolerance (float noise may reorder scores that close), with the box within the tolerance
            int match = -1;
            for (int c = 0; c < k && match < 0; c++) {
                int cand = c % 2 == 0 ? i + c / 2 : i - (c + 1) / 2;
                if (cand >= 0 && cand < k && !used[cand] && sameRow(f, i, o, cand)) {
                    match = cand;
                }
            }
            assertTrue(match >= 0, what + " row " + i + ": the fork's " + rowText(f, i) + " has no match; ours "
                    + rowText(o, i));
            used[match] = true;
            if (match != i) {
                reordered++;
            }
            for (int j = 2; j < 7; j++) {
                worstDiff = Math.max(worstDiff, Math.abs((double) o[7 * match + j] - f[7 * i + j]));
            }
        }
        rows += k;
        return worstDiff;
    }

    private static boolean sameRow(float[] f, int i, float[] o, int j) {
        if (f[7 * i] != o[7 * j] || f[7 * i + 1] != o[7 * j + 1]) {
            return false;
        }
        for (int c = 2; c < 7; c++) {
            if (!(Math.abs((double) f[7 * i + c] - o[7 * j + c]) <= TOLERANCE)) {
                return false;
            }
        }
        return true;
    }

    /** Rows matched at another position than the fork's (near-tied scores in another order), so far. */
    int reordered() {
        return reordered;
    }

    private static String rowText(float[] v, int i) {
        return java.util.Arrays.toString(java.util.Arrays.copyOfRange(v, 7 * i, 7 * i + 7));
    }

    private static Map<Integer, List<Float>> scores(float[] rows, int k) {
        Map<Integer, List<Float>> m = new TreeMap<>();
        for (int i = 0; i < k; i++) {
            m.computeIfAbsent((int) rows[7 * i], x -> new ArrayList<>()).add(rows[7 * i + 2]);
        }
        m.values().forEach(java.util.Collections::sort);
        return m;
    }

    /**
     * What a test class's detection checks add up to, printed once after them: the worst errors by label, the fork's
     * detection counts by net and batch, and the detection rows compared (and how many matched next to their position).
     */
    static final class Totals {
        private final String test;
        private final Map<String, Double> worst = new TreeMap<>();
        private final Map<String, String> found = new TreeMap<>();
        private int rows;
        private int reordered;

        /** @param test the test class's name, which starts each report line */
        Totals(String test) {
            this.test = test;
        }

        /** Adds one net's checks: its worst errors, its rows compared and reordered. */
        void add(DetectionParity parity) {
            worst.putAll(parity.worst());
            rows += parity.rows();
            reordered += parity.reordered();
        }

        /** Records that the fork found {@code n} detections in {@code name} at this batch size. */
        void found(String name, int batch, int n) {
            found.merge(name, "b" + batch + ": " + n, (a, b) -> a + ", " + b);
        }

        void print() {
            System.out.println(test + " worst relative errors (detections: absolute): " + worst);
            System.out.println(test + " detections found by the fork: " + found + "; " + rows
                    + " detection rows compared, " + reordered + " of them matched next to their position (near-tied "
                    + "scores)");
        }
    }

    /** Rows that are detections (not the empty-result rows), in a fork blob. */
    static int detections(Npy.NpyArray fork) {
        float[] f = fork.data();
        int n = 0;
        for (int i = 0; i < f.length / 7; i++) {
            if (f[7 * i + 1] >= 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * The fork on a layer net: a uniform random input {@code data} of {@code shape} at this batch size (seeded by
     * it), the weights given or, when null, the fork's fillers seeded with 1234 (saved for the next run).
     */
    ForkCaffe.Result forkRun(String name, Path proto, Path weights, int[] shape, int batch) throws Exception {
        int[] s = shape.clone();
        s[0] = batch;
        Path in = input(dir, name + "_b" + batch, s, 7 + batch);
        return ForkCaffe.forward(forkHome(), proto, weights, 1234, inputs("data", in),
                dir.resolve(name + "_out" + batch), java.time.Duration.ofMinutes(5));
    }

    /** Writes a uniform random input of this shape. */
    static Path input(Path dir, String name, int[] shape, long seed) throws java.io.IOException {
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        float[] x = new float[(int) count];
        InputDistribution.UNIFORM.fill(seed, x);
        Path p = dir.resolve(name + ".npy");
        Npy.write(p, shape, x);
        return p;
    }

    static Map<String, Path> inputs(String name, Path file) {
        Map<String, Path> m = new LinkedHashMap<>();
        m.put(name, file);
        return m;
    }
}
