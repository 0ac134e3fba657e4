package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.Scale;
import org.senet4j.ir.op.ShuffleChannel;
import org.senet4j.ir.op.Unary;
import org.senet4j.caffe.proto.BNParameter;
import org.senet4j.caffe.proto.NetParameter;

/**
 * The mobile and segmentation forks' layers: each converter reads its fork's parameters and blobs (ReLU6,
 * DepthwiseConvolution, ConvolutionDepthwise, ShuffleChannel, HardSwish, HardSigmoid, Mish, BN), refuses what the
 * fork refuses with the field named, and the values match cases computed by hand from the fork's own source (the only
 * oracle for BN, HardSwish, HardSigmoid and Mish; the others are also checked against fork-caffe and OpenCV in
 * senet4j-cli's MobileOpsParityTest).
 */
class MobileLayersTest {
    @TempDir
    Path dir;

    private static String input(int... dims) {
        return Fixtures.inputLayer(dims);
    }

    private Graph load(String net, NetParameter weights) throws Exception {
        Path proto = Fixtures.write(dir, "net.prototxt", "name: \"m\"\n" + net);
        return CaffeImporter.load(proto, weights == null ? null : Fixtures.writeBinary(dir, "w.caffemodel", weights))
                .graph();
    }

    private static Node last(Graph g) {
        return g.nodes().get(g.nodes().size() - 1);
    }

    private static float[] run(Graph g, Shape shape, float[] x) throws Exception {
        String out = last(g).outputs().get(0);
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            return e.run(Map.of("data", new HostTensor(shape, x.clone())), List.of(out)).get(out).data();
        }
    }

    private ModelException refused(String net) {
        return assertThrows(ModelException.class, () -> load(net, null));
    }

    // ----- element-wise -------------------------------------------------------------------------------------------

    private static final float[] X = {-30f, -21f, -4f, -3f, -2.5f, -1f, -0.25f, 0f, 0.3f, 1f, 2.5f, 3f, 5f, 6.5f,
        20.5f, 25f};

    private float[] unary(String type, String params) throws Exception {
        Graph g = load(input(1, X.length) + "layer { name: \"u\" type: \"" + type + "\" bottom: \"data\" top: \"u\" "
                + params + " }\n", null);
        return run(g, Shape.of(1, X.length), X);
    }

    @Test
    void relu6IsClipOrTheForksLeakyCap() throws Exception {
        Graph g = load(input(1, 4) + "layer { name: \"r\" type: \"ReLU6\" bottom: \"data\" top: \"data\" }\n", null);
        assertEquals(Unary.clip(0f, 6f), last(g).op());
        float[] y = unary("ReLU6", "relu6_param { negative_slope: 0.1 }");
        for (int i = 0; i < X.length; i++) {
            // eric612: min(max(x, 0) + slope * min(x, 0), 6), all in float
            float want = Math.min(Math.max(X[i], 0f) + 0.1f * Math.min(X[i], 0f), 6f);
            assertEquals(want, y[i], 0f, "x = " + X[i]);
        }
        assertEquals(-3f, y[0], 1e-6f);
        assertEquals(6f, y[13]);
        float[] plain = unary("ReLU6", "");
        assertEquals(0f, plain[3]);
        assertEquals(6f, plain[13]);
        assertEquals(2.5f, plain[10]);
    }

    @Test
    void hardSwishByHand() throws Exception {
        float[] y = unary("HardSwish", "");
        // x * ReLU6(x + 3) / 6
        double[] want = {0, 0, 0, 0, -2.5 * 0.5 / 6, -1 * 2 / 6.0, -0.25 * 2.75 / 6, 0, 0.3 * 3.3 / 6, 4 / 6.0,
            2.5 * 5.5 / 6, 3, 5, 6.5, 20.5, 25};
        for (int i = 0; i < X.length; i++) {
            assertEquals(want[i], y[i], 1e-6 * Math.max(1, Math.abs(want[i])), "x = " + X[i]);
        }
    }

    @Test
    void hardSigmoidByHand() throws Exception {
        float[] y = unary("HardSigmoid", "");
        // eric612: min(1, max(0, 0.2 x + 0.5))
        double[] want = {0, 0, 0, 0, 0, 0.3, 0.45, 0.5, 0.56, 0.7, 1, 1, 1, 1, 1, 1};
        for (int i = 0; i < X.length; i++) {
            assertEquals(want[i], y[i], 1e-7, "x = " + X[i]);
        }
    }

    @Test
    void mishByHand() throws Exception {
        float[] y = unary("Mish", "");
        for (int i = 0; i < X.length; i++) {
            double x = X[i];
            // darknet: softplus is x above 20, exp(x) below -20; then x tanh(softplus)
            double sp = x > 20 ? x : x < -20 ? Math.exp(x) : Math.log1p(Math.exp(x));
            double want = x * Math.tanh(sp);
            assertEquals(want, y[i], 2e-6 * Math.max(1, Math.abs(want)), "x = " + X[i]);
        }
        assertEquals(0.8650983882673103, y[9], 1e-6); // mish(1)
        assertEquals(-0.3034014613, y[5], 1e-6);      // mish(-1)
        assertEquals(25f, y[15]);
    }

    // ----- convolutions -------------------------------------------------------------------------------------------

    @Test
    void depthwiseConvolutionIsCaffesConvolutionWithItsGroup() throws Exception {
        Graph g = load(input(1, 4, 6, 6) + """
                layer { name: "dw" type: "DepthwiseConvolution" bottom: "data" top: "dw"
                        convolution_param { num_output: 4 group: 4 kernel_size: 3 stride: 2 pad: 1 } }
                """, null);
        Convolution c = (Convolution) last(g).op();
        assertEquals(4, c.group());
        assertEquals(Shape.of(4, 1, 3, 3), c.weight().shape());
        assertEquals(Shape.of(4), c.bias().shape());
        assertEquals(Shape.of(1, 4, 3, 3), g.shape("dw"));
        assertEquals("DepthwiseConvolution", last(g).type());
    }

    @Test
    void convolutionDepthwiseReadsTheForksGeometry() throws Exception {
        // num_output is never read by the fork: the output has the input's channels
        Graph g = load(input(2, 3, 7, 9) + """
                layer { name: "cdw" type: "ConvolutionDepthwise" bottom: "data" top: "cdw"
                        convolution_param { num_output: 99 kernel_h: 3 kernel_w: 1 stride: 2 stride: 1 pad: 1
                                            dilation: 2 bias_term: false } }
                """, null);
        Convolution c = (Convolution) last(g).op();
        assertEquals(3, c.group());
        assertEquals(3, c.numOutput());
        assertEquals(Shape.of(3, 1, 3, 1), c.weight().shape());
        assertTrue(!c.hasBias());
        assertEquals(2, c.strideH());
        assertEquals(1, c.strideW());
        assertEquals(2, c.dilationH());
        // (7 + 2 - 5) / 2 + 1 = 3, (9 + 2 - 1) / 1 + 1 = 11
        assertEquals(Shape.of(2, 3, 3, 11), g.shape("cdw"));
        ModelException e = refused(input(1, 3, 5, 5) + """
                layer { name: "cdw" type: "ConvolutionDepthwise" bottom: "data" top: "cdw"
                        convolution_param { num_output: 3 } }
                """);
        assertTrue(e.getMessage().contains("convolution_param.kernel_size") && e.getMessage().contains("cdw"),
                e.getMessage());
    }

    @Test
    void convolutionDepthwiseByHand() throws Exception {
        // 1 x 2 x 3 x 3 input, 2 x 2 kernels, pad 1, stride 2: out[c][i][j] = sum w[c][kh][kw] x[c][2i+kh-1][2j+kw-1]
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3, -4, -5, -6, -7, -8, -9};
        float[] w = {1, 10, 100, 1000, 0.5f, 0, 0, 2};
        NetParameter weights = NetParameter.newBuilder().addLayer(Fixtures.layer("cdw", "ConvolutionDepthwise",
                Fixtures.blob(w, 2, 1, 2, 2), Fixtures.blob(new float[] {0.25f, -1f}, 2))).build();
        Graph g = load(input(1, 2, 3, 3) + """
                layer { name: "cdw" type: "ConvolutionDepthwise" bottom: "data" top: "cdw"
                        convolution_param { num_output: 2 kernel_size: 2 stride: 2 pad: 1 } }
                """, weights);
        float[] y = run(g, Shape.of(1, 2, 3, 3), x);
        // channel 0, windows at rows/cols -1 and 1: (-1,-1) -> x00*1000; (-1,1) -> x01*100 + x02*1000; ...
        float[] want = {
            1000 * 1 + 0.25f, 100 * 2 + 1000 * 3 + 0.25f, 10 * 4 + 1000 * 7 + 0.25f, 5 + 10 * 6 + 100 * 8 + 1000 * 9 + 0.25f,
            2 * -1 - 1f, 2 * -3 - 1f, 2 * -7 - 1f, 0.5f * -5 + 2 * -9 - 1f};
        assertArrayEquals(want, y, 1e-4f);
    }

    // ----- ShuffleChannel -----------------------------------------------------------------------------------------

    @Test
    void shuffleChannelByHand() throws Exception {
        // 2 samples, 6 channels of 2 values; group 2: output channel j*2+i <- input channel i*3+j
        float[] x = new float[24];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        Graph g = load(input(2, 6, 1, 2) + "layer { name: \"s\" type: \"ShuffleChannel\" bottom: \"data\" top: \"s\" "
                + "shuffle_channel_param { group: 2 } }\n", null);
        assertEquals(new ShuffleChannel(2), last(g).op());
        float[] y = run(g, Shape.of(2, 6, 1, 2), x);
        int[] channelOrder = {0, 3, 1, 4, 2, 5};
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 6; c++) {
                for (int k = 0; k < 2; k++) {
                    assertEquals(x[n * 12 + channelOrder[c] * 2 + k], y[n * 12 + c * 2 + k], 0f, "n" + n + " c" + c);
                }
            }
        }
        Graph g3 = load(input(1, 6) + "layer { name: \"s\" type: \"ShuffleChannel\" bottom: \"data\" top: \"s\" "
                + "shuffle_channel_param { group: 3 } }\n", null);
        assertArrayEquals(new float[] {0, 2, 4, 1, 3, 5}, run(g3, Shape.of(1, 6), new float[] {0, 1, 2, 3, 4, 5}));
        Graph g1 = load(input(1, 6) + "layer { name: \"s\" type: \"ShuffleChannel\" bottom: \"data\" top: \"s\" }\n",
                null);
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, run(g1, Shape.of(1, 6), new float[] {0, 1, 2, 3, 4, 5}));
    }

    @Test
    void shuffleChannelChecksItsGroup() {
        ModelException zero = refused(input(1, 6) + "layer { name: \"s\" type: \"ShuffleChannel\" bottom: \"data\" "
                + "top: \"s\" shuffle_channel_param { group: 0 } }\n");
        assertTrue(zero.getMessage().contains("shuffle_channel_param.group"), zero.getMessage());
        ModelException odd = refused(input(1, 6) + "layer { name: \"s\" type: \"ShuffleChannel\" bottom: \"data\" "
                + "top: \"s\" shuffle_channel_param { group: 4 } }\n");
        assertTrue(odd.getMessage().contains("shuffle_channel_param.group") && odd.getMessage().contains("\"s\""),
                odd.getMessage());
    }

    // ----- BN -----------------------------------------------------------------------------------------------------

    private static final float[] BN_X = {1, -2, 3, 0.5f, 4, 8, -4, 0};

    @Test
    void segnetBnInInferenceModeIsScaleAndShift() throws Exception {
        NetParameter w = NetParameter.newBuilder().addLayer(Fixtures.layer("bn", "BN",
                Fixtures.blob(new float[] {2f, -0.5f}, 1, 2, 1, 1), Fixtures.blob(new float[] {0.25f, 1f}, 1, 2, 1, 1)))
                .build();
        Graph g = load(input(1, 2, 2, 2) + "layer { name: \"bn\" type: \"BN\" bottom: \"data\" top: \"bn\" "
                + "bn_param { bn_mode: INFERENCE scale_filler { type: \"constant\" value: 1 } } }\n", w);
        assertTrue(last(g).op() instanceof Scale);
        float[] y = run(g, Shape.of(1, 2, 2, 2), BN_X);
        assertArrayEquals(new float[] {2.25f, -3.75f, 6.25f, 1.25f, -1f, -3f, 3f, 1f}, y, 0f);
        ModelException learn = refused(input(1, 2, 2, 2) + "layer { name: \"bn\" type: \"BN\" bottom: \"data\" "
                + "top: \"bn\" bn_param { bn_mode: LEARN } }\n");
        assertTrue(learn.getMessage().contains("bn_param.bn_mode"), learn.getMessage());
    }

    @Test
    void yjxiongBnUsesItsStoredStatistics() throws Exception {
        float[] slope = {2f, 1f};
        float[] bias = {0.5f, -1f};
        float[] mean = {1f, 2f};
        float[] var = {3f, 0.25f};
        NetParameter w = NetParameter.newBuilder().addLayer(Fixtures.layer("bn", "BN", Fixtures.blob(slope, 1, 2),
                Fixtures.blob(bias, 1, 2), Fixtures.blob(mean, 1, 2), Fixtures.blob(var, 1, 2))).build();
        for (String param : List.of("bn_param { frozen: true momentum: 0.95 }", "bn_param { eps: 0.01 }", "")) {
            Graph g = load(input(1, 2, 2, 2) + "layer { name: \"bn\" type: \"BN\" bottom: \"data\" top: \"bn\" " + param
                    + " }\n", w);
            double eps = param.contains("eps") ? 0.01 : 1e-5;
            float[] y = run(g, Shape.of(1, 2, 2, 2), BN_X);
            for (int i = 0; i < BN_X.length; i++) {
                int c = i / 4;
                double want = (BN_X[i] - mean[c]) / Math.sqrt(var[c] + eps) * slope[c] + bias[c];
                assertEquals(want, y[i], 1e-5, param + " i = " + i);
            }
        }
        // PSPNet stores the four blobs as 1 x C x 1 x 1
        NetParameter w4 = NetParameter.newBuilder().addLayer(Fixtures.layer("bn", "BN",
                Fixtures.blob(slope, 1, 2, 1, 1), Fixtures.blob(bias, 1, 2, 1, 1), Fixtures.blob(mean, 1, 2, 1, 1),
                Fixtures.blob(var, 1, 2, 1, 1))).build();
        Graph g = load(input(1, 2, 2, 2) + "layer { name: \"bn\" type: \"BN\" bottom: \"data\" top: \"bn\" "
                + "bn_param { slope_filler { type: \"constant\" value: 1 } } }\n", w4);
        assertEquals((BN_X[0] - 1) / Math.sqrt(3 + 1e-5) * 2 + 0.5, run(g, Shape.of(1, 2, 2, 2), BN_X)[0], 1e-5);
    }

    @Test
    void bnThatMixesBothForksIsRefused() {
        ModelException e = refused(input(1, 2, 2, 2) + "layer { name: \"bn\" type: \"BN\" bottom: \"data\" top: \"bn\" "
                + "bn_param { bn_mode: INFERENCE frozen: true } }\n");
        assertTrue(e.getMessage().contains("bn_param") && e.getMessage().contains("yjxiong"), e.getMessage());
        assertEquals(BNParameter.BNMode.LEARN, BNParameter.getDefaultInstance().getBnMode());
    }

    @Test
    void everyForkTypeIsSupported() {
        for (String t : List.of("ReLU6", "DepthwiseConvolution", "ConvolutionDepthwise", "ShuffleChannel", "HardSwish",
                "HardSigmoid", "Mish", "BN")) {
            assertTrue(LayerConverters.supportedTypes().contains(t), t);
        }
    }
}
