package org.senet4j.onnx;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.ir.Graph;

/**
 * Export time and ONNX Runtime latency of SE-ResNet-50 (batch 1, 2 intra-op threads, median of 10 runs after
 * warm-up). Runs only with {@code -Dsenet4j.bench=true} and ../shared present; prints its figures.
 */
class OnnxBenchmarkTest {
    @TempDir
    Path dir;

    @Test
    void seResNet50() throws Exception {
        assumeTrue(Boolean.getBoolean("senet4j.bench"), "benchmarks run with -Dsenet4j.bench=true");
        Path proto = TestData.requireShared("senet-models/SE-ResNet-50.prototxt");
        Graph g = OrtSupport.randomWeights(CaffeImporter.load(proto, null).graph(), 50, 1f);
        long t0 = System.nanoTime();
        byte[] model = OnnxExporter.export(g, ExportOptions.DEFAULT);
        double firstExport = (System.nanoTime() - t0) / 1e6;
        double[] exports = new double[5];
        for (int i = 0; i < exports.length; i++) {
            long t = System.nanoTime();
            OnnxExporter.export(g, ExportOptions.DEFAULT);
            exports[i] = (System.nanoTime() - t) / 1e6;
        }
        long tw = System.nanoTime();
        OnnxExporter.write(g, ExportOptions.DEFAULT, dir.resolve("se-resnet-50.onnx"));
        double write = (System.nanoTime() - tw) / 1e6;
        long ts = System.nanoTime();
        try (OrtSession s = OrtSupport.session(model, 2)) {
            double session = (System.nanoTime() - ts) / 1e6;
            float[] x = OrtSupport.uniform(g.shape("data").count(), 1);
            Map<String, float[]> in = Map.of("data", x);
            Map<String, org.senet4j.ir.Shape> shapes = Map.of("data", g.shape("data"));
            Set<String> out = Set.of(g.outputs().get(0));
            for (int i = 0; i < 5; i++) {
                OrtSupport.run(s, in, shapes, out);
            }
            double[] runs = new double[10];
            for (int i = 0; i < runs.length; i++) {
                long t = System.nanoTime();
                OrtSupport.run(s, in, shapes, out);
                runs[i] = (System.nanoTime() - t) / 1e6;
            }
            System.out.printf("BENCH SE-ResNet-50: model %.1f MB; export first %.0f ms, median of 5 %.0f ms; write %.0f"
                    + " ms; ORT session %.0f ms; ORT batch 1, 2 threads: median %.1f ms (min %.1f, max %.1f)%n",
                    model.length / 1e6, firstExport, median(exports), write, session, median(runs),
                    Arrays.stream(runs).min().orElseThrow(), Arrays.stream(runs).max().orElseThrow());
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
