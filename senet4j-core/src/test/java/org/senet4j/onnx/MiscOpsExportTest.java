package org.senet4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.BatchReindex;
import org.senet4j.ir.op.Embed;
import org.senet4j.ir.op.Im2col;
import org.senet4j.ir.op.Parameter;

/**
 * Embed (Cast + Gather + Add), Parameter (an initializer), SPP (each level's exact pooling, Flatten, Concat; MAX, AVE
 * and STOCHASTIC, whose test-time formula real Caffe's CPU build lacks), Im2col
 * (a grouped Conv with a one-hot weight) and BatchReindex (Cast + Gather) in ONNX Runtime against the reference
 * kernels: every opset the exporter writes, batch 1 and 3 on one model, folding on and off. The lookups and Im2col
 * copy values, so they must match bit for bit; the index inputs hold integers (and a few non-integers, truncated as
 * Caffe truncates them).
 */
class MiscOpsExportTest {
    @TempDir
    Path dir;

    static final String NET = """
            name: "misc_ops"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 7 dim: 9 } } }
            layer { name: "idx" type: "Input" top: "idx" input_param { shape { dim: 1 dim: 4 } } }
            layer { name: "idx4" type: "Input" top: "idx4" input_param { shape { dim: 1 dim: 2 dim: 1 dim: 3 } } }
            layer { name: "emb" type: "Embed" bottom: "idx" top: "emb" embed_param { num_output: 5 input_dim: 6 } }
            layer { name: "emb4" type: "Embed" bottom: "idx4" top: "emb4"
                    embed_param { num_output: 3 input_dim: 5 bias_term: false } }
            layer { name: "p" type: "Parameter" top: "p" parameter_param { shape { dim: 4 dim: 3 dim: 7 dim: 9 } } }
            layer { name: "cat" type: "Concat" bottom: "data" bottom: "p" top: "cat" concat_param { axis: 0 } }
            layer { name: "flat" type: "Reshape" bottom: "idx" top: "flat" reshape_param { shape { dim: -1 } } }
            layer { name: "re" type: "BatchReindex" bottom: "cat" bottom: "flat" top: "re" }
            layer { name: "spp1" type: "SPP" bottom: "data" top: "spp1" spp_param { pyramid_height: 1 } }
            layer { name: "spp2" type: "SPP" bottom: "data" top: "spp2" spp_param { pyramid_height: 2 pool: AVE } }
            layer { name: "spp3" type: "SPP" bottom: "data" top: "spp3" spp_param { pyramid_height: 3 } }
            layer { name: "spp3a" type: "SPP" bottom: "data" top: "spp3a" spp_param { pyramid_height: 3 pool: AVE } }
            layer { name: "i2c" type: "Im2col" bottom: "data" top: "i2c"
                    convolution_param { kernel_h: 2 kernel_w: 3 stride_h: 2 stride_w: 1 pad_w: 1 dilation: 2 } }
            layer { name: "i2c_p" type: "Im2col" bottom: "data" top: "i2c_p"
                    convolution_param { kernel_size: 3 stride: 2 pad: 1 force_nd_im2col: true } }
            layer { name: "row" type: "Reshape" bottom: "data" top: "row" reshape_param { shape { dim: 0 dim: 3 dim: -1 } } }
            layer { name: "i2c_1d" type: "Im2col" bottom: "row" top: "i2c_1d" convolution_param { kernel_size: 4 stride: 3 } }
            layer { name: "i2c_ax" type: "Im2col" bottom: "data" top: "i2c_ax" convolution_param { kernel_size: 2 axis: 2 } }
            layer { name: "i2c_3d" type: "Im2col" bottom: "emb4" top: "i2c_3d"
                    convolution_param { kernel_size: 1 kernel_size: 2 kernel_size: 2 pad: 0 pad: 1 pad: 0 } }
            layer { name: "data8" type: "Input" top: "data8" input_param { shape { dim: 1 dim: 2 dim: 8 dim: 12 } } }
            layer { name: "positive" type: "Sigmoid" bottom: "data8" top: "positive" }
            layer { name: "spp_sto" type: "SPP" bottom: "positive" top: "spp_sto" spp_param { pyramid_height: 3 pool: STOCHASTIC } }
            layer { name: "pos7" type: "Sigmoid" bottom: "data" top: "pos7" }
            layer { name: "spp_sto1" type: "SPP" bottom: "pos7" top: "spp_sto1" spp_param { pyramid_height: 1 pool: STOCHASTIC } }
            layer { name: "i2c_p0" type: "Im2col" bottom: "p" top: "i2c_p0" convolution_param { kernel_size: 2 stride: 2 axis: 0 } }
            """;

    /** Channel axis 0 of the data: the channels follow the batch size. */
    static final String AXIS0 = """
            layer { name: "i2c_n" type: "Im2col" bottom: "data" top: "i2c_n" convolution_param { kernel_size: 2 axis: 0 } }
            """;

    /** A Parameter shaped like the batch-1 data, added to it: the net takes no other batch size. */
    static final String FIXED = """
            layer { name: "pf" type: "Parameter" top: "pf" parameter_param { shape { dim: 1 dim: 3 dim: 7 dim: 9 } } }
            layer { name: "sum" type: "Eltwise" bottom: "data" bottom: "pf" top: "sum" }
            """;

    /** Integer-valued indices in [0, bound), with a few values just below an integer (truncated, as Caffe does). */
    static float[] indices(long count, int bound, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) count];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(bound) + (i % 5 == 4 ? 0.75f : 0f);
        }
        return v;
    }

    static Map<String, float[]> inputs(Graph g, long seed) {
        Map<String, float[]> in = new LinkedHashMap<>();
        in.put("data", OrtSupport.uniform(g.shape("data").count(), seed));
        in.put("data8", OrtSupport.uniform(g.shape("data8").count(), seed + 3));
        in.put("idx", indices(g.shape("idx").count(), 5, seed + 1));
        in.put("idx4", indices(g.shape("idx4").count(), 5, seed + 2));
        return in;
    }

    private static Map<String, Shape> shapes(Graph g) {
        Map<String, Shape> s = new LinkedHashMap<>();
        for (String i : g.inputs()) {
            s.put(i, g.shape(i));
        }
        return s;
    }

    @Test
    void everyOpsetGivesTheReferenceValues() throws Exception {
        check(OrtSupport.load(dir, NET, 5, 1f), new int[] {1, 3});
    }

    @Test
    void anIm2colOverTheBatchAxisExportsAtAFixedBatchOnly() throws Exception {
        ModelException e = assertThrows(ModelException.class, () -> OnnxExporter.export(OrtSupport.load(dir,
                NET + AXIS0, 5, 1f), ExportOptions.DEFAULT));
        assertTrue(e.getMessage().contains("layer \"i2c_n\" (Im2col): convolution_param.axis"), e.getMessage());
        check(OrtSupport.load(dir, NET + FIXED + AXIS0, 5, 1f), new int[] {1});
    }

    private void check(Graph g, int[] batches) throws Exception {
        for (int opset = ExportOptions.MIN_OPSET; opset <= ExportOptions.MAX_OPSET; opset++) {
            for (boolean fold : new boolean[] {true, false}) {
                byte[] model = OnnxExporter.export(g, ExportOptions.DEFAULT.withOpset(opset).withFold(fold)
                        .withExposeAll(true));
                try (OrtSession s = OrtSupport.session(model, 1)) {
                    for (int batch : batches) {
                        Graph gb = g.withBatchSize(batch);
                        Map<String, float[]> in = inputs(gb, 11L * batch + opset);
                        Map<String, float[]> ref = CaffeReference.run(gb, in);
                        OrtSupport.Outputs r = OrtSupport.run(s, in, shapes(gb), null);
                        int exact = 0;
                        for (Node n : gb.nodes()) {
                            if (n.inputs().isEmpty() && !(n.op() instanceof Parameter)) {
                                continue;
                            }
                            String v = n.outputs().get(0);
                            String what = "opset " + opset + " fold " + fold + " batch " + batch + " " + v;
                            OrtSupport.assertShape(gb.shape(v), r.shapes().get(v), what);
                            if (n.op() instanceof Embed || n.op() instanceof Im2col || n.op() instanceof BatchReindex
                                    || n.op() instanceof Parameter) {
                                assertArrayEquals(ref.get(v), r.values().get(v), what);
                                exact++;
                            } else {
                                OrtSupport.assertClose(r.values().get(v), ref.get(v), 1e-5, what);
                            }
                        }
                        assertTrue(exact >= 10, "exactly compared: " + exact);
                    }
                }
            }
        }
    }

    @Test
    void onnxRuntimeRefusesAnIndexPastTheTable() throws Exception {
        Graph g = OrtSupport.load(dir, NET, 5, 1f);
        byte[] model = OnnxExporter.export(g, ExportOptions.DEFAULT);
        try (OrtSession s = OrtSupport.session(model, 1)) {
            Map<String, float[]> in = inputs(g, 3);
            in.put("idx", new float[] {0, 1, 6, 2});
            assertThrows(OrtException.class, () -> OrtSupport.run(s, in, shapes(g), null));
        }
        assertEquals(Shape.of(1, 4, 5), g.shape("emb"));
    }
}
