package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.senet4j.caffe.Fixtures.node;
import static org.senet4j.caffe.Fixtures.ramp;
import static org.senet4j.caffe.Fixtures.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.TestData;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.ContinuationIndicator;
import org.senet4j.ir.op.CtcGreedyDecoder;
import org.senet4j.ir.op.LSTM;
import org.senet4j.ir.op.Permute;
import org.senet4j.ir.op.Reverse;

/**
 * The OCR layers by hand, from senlinuc/caffe_ocr's sources (reverse_layer.cpp, transpose_layer.cpp,
 * lstm_layer_Junhyuk.cpp, ctc_decoder_layer.cpp) and jolibrain's / video-caffe's ContinuationIndicator: the values
 * of each layer on small inputs worked out from the fork's loops, the fork Lstm's blob order and its implied
 * continuation, the decoder's blank, merge and tie rules, every converter's refusals with the field named, and the
 * zoo's three OCR nets (two import; the DenseNet one reports only DenseBlock). senet4j-cli's OcrOpsParityTest checks
 * the lowered Lstm against real Caffe's LSTM and every backend against these kernels.
 */
class OcrLayersTest {
    @TempDir
    Path dir;

    private Graph load(String net) throws Exception {
        return CaffeImporter.load(Fixtures.write(dir, "net.prototxt", "name: \"o\"\n" + net), null).graph();
    }

    private Graph load(String net, NetParameter weights) throws Exception {
        return CaffeImporter.load(Fixtures.write(dir, "net.prototxt", "name: \"o\"\n" + net),
                Fixtures.writeBinary(dir, "net.caffemodel", weights)).graph();
    }

    private static float[] data(HostTensor t) {
        return t.data();
    }

    private static String layer(String name, String type, String bottom, String top, String params) {
        return "layer { name: \"" + name + "\" type: \"" + type + "\" bottom: \"" + bottom + "\" top: \"" + top
                + "\" " + params + " }\n";
    }

    // ----- Reverse ---------------------------------------------------------------------------------------------------

    @Test
    void reverseFlipsOneAxisKeepingTheOthers() throws Exception {
        // 2 x 3 x 2 ramp; the fork copies slices of count(axis + 1) values, last slice first, per outer index
        for (int axis = 0; axis < 3; axis++) {
            Graph g = load(Fixtures.inputLayer(2, 3, 2) + layer("r", "Reverse", "data", "r",
                    "reverse_param { axis: " + axis + " }"));
            assertEquals(new Reverse(axis), node(g, "r").op());
            float[] y = data(run(g, ramp(12), "r").get("r"));
            float[] want = switch (axis) {
                case 0 -> new float[] {6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5};
                case 1 -> new float[] {4, 5, 2, 3, 0, 1, 10, 11, 8, 9, 6, 7};
                default -> new float[] {1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10};
            };
            assertArrayEquals(want, y, "axis " + axis);
            assertEquals(Shape.of(2, 3, 2), g.shape("r"));
        }
        Graph g = load(Fixtures.inputLayer(3, 2) + layer("r", "Reverse", "data", "r", ""));
        assertEquals(new Reverse(0), node(g, "r").op(), "axis 0 by default");
        assertArrayEquals(new float[] {4, 5, 2, 3, 0, 1}, data(run(g, ramp(6), "r").get("r")));
    }

    @Test
    void reverseRefusals() {
        refused(Fixtures.inputLayer(3, 2) + layer("r", "Reverse", "data", "r", "reverse_param { axis: -1 }"),
                "reverse_param.axis", "0 or more");
        refused(Fixtures.inputLayer(3, 2) + layer("r", "Reverse", "data", "r", "reverse_param { axis: 2 }"),
                "reverse_param.axis", "not below");
        refused(Fixtures.inputLayer(3, 2) + layer("r", "Reverse", "data", "data", ""), "top", "in place");
    }

    // ----- Transpose -------------------------------------------------------------------------------------------------

    @Test
    void transposeIsPermuteWithTheForksAxisMap() throws Exception {
        // top axis i = bottom axis dim[i]; the OCR nets' (3, 2, 0, 1) takes N x C x H x W to W x H x N x C
        Graph g = load(Fixtures.inputLayer(2, 3, 1, 4) + layer("t", "Transpose", "data", "t",
                "transpose_param { dim: 3 dim: 2 dim: 0 dim: 1 }"));
        assertEquals(new Permute(List.of(3, 2, 0, 1)), node(g, "t").op());
        assertEquals(Shape.of(4, 1, 2, 3), g.shape("t"));
        float[] y = data(run(g, ramp(24), "t").get("t"));
        for (int w = 0; w < 4; w++) {
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(n * 12 + c * 4 + w, y[(w * 2 + n) * 3 + c], "w " + w + " n " + n + " c " + c);
                }
            }
        }
    }

    @Test
    void transposeRefusals() {
        refused(Fixtures.inputLayer(2, 3) + layer("t", "Transpose", "data", "t", "transpose_param { dim: 1 }"),
                "transpose_param.dim", "one dim per input axis");
        refused(Fixtures.inputLayer(2, 3) + layer("t", "Transpose", "data", "t",
                "transpose_param { dim: 1 dim: 1 }"), "transpose_param.dim", "twice");
        refused(Fixtures.inputLayer(2, 3) + layer("t", "Transpose", "data", "t",
                "transpose_param { dim: 1 dim: 2 }"), "transpose_param.dim", "not one of");
        refused(Fixtures.inputLayer(2, 3) + layer("t", "Transpose", "data", "data",
                "transpose_param { dim: 1 dim: 0 }"), "top", "in place");
    }

    // ----- ContinuationIndicator -------------------------------------------------------------------------------------

    @Test
    void continuationIndicatorIsZeroThenOnes() throws Exception {
        Graph g = load(Fixtures.inputLayer(2, 3, 4, 5) + layer("ci", "ContinuationIndicator", "data", "ci",
                "continuation_indicator_param { time_step: 3 axis: 1 }"));
        assertEquals(new ContinuationIndicator(3, 1, 1), node(g, "ci").op());
        assertEquals(Shape.of(3, 3), g.shape("ci"));
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1, 1, 1, 1}, data(run(g, ramp(120), "ci").get("ci")));
        Graph noBottom = load(Fixtures.inputLayer(1, 1) + "layer { name: \"ci\" type: \"ContinuationIndicator\" "
                + "top: \"ci\" continuation_indicator_param { time_step: 2 batch_size: 2 } }\n"
                + "layer { name: \"s\" type: \"Silence\" bottom: \"data\" }\n");
        assertEquals(Shape.of(2, 2), noBottom.shape("ci"));
        assertArrayEquals(new float[] {0, 0, 1, 1}, data(run(noBottom, new float[] {0}, "ci").get("ci")));
        Graph byDefault = load(Fixtures.inputLayer(2, 3) + layer("ci", "ContinuationIndicator", "data", "ci",
                "continuation_indicator_param { time_step: 1 }"));
        assertEquals(Shape.of(1, 2), byDefault.shape("ci"), "axis 0 by default");
    }

    @Test
    void continuationIndicatorRefusals() throws Exception {
        refused(Fixtures.inputLayer(2, 3) + layer("ci", "ContinuationIndicator", "data", "ci", ""),
                "continuation_indicator_param.time_step", "positive");
        refused(Fixtures.inputLayer(2, 3) + layer("ci", "ContinuationIndicator", "data", "ci",
                "continuation_indicator_param { time_step: 2 axis: 2 }"), "continuation_indicator_param.axis",
                "out of range");
        unsupported(Fixtures.inputLayer(2, 3) + layer("ci", "ContinuationIndicator", "data", "ci",
                "continuation_indicator_param { time_step: 2 flag: true }"), "ContinuationIndicator (flag)");
        unsupported(Fixtures.inputLayer(2, 3) + layer("ci", "ContinuationIndicator", "data", "ci",
                "continuation_indicator_param { time_step: 2 batch_size: 2 }"),
                "ContinuationIndicator (batch_size and a bottom)");
    }

    // ----- Lstm ------------------------------------------------------------------------------------------------------

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /**
     * The fork's Forward_cpu without a clip bottom, in double: pre = W_x x_t + b (+ W_h h_{t-1} when t > 0); gate
     * rows i, f, o, g; f is 0 at t = 0; c = f c_prev + i g; h = o tanh(c).
     */
    private static double[] forkLstm(float[] x, int steps, int n, int in, int hid, float[] wx, float[] wh,
                                     float[] b) {
        double[] y = new double[steps * n * hid];
        double[] h = new double[n * hid];
        double[] c = new double[n * hid];
        for (int t = 0; t < steps; t++) {
            double[] hNext = new double[n * hid];
            for (int s = 0; s < n; s++) {
                double[] pre = new double[4 * hid];
                for (int r = 0; r < 4 * hid; r++) {
                    double v = b[r];
                    for (int k = 0; k < in; k++) {
                        v += (double) wx[r * in + k] * x[(t * n + s) * in + k];
                    }
                    if (t > 0) {
                        for (int k = 0; k < hid; k++) {
                            v += (double) wh[r * hid + k] * h[s * hid + k];
                        }
                    }
                    pre[r] = v;
                }
                for (int d = 0; d < hid; d++) {
                    double i = sigmoid(pre[d]);
                    double f = t > 0 ? sigmoid(pre[hid + d]) : 0;
                    double o = sigmoid(pre[2 * hid + d]);
                    double g = Math.tanh(pre[3 * hid + d]);
                    c[s * hid + d] = f * c[s * hid + d] + i * g;
                    hNext[s * hid + d] = o * Math.tanh(c[s * hid + d]);
                }
            }
            h = hNext;
            System.arraycopy(h, 0, y, t * n * hid, n * hid);
        }
        return y;
    }

    private static final String LSTM_NET = Fixtures.inputLayer(5, 2, 3)
            + layer("lstm", "Lstm", "data", "lstm", "lstm_param { num_output: 2 }");

    @Test
    void lstmBlobsGoToCaffesOrderAndTheContinuationIsImplied() throws Exception {
        float[] wx = Fixtures.values(8 * 3, 11);
        float[] wh = Fixtures.values(8 * 2, 12);
        float[] b = Fixtures.values(8, 13);
        NetParameter w = NetParameter.newBuilder().addLayer(Fixtures.layer("lstm", "Lstm",
                Fixtures.blob(wx, 8, 3), Fixtures.blob(wh, 8, 2), Fixtures.blob(b, 8))).build();
        Graph g = load(LSTM_NET, w);
        LSTM op = (LSTM) node(g, "lstm").op();
        assertTrue(op.impliedCont());
        assertFalse(op.exposeHidden());
        assertArrayEquals(wx, op.wXc().toArray());
        assertArrayEquals(wh, op.wHc().toArray());
        assertArrayEquals(b, op.bC().toArray());
        assertEquals(List.of("data"), node(g, "lstm").inputs(), "no cont bottom");
        assertEquals(Shape.of(5, 2, 2), g.shape("lstm"));
        float[] x = Fixtures.values(30, 14);
        float[] y = data(run(g, x, "lstm").get("lstm"));
        double[] want = forkLstm(x, 5, 2, 3, 2, wx, wh, b);
        for (int i = 0; i < y.length; i++) {
            assertEquals(want[i], y[i], 2e-6, "element " + i);
        }
    }

    @Test
    void lstmByHandOnOneUnit() throws Exception {
        // H = I = 1, N = 1: W_x only feeds g (weight 1), biases 20 open i, f, o; W_h = 0. x = 0.5, 0.25.
        // t = 0: f = 0, c0 = s tanh(0.5), h0 = s tanh(c0) (s = sigmoid(20)); t = 1: c1 = s c0 + s tanh(0.25).
        float[] wx = {0, 0, 0, 1};
        float[] wh = {0, 0, 0, 0};
        float[] b = {20, 20, 20, 0};
        NetParameter w = NetParameter.newBuilder().addLayer(Fixtures.layer("lstm", "Lstm",
                Fixtures.blob(wx, 4, 1), Fixtures.blob(wh, 4, 1), Fixtures.blob(b, 4))).build();
        Graph g = load(Fixtures.inputLayer(2, 1, 1) + layer("lstm", "Lstm", "data", "lstm",
                "lstm_param { num_output: 1 }"), w);
        float[] y = data(run(g, new float[] {0.5f, 0.25f}, "lstm").get("lstm"));
        double s = sigmoid(20);
        double c0 = s * Math.tanh(0.5);
        double c1 = s * c0 + s * Math.tanh(0.25);
        assertEquals(s * Math.tanh(c0), y[0], 1e-6);
        assertEquals(s * Math.tanh(c1), y[1], 1e-6);
    }

    @Test
    void lstmRefusals() throws Exception {
        refused(Fixtures.inputLayer(5, 2, 3) + layer("lstm", "Lstm", "data", "lstm", ""), "lstm_param.num_output",
                "positive");
        refused(Fixtures.inputLayer(5, 2, 3, 1) + layer("lstm", "Lstm", "data", "lstm",
                "lstm_param { num_output: 2 }"), "bottom", "3 axes");
        unsupported(Fixtures.inputLayer(5, 2, 3) + Fixtures.inputLayer(5, 2).replace("\"data\"", "\"clip\"")
                + "layer { name: \"lstm\" type: \"Lstm\" bottom: \"data\" bottom: \"clip\" top: \"lstm\" "
                + "lstm_param { num_output: 2 } }\n", "Lstm (clip bottom)");
        NetParameter w = NetParameter.newBuilder().addLayer(Fixtures.layer("lstm", "Lstm",
                Fixtures.blob(new float[24], 8, 3), Fixtures.blob(new float[8], 8), Fixtures.blob(new float[16], 8,
                2))).build();
        ModelException e = assertThrows(ModelException.class, () -> load(LSTM_NET, w));
        assertTrue(e.getMessage().contains("lstm") && e.getMessage().contains("Lstm"), e.getMessage());
    }

    // ----- CTCGreedyDecoder ------------------------------------------------------------------------------------------

    private Graph ctc(int steps, int n, int classes, String params) throws Exception {
        return load(Fixtures.inputLayer(steps, n, classes) + layer("ctc", "CTCGreedyDecoder", "data", "ctc",
                params));
    }

    @Test
    void ctcMergesRepeatsDropsBlanksAndPadsWithMinusOne() throws Exception {
        int[][] k = {{1, 1, 0, 1, 2, 2}, {0, 0, 0, 0, 0, 0}, {3, 0, 3, 3, 1, 0}};
        Graph g = ctc(6, 3, 4, "");
        assertEquals(new CtcGreedyDecoder(0, true), node(g, "ctc").op());
        assertEquals(Shape.of(3, 6, 1, 1), g.shape("ctc"));
        assertArrayEquals(new float[] {1, 1, 2, -1, -1, -1, -1, -1, -1, -1, -1, -1, 3, 3, 1, -1, -1, -1},
                data(run(g, OcrNets.onehot(k, 4), "ctc").get("ctc")));
        Graph noMerge = ctc(6, 3, 4, "ctc_decoder_param { ctc_merge_repeated: false }");
        assertArrayEquals(new float[] {1, 1, 1, 2, 2, -1, -1, -1, -1, -1, -1, -1, 3, 3, 3, 1, -1, -1},
                data(run(noMerge, OcrNets.onehot(k, 4), "ctc").get("ctc")));
        // blank_index -1 is the last class (3); 0 is then a label
        Graph last = ctc(6, 3, 4, "ctc_decoder_param { blank_index: -1 }");
        assertArrayEquals(new float[] {1, 0, 1, 2, -1, -1, 0, -1, -1, -1, -1, -1, 0, 1, 0, -1, -1, -1},
                data(run(last, OcrNets.onehot(k, 4), "ctc").get("ctc")));
        Graph two = ctc(6, 3, 4, "ctc_decoder_param { blank_index: 2 }");
        assertArrayEquals(new float[] {1, 0, 1, -1, -1, -1, 0, -1, -1, -1, -1, -1, 3, 0, 3, 1, 0, -1},
                data(run(two, OcrNets.onehot(k, 4), "ctc").get("ctc")));
    }

    @Test
    void ctcTiesGoToTheLowestClass() throws Exception {
        // step 0: classes 1 and 2 tie (first wins); step 1: blank 0 ties with 3 (blank wins); step 2: 2 alone;
        // step 3: all equal (class 0, the blank)
        float[] x = {0, 5, 5, 1, 7, 0, 0, 7, 0, 0, 9, 0, 2, 2, 2, 2};
        Graph g = ctc(4, 1, 4, "");
        assertArrayEquals(new float[] {1, 2, -1, -1}, data(run(g, x, "ctc").get("ctc")));
    }

    @Test
    void ctcRefusals() throws Exception {
        refused(Fixtures.inputLayer(4, 1, 3, 1) + layer("ctc", "CTCGreedyDecoder", "data", "ctc", ""), "bottom",
                "T x N x C");
        unsupported(Fixtures.inputLayer(4, 1, 3) + Fixtures.inputLayer(1, 4).replace("\"data\"", "\"label\"")
                + "layer { name: \"ctc\" type: \"CTCGreedyDecoder\" bottom: \"data\" bottom: \"label\" top: \"acc\" "
                + "}\n", "CTCGreedyDecoder (accuracy)");
    }

    // ----- the zoo's OCR nets ----------------------------------------------------------------------------------------

    @Test
    void zooOcrNetsImport() throws Exception {
        Path zoo = TestData.requireShared("caffe-zoo/senlinuc_caffe_ocr");
        for (String net : List.of("examples__ocr__resnet__deploy.prototxt", "examples__ocr__inception-bn__deploy"
                + ".prototxt")) {
            Graph g = CaffeImporter.load(zoo.resolve(net), null).graph();
            String out = g.outputs().get(0);
            assertEquals("result", out, net);
            Shape s = g.shape(out);
            assertEquals(4, s.rank(), net + ": " + s);
            assertEquals(1, s.dim(0), net);
            long lstms = g.nodes().stream().filter(n -> n.op() instanceof LSTM l && l.impliedCont()).count();
            assertEquals(4, lstms, net);
            String scores = node(g, "result").inputs().get(0);
            assertEquals(Shape.of(s.dim(1), 1, 5990), g.shape(scores), net);
            System.out.println("[ocr] " + net + ": result " + s + ", " + scores + " " + g.shape(scores));
        }
        Path dense = zoo.resolve("examples__ocr__densenet__densenet-res-blstm_deploy.prototxt");
        ImportReport r = CaffeImporter.check(dense, null, CaffeImporter.Options.DEFAULT);
        assertEquals(List.of("DenseBlock (Tongcheng's / senlinuc's whole DenseNet block in one layer, with its own "
                + "training-time BatchNorm; not supported)"), List.copyOf(r.unsupportedTypes().keySet()));
        assertTrue(r.unknownFields().isEmpty(), r.describe());
        assertTrue(Files.exists(dense));
    }

    /** The import fails naming the file, the layer (the net's last), its type, the field and what is wrong. */
    private void refused(String net, String field, String words) {
        ModelException e = assertThrows(ModelException.class, () -> load(net));
        assertFalse(e instanceof UnsupportedModelException, e.getMessage());
        assertTrue(e.getMessage().contains(field) && e.getMessage().contains(words), e.getMessage());
        assertTrue(e.getMessage().contains("net.prototxt"), e.getMessage());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("name: \"([^\"]+)\" type: \"([^\"]+)\"")
                .matcher(net);
        String layer = null;
        String type = null;
        while (m.find()) {
            layer = m.group(1);
            type = m.group(2);
        }
        assertEquals(layer, e.layer(), e.getMessage());
        assertTrue(e.getMessage().contains("layer \"" + layer + "\" (" + type + ")"), e.getMessage());
    }

    private void unsupported(String net, String label) {
        ModelException e = assertThrows(ModelException.class, () -> load(net));
        UnsupportedModelException u = assertInstanceOf(UnsupportedModelException.class, e, e.getMessage());
        assertTrue(u.report().unsupportedTypes().containsKey(label), u.getMessage());
    }
}
