package org.senet4j.engine.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.UnsupportedModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.LSTM;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.RNN;

/**
 * LSTM and RNN: values worked out by hand from Caffe's lstm_layer.cpp, lstm_unit_layer.cpp and rnn_layer.cpp with
 * one hidden unit (the gate order i, f, o, g, the continuation indicator resetting hidden and cell state, exposed
 * initial states), Caffe's shape rules, and the importer's errors naming the field.
 */
class RecurrentKernelTest {
    @TempDir
    Path dir;

    private static final double EPS = 2e-7;

    private static Tensor t(float... v) {
        return Tensor.of(Shape.of(v.length, 1), v);
    }

    private static Tensor vec(float... v) {
        return Tensor.of(Shape.of(v.length), v);
    }

    private static List<float[]> run(Op op, List<Shape> shapes, float[]... in) throws ModelException {
        return ReferenceKernels.run(op, shapes, List.of(in), op.outputShapes(shapes));
    }

    private static double sig(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static void assertClose(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], EPS * Math.max(1, Math.abs(expected[i])), what + " [" + i + "]");
        }
    }

    @Test
    void lstmGateOrderIsCaffesIfog() throws ModelException {
        // x = 0, so only the biases speak: i and o open, f shut, g = tanh(0.5); c = tanh(0.5), h = tanh(c)
        LSTM op = new LSTM(1, false, t(0, 0, 0, 0), vec(20, -20, 20, 0.5f), null, t(0, 0, 0, 0));
        List<Shape> s = List.of(Shape.of(1, 1, 1), Shape.of(1, 1));
        float[] h = run(op, s, new float[] {0}, new float[] {1}).get(0);
        double c = sig(20) * Math.tanh(0.5) + sig(-20) * 0;
        assertClose(new double[] {sig(20) * Math.tanh(c)}, h, "h");
        // the same biases in ONNX's order (i, o, f, c) would give i = 1, o = 0: h near 0
        assertTrue(h[0] > 0.4f, "h " + h[0]);
    }

    @Test
    void lstmContZeroResetsTheCellState() throws ModelException {
        // g = tanh(x_t), i = f = o = 1/2, no recurrent weight: c_t = cont_t c_{t-1} / 2 + tanh(x_t) / 2
        LSTM op = new LSTM(1, true, t(0, 0, 0, 1), vec(0, 0, 0, 0), null, t(0, 0, 0, 0));
        List<Shape> s = List.of(Shape.of(4, 1, 1), Shape.of(4, 1), Shape.of(1, 1, 1), Shape.of(1, 1, 1));
        float[] x = {1, 1, 1, 1};
        float[] cont = {1, 1, 0, 1};
        List<float[]> out = run(op, s, x, cont, new float[] {0.25f}, new float[] {3f});
        double g = Math.tanh(1) / 2;
        double c1 = 3.0 / 2 + g;
        double c2 = c1 / 2 + g;
        double c3 = g;
        double c4 = c3 / 2 + g;
        assertClose(new double[] {Math.tanh(c1) / 2, Math.tanh(c2) / 2, Math.tanh(c3) / 2, Math.tanh(c4) / 2},
                out.get(0), "h");
        assertClose(new double[] {Math.tanh(c4) / 2}, out.get(1), "h_T");
        assertClose(new double[] {c4}, out.get(2), "c_T");
        // cont_1 = 0: the exposed c_0 = 3 is forgotten
        cont[0] = 0;
        out = run(op, s, x, cont, new float[] {0.25f}, new float[] {3f});
        assertClose(new double[] {Math.tanh(g) / 2}, new float[] {out.get(0)[0]}, "h_1 after a reset");
    }

    @Test
    void lstmContMultipliesTheHiddenStateBeforeTheRecurrentProduct() throws ModelException {
        // g = tanh(x_t + cont_t h_{t-1}) through W_hc; i = o = 1/2, f = cont_t / 2
        LSTM op = new LSTM(1, true, t(0, 0, 0, 1), vec(0, 0, 0, 0), null, t(0, 0, 0, 2));
        List<Shape> s = List.of(Shape.of(3, 1, 1), Shape.of(3, 1), Shape.of(1, 1, 1), Shape.of(1, 1, 1));
        float[] x = {0.5f, -0.25f, 0.75f};
        float[] cont = {1, 0, 1};
        List<float[]> out = run(op, s, x, cont, new float[] {0.4f}, new float[] {0.6f});
        double c1 = 0.6 / 2 + Math.tanh(0.5 + 2 * 0.4) / 2;
        double h1 = Math.tanh(c1) / 2;
        double c2 = Math.tanh(-0.25) / 2;
        double h2 = Math.tanh(c2) / 2;
        double c3 = c2 / 2 + Math.tanh(0.75 + 2 * h2) / 2;
        double h3 = Math.tanh(c3) / 2;
        assertClose(new double[] {h1, h2, h3}, out.get(0), "h");
        assertClose(new double[] {c3}, out.get(2), "c_T");
    }

    @Test
    void lstmStreamsAreIndependentAndStaticInputIsAddedEveryStep() throws ModelException {
        // two streams, x of 4 axes (T x N x 1 x 2 flattened to 2 values), a static input of 1 x 1 per stream
        Tensor wx = Tensor.of(Shape.of(4, 2), new float[] {0, 0, 0, 0, 0, 0, 1, -1});
        Tensor ws = Tensor.of(Shape.of(4, 1), new float[] {0, 0, 0, 0.5f});
        LSTM op = new LSTM(1, false, wx, vec(0, 0, 0, 0), ws, t(0, 0, 0, 0));
        List<Shape> s = List.of(Shape.of(2, 2, 1, 2), Shape.of(2, 2), Shape.of(2, 1, 1));
        float[] x = {1, 0.5f, 0, 1, -1, 0, 2, 2};
        float[] cont = {0, 0, 1, 0};
        float[] xs = {1, -2};
        float[] h = run(op, s, x, cont, xs).get(0);
        double[] gIn = {0.5 + 0.5, -1 - 1, -1 + 0.5, 0 - 1};
        double c00 = Math.tanh(gIn[0]) / 2;
        double c01 = Math.tanh(gIn[1]) / 2;
        double c10 = c00 / 2 + Math.tanh(gIn[2]) / 2;
        double c11 = Math.tanh(gIn[3]) / 2;
        assertClose(new double[] {Math.tanh(c00) / 2, Math.tanh(c01) / 2, Math.tanh(c10) / 2, Math.tanh(c11) / 2},
                h, "h");
    }

    @Test
    void rnnByHand() throws ModelException {
        // h_t = tanh(x_t + 0.5 cont_t h_{t-1}), o_t = tanh(2 h_t + 0.1)
        RNN op = new RNN(1, true, t(1), vec(0), null, t(0.5f), t(2), vec(0.1f));
        List<Shape> s = List.of(Shape.of(4, 1, 1), Shape.of(4, 1), Shape.of(1, 1, 1));
        float[] x = {0.3f, -0.7f, 0.2f, 0.9f};
        float[] cont = {1, 1, 0, 1};
        List<float[]> out = run(op, s, x, cont, new float[] {0.8f});
        double h1 = Math.tanh(0.3f + 0.5 * 0.8f);
        double h2 = Math.tanh(-0.7f + 0.5 * h1);
        double h3 = Math.tanh(0.2f);
        double h4 = Math.tanh(0.9f + 0.5 * h3);
        double[] o = new double[4];
        double[] hs = {h1, h2, h3, h4};
        for (int i = 0; i < 4; i++) {
            o[i] = Math.tanh(2 * hs[i] + 0.1);
        }
        assertClose(o, out.get(0), "o");
        assertClose(new double[] {h4}, out.get(1), "h_T");
        // without exposed state the first step starts from zero
        RNN fresh = new RNN(1, false, t(1), vec(0), null, t(0.5f), t(2), vec(0.1f));
        float[] o1 = run(fresh, s.subList(0, 2), x, cont).get(0);
        assertClose(new double[] {Math.tanh(2 * Math.tanh(0.3f) + 0.1)}, new float[] {o1[0]}, "o_1 from zero");
    }

    @Test
    void shapesAndCaffesChecks() throws ModelException {
        LSTM op = new LSTM(3, true, Tensor.placeholder(Shape.of(12, 10)), Tensor.placeholder(Shape.of(12)),
                Tensor.placeholder(Shape.of(12, 6)), Tensor.placeholder(Shape.of(12, 3)));
        List<Shape> in = List.of(Shape.of(5, 2, 2, 5), Shape.of(5, 2), Shape.of(2, 3, 2), Shape.of(1, 2, 3),
                Shape.of(1, 2, 3));
        assertEquals(List.of(Shape.of(5, 2, 3), Shape.of(1, 2, 3), Shape.of(1, 2, 3)), op.outputShapes(in));
        assertEquals(List.of("W_xc", "b_c", "W_xc_static", "W_hc"), new ArrayList<>(op.weights().keySet()));
        assertEquals(5 * 2 * 12 * (10 + 3) + 2 * 12 * 6, op.macs(in, op.outputShapes(in)));
        assertEquals(List.of(Shape.of(12, 10), Shape.of(12), Shape.of(12, 6), Shape.of(12, 3)),
                LSTM.weightShapes(3, true, in));
        assertField(() -> op.outputShapes(List.of(in.get(0), Shape.of(5, 3), in.get(2), in.get(3), in.get(4))),
                "bottom", "cont");
        assertField(() -> op.outputShapes(List.of(in.get(0), in.get(1), in.get(2), Shape.of(1, 2, 4),
                in.get(4))), "bottom", "h_0");
        assertField(() -> op.outputShapes(List.of(in.get(0), in.get(1), Shape.of(3, 6), in.get(3), in.get(4))),
                "bottom", "x_static");
        assertField(() -> op.outputShapes(in.subList(0, 4)), "bottom", "[x, cont, x_static, h_0, c_0]");
        assertField(() -> op.outputShapes(List.of(Shape.of(5, 2), in.get(1), in.get(2), in.get(3), in.get(4))),
                "bottom", "at least 3 axes");
        assertField(() -> op.outputShapes(List.of(Shape.of(5, 2, 11), in.get(1), in.get(2), in.get(3),
                in.get(4))), "blobs[0] (W_xc)", "12x11");
        RNN rnn = new RNN(4, false, Tensor.placeholder(Shape.of(4, 3)), Tensor.placeholder(Shape.of(4)), null,
                Tensor.placeholder(Shape.of(4, 4)), Tensor.placeholder(Shape.of(4, 4)),
                Tensor.placeholder(Shape.of(4)));
        assertEquals(List.of(Shape.of(6, 1, 4)), rnn.outputShapes(List.of(Shape.of(6, 1, 3), Shape.of(6, 1))));
        assertEquals(List.of("W_xh", "b_h", "W_hh", "W_ho", "b_o"), new ArrayList<>(rnn.weights().keySet()));
        assertThrows(IllegalArgumentException.class, () -> new RNN(0, false, rnn.wXh(), rnn.bH(), null, rnn.wHh(),
                rnn.wHo(), rnn.bO()));
    }

    private static void assertField(org.junit.jupiter.api.function.Executable e, String field, String text) {
        ModelException x = assertThrows(ModelException.class, e);
        assertTrue(x.getMessage().contains(field) && x.getMessage().contains(text), x.getMessage());
    }

    static final String NET = """
            name: "rnn"
            layer { name: "x" type: "Input" top: "x" top: "cont" top: "xs"
                    input_param { shape { dim: 4 dim: 2 dim: 3 dim: 2 } shape { dim: 4 dim: 2 }
                                  shape { dim: 2 dim: 5 } } }
            layer { name: "lstm" type: "LSTM" bottom: "x" bottom: "cont" bottom: "xs" top: "h"
                    recurrent_param { num_output: 7 } }
            layer { name: "rnn" type: "RNN" bottom: "h" bottom: "cont" top: "o" recurrent_param { num_output: 3 } }
            """;

    private Graph load(String text) throws Exception {
        Path p = Files.writeString(dir.resolve("net.prototxt"), text);
        return CaffeImporter.load(p, null).graph();
    }

    @Test
    void importerBuildsTheOpsWithCaffesBlobShapes() throws Exception {
        Graph g = load(NET);
        LSTM l = (LSTM) g.node("lstm").op();
        assertEquals(Shape.of(28, 6), l.wXc().shape());
        assertEquals(Shape.of(28, 5), l.wXcStatic().shape());
        assertEquals(Shape.of(28, 7), l.wHc().shape());
        assertEquals(Shape.of(4, 2, 7), g.shape("h"));
        RNN r = (RNN) g.node("rnn").op();
        assertEquals(Shape.of(3, 7), r.wXh().shape());
        assertEquals(Shape.of(4, 2, 3), g.shape("o"));
    }

    @Test
    void importerErrorsNameLayerTypeAndField() throws Exception {
        assertLoadFails(NET.replace("num_output: 7", "num_output: 0"), "lstm", "recurrent_param.num_output");
        assertLoadFails(NET.replace("recurrent_param { num_output: 7 }", ""), "lstm", "recurrent_param.num_output");
        assertLoadFails(NET.replace("top: \"h\"", "top: \"h\" top: \"h2\""), "lstm", "expose_hidden is off");
        assertLoadFails(NET.replace("num_output: 7 }", "num_output: 7 expose_hidden: true }"), "lstm",
                "h, h_T, c_T");
        assertLoadFails(NET.replace("top: \"h\"", "top: \"h\" top: \"hT\" top: \"cT\"")
                .replace("num_output: 7 }", "num_output: 7 expose_hidden: true }"), "lstm", "[x, cont, h_0, c_0]");
        assertLoadFails(NET.replace("bottom: \"h\" bottom: \"cont\"", "bottom: \"h\" bottom: \"xs\""), "rnn",
                "cont (bottom 1)");
        // the junhyukoh/senlinuc LSTM spelt as BVLC's type: listed as unsupported, not misread
        Path fork = Files.writeString(dir.resolve("fork.prototxt"),
                NET.replace("recurrent_param { num_output: 7 }", "lstm_param { num_output: 7 }"));
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> CaffeImporter.load(fork,
                null));
        assertTrue(e.report().describe().contains("LSTM (lstm_param)"), e.report().describe());
    }

    private void assertLoadFails(String text, String layer, String what) {
        ModelException e = assertThrows(ModelException.class, () -> load(text));
        assertTrue(e.getMessage().contains(layer) && e.getMessage().contains(what), e.getMessage());
    }
}
