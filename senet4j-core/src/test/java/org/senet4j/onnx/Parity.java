package org.senet4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.passes.Passes;

/**
 * The parity check of the exporter tests: export a graph with folding on and off, with and without every intermediate
 * value as output, run it in ONNX Runtime at several batch sizes on one exported model, and compare every output with
 * {@link CaffeReference} (relative L-infinity error) and its shape with the IR.
 */
final class Parity {
    static final double TOL = 1e-5;

    private Parity() {
    }

    static Graph check(Path dir, String prototxt, long seed, int... batches) throws Exception {
        Graph g = OrtSupport.load(dir, prototxt, seed, 1.7f);
        check(g, seed, batches);
        return g;
    }

    static void check(Graph g, long seed, int... batches) throws Exception {
        Map<String, float[]> finals = new HashMap<>();
        for (boolean fold : new boolean[] {true, false}) {
            for (boolean expose : new boolean[] {true, false}) {
                ExportOptions o = ExportOptions.DEFAULT.withFold(fold).withExposeAll(expose);
                byte[] model = OnnxExporter.export(g, o);
                Graph exported = fold ? Passes.optimize(g, List.of()) : g;
                try (OrtSession s = OrtSupport.session(model, 1)) {
                    for (int batch : batches) {
                        String what = g.name() + " (fold " + fold + ", expose " + expose + ", batch " + batch + ")";
                        Graph gb = g.withBatchSize(batch);
                        Graph eb = exported.withBatchSize(batch);
                        Map<String, float[]> in = new LinkedHashMap<>();
                        Map<String, Shape> shapes = new LinkedHashMap<>();
                        for (String i : gb.inputs()) {
                            in.put(i, OrtSupport.uniform(gb.shape(i).count(), seed + 31L * batch + i.hashCode()));
                            shapes.put(i, gb.shape(i));
                        }
                        Map<String, float[]> ref = CaffeReference.run(gb, in);
                        OrtSupport.Outputs r = OrtSupport.run(s, in, shapes, null);
                        Set<String> expected = new LinkedHashSet<>(eb.outputs());
                        if (expose) {
                            expected.addAll(eb.values().keySet());
                            expected.removeAll(eb.inputs());
                        }
                        assertEquals(expected, r.values().keySet(), what + ": outputs");
                        for (String out : expected) {
                            OrtSupport.assertShape(eb.shape(out), r.shapes().get(out), what + " " + out);
                            OrtSupport.assertClose(r.values().get(out), ref.get(out), TOL, what + " " + out);
                        }
                        for (String out : eb.outputs()) {
                            float[] prev = finals.putIfAbsent(batch + "/" + out, r.values().get(out));
                            if (prev != null) {
                                OrtSupport.assertClose(r.values().get(out), prev, TOL, what + " " + out
                                        + " against the other export");
                            }
                        }
                    }
                }
            }
        }
    }
}
