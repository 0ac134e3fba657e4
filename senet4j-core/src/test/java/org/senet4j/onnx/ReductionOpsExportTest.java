package org.senet4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.ArgMax;

/**
 * ArgMax (TopK on the reversed axis, so that ties keep Caffe's larger-index-first order), Reduction (ReduceSum,
 * ReduceL1, ReduceSumSquare, ReduceMean, axes as attribute before opset 18 and as input from it) and Tile in ONNX
 * Runtime against the reference kernels: every opset the exporter writes, batch 1 and 3 on one model (an ArgMax over
 * the batch axis too), ArgMax outputs bit for bit. A ReLU (half the values 0) and a constant Power (every value
 * equal) give ties.
 */
class ReductionOpsExportTest {
    @TempDir
    Path dir;

    static final String NET = """
            name: "reductions"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 dim: 5 dim: 3 } } }
            layer { name: "relu" type: "ReLU" bottom: "data" top: "relu" }
            layer { name: "flat" type: "Power" bottom: "data" top: "flat" power_param { scale: 0 shift: 1.5 } }
            layer { name: "am_top" type: "ArgMax" bottom: "data" top: "am_top" argmax_param { top_k: 7 } }
            layer { name: "am_val" type: "ArgMax" bottom: "relu" top: "am_val" argmax_param { top_k: 40 out_max_val: true } }
            layer { name: "am_flat" type: "ArgMax" bottom: "flat" top: "am_flat" argmax_param { top_k: 5 out_max_val: true } }
            layer { name: "am_c" type: "ArgMax" bottom: "relu" top: "am_c" argmax_param { top_k: 3 axis: 1 } }
            layer { name: "am_cv" type: "ArgMax" bottom: "relu" top: "am_cv" argmax_param { top_k: 2 axis: 2 out_max_val: true } }
            layer { name: "am_last" type: "ArgMax" bottom: "flat" top: "am_last" argmax_param { top_k: 3 axis: -1 } }
            layer { name: "am_n" type: "ArgMax" bottom: "relu" top: "am_n" argmax_param { axis: 0 } }
            layer { name: "sum" type: "Reduction" bottom: "data" top: "sum" reduction_param { operation: SUM axis: 2 coeff: -1.5 } }
            layer { name: "asum" type: "Reduction" bottom: "data" top: "asum" reduction_param { operation: ASUM axis: 1 } }
            layer { name: "sumsq" type: "Reduction" bottom: "data" top: "sumsq" reduction_param { operation: SUMSQ axis: 2 coeff: 0.25 } }
            layer { name: "mean" type: "Reduction" bottom: "data" top: "mean" reduction_param { operation: MEAN axis: 3 coeff: 2 } }
            layer { name: "all" type: "Reduction" bottom: "data" top: "all" reduction_param { operation: MEAN } }
            layer { name: "tile1" type: "Tile" bottom: "data" top: "tile1" tile_param { tiles: 3 } }
            layer { name: "tile2" type: "Tile" bottom: "relu" top: "tile2" tile_param { axis: 2 tiles: 2 } }
            """;

    @Test
    void foldingExposingAndBatchSizes() throws Exception {
        Parity.check(dir, NET, 5, 1, 3);
    }

    @Test
    void everyOpsetGivesCaffesValuesAndArgMaxOrderExactly() throws Exception {
        Graph g = OrtSupport.load(dir, NET, 5, 1f);
        for (int opset = ExportOptions.MIN_OPSET; opset <= ExportOptions.MAX_OPSET; opset++) {
            byte[] model = OnnxExporter.export(g, ExportOptions.DEFAULT.withOpset(opset).withExposeAll(true));
            try (OrtSession s = OrtSupport.session(model, 1)) {
                for (int batch : new int[] {1, 3}) {
                    Graph gb = g.withBatchSize(batch);
                    Map<String, float[]> in = new LinkedHashMap<>();
                    in.put("data", OrtSupport.uniform(gb.shape("data").count(), 17L * batch + opset));
                    Map<String, float[]> ref = CaffeReference.run(gb, in);
                    OrtSupport.Outputs r = OrtSupport.run(s, in, Map.of("data", gb.shape("data")), null);
                    int argMaxes = 0;
                    for (Node n : gb.nodes()) {
                        if (n.inputs().isEmpty()) {
                            continue;
                        }
                        String v = n.outputs().get(0);
                        String what = "opset " + opset + " batch " + batch + " " + v;
                        OrtSupport.assertShape(gb.shape(v), r.shapes().get(v), what);
                        if (n.op() instanceof ArgMax) {
                            assertArrayEquals(ref.get(v), r.values().get(v), what);
                            argMaxes++;
                        } else {
                            OrtSupport.assertClose(r.values().get(v), ref.get(v), 1e-5, what);
                        }
                    }
                    assertTrue(argMaxes == 7, "ArgMax layers checked: " + argMaxes);
                }
            }
        }
    }

    @Test
    void tiesReallyOccur() throws Exception {
        Graph g = OrtSupport.load(dir, NET, 5, 1f);
        Map<String, float[]> ref = CaffeReference.run(g, Map.of("data", OrtSupport.uniform(60, 1)));
        // every value of "flat" is 1.5: Caffe ranks them from the last index down
        assertArrayEquals(new float[] {59, 58, 57, 56, 55, 1.5f, 1.5f, 1.5f, 1.5f, 1.5f}, ref.get("am_flat"));
        assertArrayEquals(Shape.of(1, 2, 5, 1).dims(), g.shape("am_flat").dims());
    }
}
