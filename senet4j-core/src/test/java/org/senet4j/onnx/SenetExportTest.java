package org.senet4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.passes.Passes;

/**
 * The seven official SENet prototxts (from ../shared, skipped when absent) with seeded random, tame weights: ONNX
 * Runtime loads each export, gives N x 1000 for N = 1 and 2 from one model, and every intermediate value has the
 * shape of the IR. Two nets are also compared numerically, every value, with the plain-loop Caffe reference.
 */
class SenetExportTest {

    @ParameterizedTest
    @ValueSource(strings = {"SE-BN-Inception", "SE-ResNet-50", "SE-ResNet-101", "SE-ResNet-152", "SE-ResNeXt-50",
        "SE-ResNeXt-101", "SENet-154"})
    void officialSenetsRunInOnnxRuntime(String name) throws Exception {
        Path proto = TestData.requireShared("senet-models/" + name + ".prototxt");
        Graph g = OrtSupport.randomWeights(CaffeImporter.load(proto, null).graph(), name.hashCode(), 1f);
        byte[] model = OnnxExporter.export(g, ExportOptions.DEFAULT.withExposeAll(true));
        Graph folded = Passes.optimize(g, List.of());
        String out = folded.outputs().get(0);
        try (OrtSession s = OrtSupport.session(model, 2)) {
            for (int n : new int[] {1, 2}) {
                Graph gb = folded.withBatchSize(n);
                float[] x = OrtSupport.uniform(gb.shape("data").count(), n);
                Set<String> wanted = n == 1 ? Set.of(out) : null;
                OrtSupport.Outputs r = OrtSupport.run(s, Map.of("data", x), Map.of("data", gb.shape("data")), wanted,
                        Set.of(out));
                assertEquals(Shape.of(n, 1000), r.shapes().get(out), name);
                if (n == 2) {
                    assertEquals(gb.values().size() - 1, r.shapes().size(), name + ": every value is an output");
                    for (Map.Entry<String, Shape> e : r.shapes().entrySet()) {
                        OrtSupport.assertShape(gb.shape(e.getKey()), e.getValue(), name + " " + e.getKey());
                    }
                }
                float[] p = r.values().get(out);
                for (int i = 0; i < n; i++) {
                    double sum = 0;
                    for (int j = 0; j < 1000; j++) {
                        assertTrue(Float.isFinite(p[i * 1000 + j]), name);
                        sum += p[i * 1000 + j];
                    }
                    assertEquals(1.0, sum, 1e-4, name + ": softmax row " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"SE-BN-Inception", "SE-ResNeXt-50"})
    void smallerSenetsMatchTheReference(String name) throws Exception {
        Path proto = TestData.requireShared("senet-models/" + name + ".prototxt");
        Graph g = OrtSupport.randomWeights(CaffeImporter.load(proto, null).graph(), name.hashCode(), 1f);
        float[] x = OrtSupport.uniform(g.shape("data").count(), 7);
        Map<String, float[]> ref = CaffeReference.run(g, Map.of("data", x));
        for (boolean fold : new boolean[] {true, false}) {
            byte[] model = OnnxExporter.export(g, ExportOptions.DEFAULT.withFold(fold).withExposeAll(true));
            try (OrtSession s = OrtSupport.session(model, 2)) {
                OrtSupport.Outputs r = OrtSupport.run(s, Map.of("data", x), Map.of("data", g.shape("data")), null);
                for (Map.Entry<String, float[]> e : r.values().entrySet()) {
                    OrtSupport.assertClose(e.getValue(), ref.get(e.getKey()), Parity.TOL, name + " fold " + fold
                            + " " + e.getKey());
                }
                Graph exported = fold ? Passes.optimize(g, List.of()) : g;
                assertEquals(exported.values().size() - 1, r.values().size(), name + ": every value compared");
            }
        }
    }
}
