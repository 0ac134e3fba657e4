package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.DetectionRows;
import org.senet4j.verify.BlobResult;
import org.senet4j.verify.ReferenceSet;

/**
 * A CUDA plan run under the {@link PlanEmulator} against expected blobs: every expected blob that the plan's graph
 * has (blob names resolved as Caffe's, in-place versions included) and that the plan keeps (not fused away) is
 * compared, as float32 in logical order.
 *
 * @param values   what the plan computed, by graph value name
 * @param compared the blobs compared
 * @param failed   the comparisons over the tolerance
 * @param worst    the worst relative error seen
 */
record EmulatedParity(Map<String, float[]> values, List<String> compared, List<String> failed, double worst) {

    /** Compares with {@code expected} (blob name to value). */
    static EmulatedParity run(PlanSpec spec, Map<String, HostTensor> in, Map<String, HostTensor> expected,
                              double tol) {
        return run(spec, in, expected, tol, List.of(), List.of());
    }

    /**
     * Compares with {@code expected}, the blobs of {@code detectionRows} cut to their real rows first, as the engine
     * cuts them ({@link DetectionRows}), and those of {@code boundedRows} (rows under a static bound, such as the
     * proposals and the values computed from them) cut to the expected blob's rows.
     */
    static EmulatedParity run(PlanSpec spec, Map<String, HostTensor> in, Map<String, HostTensor> expected,
                              double tol, Collection<String> detectionRows, Collection<String> boundedRows) {
        Graph g = spec.graph;
        Map<String, float[]> values = new HashMap<>();
        values.putAll(new PlanEmulator(spec).run(in, values::put));
        List<String> compared = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        double worst = 0;
        for (Map.Entry<String, HostTensor> e : expected.entrySet()) {
            float[] ours;
            try {
                ours = values.get(g.resolve(e.getKey()));
            } catch (IllegalArgumentException notInGraph) {
                continue;
            }
            if (ours == null) {
                continue;
            }
            if (detectionRows.contains(e.getKey())) {
                ours = Arrays.copyOf(ours, 7 * DetectionRows.rows(ours));
            } else if (boundedRows.contains(e.getKey())) {
                ours = Arrays.copyOf(ours, Math.min(ours.length, e.getValue().data().length));
            }
            BlobResult c = BlobResult.compare(e.getKey(), e.getValue().shape(), ours, e.getValue().data(), tol);
            compared.add(e.getKey());
            worst = Math.max(worst, c.relError());
            if (!c.pass()) {
                failed.add(c.toString());
            }
        }
        return new EmulatedParity(values, compared, failed, worst);
    }

    /** Compares with every blob of a reference set. */
    static EmulatedParity run(PlanSpec spec, Map<String, HostTensor> in, ReferenceSet ref, double tol)
            throws Exception {
        Map<String, HostTensor> expected = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : ref.blobs().entrySet()) {
            Npy.NpyArray a = Npy.read(e.getValue());
            expected.put(e.getKey(), new HostTensor(Shape.of(a.shape()), a.data()));
        }
        return run(spec, in, expected, tol);
    }

    /** Compares {@code blobs} with the reference engine's run of {@code g} (the graph the plan was made from). */
    static EmulatedParity run(PlanSpec spec, Graph g, Map<String, HostTensor> in, List<String> blobs, double tol)
            throws Exception {
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            return run(spec, in, e.run(in, blobs), tol);
        }
    }

    /** Asserts that nothing failed and that every blob of {@code required} was compared. */
    EmulatedParity assertPass(String what, Collection<String> required) {
        assertTrue(failed.isEmpty(), what + ": " + failed);
        assertTrue(compared.containsAll(required), what + ": compared only " + compared + ", not all of " + required);
        return this;
    }

    /** Asserts that nothing failed and that at least {@code minCompared} blobs were compared. */
    EmulatedParity assertPass(String what, int minCompared) {
        assertTrue(failed.isEmpty(), what + ": " + failed);
        assertTrue(compared.size() >= minCompared, what + ": compared only " + compared);
        return this;
    }
}
