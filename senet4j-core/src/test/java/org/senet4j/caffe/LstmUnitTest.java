package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
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
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.LSTMUnit;

/**
 * BVLC's LSTMUnit by hand, from lstm_unit_layer.cpp: values worked out on paper (X = 0 gives i = f = o = 0.5 and
 * g = 0; cont = 0 drops C_prev, however large; a cont of 2 doubles the forget gate; gates chosen so that i, f, o, g
 * are exact fractions), the row layout of X (4D per sample in the order i, f, o, g) with per-sample cont, and each
 * of Caffe's Reshape checks as an import error naming the layer, its type and the bottom. senet4j-cli's
 * LstmUnitParityTest checks every backend against real Caffe.
 */
class LstmUnitTest {
    @TempDir
    Path dir;

    private static String net(int n, int d, int xd, String extra) {
        return "name: \"u\"\n"
                + "layer { name: \"data\" type: \"Input\" top: \"c_prev\" top: \"x\" top: \"cont\" input_param {"
                + " shape { dim: 1 dim: " + n + " dim: " + d + " } shape { dim: 1 dim: " + n + " dim: " + xd + " }"
                + " shape { dim: 1 dim: " + n + " } } }\n"
                + (extra != null ? extra : "layer { name: \"unit\" type: \"LSTMUnit\" bottom: \"c_prev\" bottom: \"x\""
                + " bottom: \"cont\" top: \"c\" top: \"h\" }\n");
    }

    private Graph load(String text) throws Exception {
        return CaffeImporter.load(Fixtures.write(dir, "net.prototxt", text), null).graph();
    }

    /** C and H of one step on the reference engine. */
    private Map<String, HostTensor> step(int n, int d, float[] cPrev, float[] x, float[] cont) throws Exception {
        Graph g = load(net(n, d, 4 * d, null));
        Map<String, HostTensor> in = new LinkedHashMap<>();
        in.put("c_prev", new HostTensor(Shape.of(1, n, d), cPrev));
        in.put("x", new HostTensor(Shape.of(1, n, 4 * d), x));
        in.put("cont", new HostTensor(Shape.of(1, n), cont));
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            return e.run(in, List.of("c", "h"));
        }
    }

    @Test
    void importsAsTheOpWithCPrevShapedTops() throws Exception {
        Graph g = load(net(2, 3, 12, null));
        assertEquals(new LSTMUnit(), Fixtures.node(g, "unit").op());
        assertEquals(Shape.of(1, 2, 3), g.shape("c"));
        assertEquals(Shape.of(1, 2, 3), g.shape("h"));
        assertEquals(0, Fixtures.node(g, "unit").op().parameterCount());
    }

    @Test
    void zeroGatesHalveTheCellState() throws Exception {
        // X = 0: i = f = o = sigmoid(0) = 0.5, g = tanh(0) = 0; C = 0.5 C_prev, H = 0.5 tanh(0.5 C_prev)
        float[] cPrev = {1f, -2f, 0.5f};
        Map<String, HostTensor> out = step(1, 3, cPrev, new float[12], new float[] {1f});
        assertArrayEquals(new float[] {0.5f, -1f, 0.25f}, out.get("c").data());
        assertArrayEquals(new float[] {(float) (0.5 * Math.tanh(0.5)), (float) (0.5 * Math.tanh(-1)),
                (float) (0.5 * Math.tanh(0.25))}, out.get("h").data(), 1e-7f);
    }

    @Test
    void contZeroDropsThePreviousCell() throws Exception {
        // cont = 0: f = 0 exactly, so C = i g whatever C_prev is (here 1e30); i = 0.75 (X_i = ln 3), g = 0.6
        // (X_g = ln 2: tanh(ln 2) = 3/5), o = 0.25 (X_o = -ln 3); H = 0.25 tanh(0.45)
        float ln3 = (float) Math.log(3);
        float ln2 = (float) Math.log(2);
        Map<String, HostTensor> out = step(1, 1, new float[] {1e30f}, new float[] {ln3, 5f, -ln3, ln2},
                new float[] {0f});
        assertEquals(0.45f, out.get("c").data()[0], 1e-6f);
        assertEquals(0.25 * Math.tanh(0.45), out.get("h").data()[0], 1e-6);
        // X = 0 with cont = 0: C = 0.5 * 0 = 0 and H = 0, C_prev gone
        out = step(1, 2, new float[] {3f, -7f}, new float[8], new float[] {0f});
        assertArrayEquals(new float[] {0f, 0f}, out.get("c").data());
        assertArrayEquals(new float[] {0f, 0f}, out.get("h").data());
    }

    @Test
    void contScalesTheForgetGate() throws Exception {
        // cont = 2, X_f = 0: f = 2 * 0.5 = 1; C = 1 * 0.4 + 0.75 * 0.6 = 0.85, H = 0.25 tanh(0.85)
        float ln3 = (float) Math.log(3);
        float ln2 = (float) Math.log(2);
        Map<String, HostTensor> out = step(1, 1, new float[] {0.4f}, new float[] {ln3, 0f, -ln3, ln2},
                new float[] {2f});
        assertEquals(0.85f, out.get("c").data()[0], 1e-6f);
        assertEquals(0.25 * Math.tanh(0.85), out.get("h").data()[0], 1e-6);
    }

    @Test
    void eachSampleReadsItsOwnRowOfFourGateBlocksAndItsOwnCont() throws Exception {
        // N = 2, D = 2: sample n's gates are X[n][0..1] (i), [2..3] (f), [4..5] (o), [6..7] (g); sample 0 continues,
        // sample 1 resets. Sample 0, unit 0: i = 0.75, f = 0.5, o = 0.25, g = 0.6, C_prev 2 -> C = 1 + 0.45 = 1.45.
        // Sample 0, unit 1: all gates 0 -> C = 0.5 * -4 = -2. Sample 1, unit 0: i = 0.5, g = 0.6 -> C = 0.3 (C_prev
        // 100 dropped); unit 1: i = 0.75, g = -0.6 (X_g = -ln 2) -> C = -0.45, o = 0.75 (X_o = ln 3).
        float ln3 = (float) Math.log(3);
        float ln2 = (float) Math.log(2);
        float[] x = {
            ln3, 0f, 0f, 0f, -ln3, 0f, ln2, 0f,
            0f, ln3, 9f, 9f, 0f, ln3, ln2, -ln2};
        Map<String, HostTensor> out = step(2, 2, new float[] {2f, -4f, 100f, 100f}, x, new float[] {1f, 0f});
        float[] c = out.get("c").data();
        assertArrayEquals(new float[] {1.45f, -2f, 0.3f, -0.45f}, c, 1e-6f);
        double[] o = {0.25, 0.5, 0.5, 0.75};
        for (int i = 0; i < 4; i++) {
            assertEquals(o[i] * Math.tanh(c[i]), out.get("h").data()[i], 1e-6, "H[" + i + "]");
        }
    }

    @Test
    void caffesReshapeChecksAreImportErrorsNamingTheBottom() {
        String unit = "layer { name: \"unit\" type: \"LSTMUnit\" bottom: \"c_prev\" bottom: \"x\" bottom: \"cont\""
                + " top: \"c\" top: \"h\" }\n";
        refused(net(2, 3, 11, null), "X (bottom 1)", "4 x D = 12");
        refused(net(2, 3, 6, null), "X (bottom 1)", "4 x D = 12");
        // wrong axes: C_prev of 2 axes, X of 4, cont of 3
        refused("name: \"u\"\nlayer { name: \"data\" type: \"Input\" top: \"c_prev\" top: \"x\" top: \"cont\""
                + " input_param { shape { dim: 2 dim: 3 } shape { dim: 1 dim: 2 dim: 12 } shape { dim: 1 dim: 2 } } }\n"
                + unit, "C_prev (bottom 0)", "3 axes");
        refused("name: \"u\"\nlayer { name: \"data\" type: \"Input\" top: \"c_prev\" top: \"x\" top: \"cont\""
                + " input_param { shape { dim: 1 dim: 2 dim: 3 } shape { dim: 1 dim: 2 dim: 12 dim: 1 }"
                + " shape { dim: 1 dim: 2 } } }\n" + unit, "X (bottom 1)", "3 axes");
        refused("name: \"u\"\nlayer { name: \"data\" type: \"Input\" top: \"c_prev\" top: \"x\" top: \"cont\""
                + " input_param { shape { dim: 1 dim: 2 dim: 3 } shape { dim: 1 dim: 2 dim: 12 }"
                + " shape { dim: 1 dim: 2 dim: 1 } } }\n" + unit, "cont (bottom 2)", "2 axes");
        // axis 0 not 1
        refused("name: \"u\"\nlayer { name: \"data\" type: \"Input\" top: \"c_prev\" top: \"x\" top: \"cont\""
                + " input_param { shape { dim: 2 dim: 2 dim: 3 } shape { dim: 1 dim: 2 dim: 12 } shape { dim: 1 dim: 2 } } }\n"
                + unit, "C_prev (bottom 0)", "1 on axis 0");
        refused("name: \"u\"\nlayer { name: \"data\" type: \"Input\" top: \"c_prev\" top: \"x\" top: \"cont\""
                + " input_param { shape { dim: 1 dim: 2 dim: 3 } shape { dim: 1 dim: 2 dim: 12 } shape { dim: 2 dim: 2 } } }\n"
                + unit, "cont (bottom 2)", "1 on axis 0");
        // N differs
        refused("name: \"u\"\nlayer { name: \"data\" type: \"Input\" top: \"c_prev\" top: \"x\" top: \"cont\""
                + " input_param { shape { dim: 1 dim: 2 dim: 3 } shape { dim: 1 dim: 3 dim: 12 } shape { dim: 1 dim: 2 } } }\n"
                + unit, "X (bottom 1)", "N = 2");
        refused("name: \"u\"\nlayer { name: \"data\" type: \"Input\" top: \"c_prev\" top: \"x\" top: \"cont\""
                + " input_param { shape { dim: 1 dim: 2 dim: 3 } shape { dim: 1 dim: 2 dim: 12 } shape { dim: 1 dim: 1 } } }\n"
                + unit, "cont (bottom 2)", "N = 2");
        // bottom and top counts
        refused(net(2, 3, 12, "layer { name: \"unit\" type: \"LSTMUnit\" bottom: \"c_prev\" bottom: \"x\" top: \"c\""
                + " top: \"h\" }\n"), "bottom", "expected 3 bottoms [C_prev, X, cont]");
        refused(net(2, 3, 12, "layer { name: \"unit\" type: \"LSTMUnit\" bottom: \"c_prev\" bottom: \"x\""
                + " bottom: \"cont\" top: \"c\" }\n"), "top", "expected 2 tops");
    }

    @Test
    void inPlaceOnCPrevAndXGivesTheSameValues() throws Exception {
        Graph g = load(net(2, 2, 8, "layer { name: \"unit\" type: \"LSTMUnit\" bottom: \"c_prev\" bottom: \"x\""
                + " bottom: \"cont\" top: \"c_prev\" top: \"x\" }\n"));
        assertEquals(Shape.of(1, 2, 2), g.shape("c_prev"));
        assertEquals(Shape.of(1, 2, 2), g.shape("x"));
        List<String> inputs = g.inputs();
        Map<String, HostTensor> in = new LinkedHashMap<>();
        float[] x = Fixtures.values(16, 3);
        float[] cPrev = Fixtures.values(4, 4);
        in.put(inputs.get(0), new HostTensor(Shape.of(1, 2, 2), cPrev.clone()));
        in.put(inputs.get(1), new HostTensor(Shape.of(1, 2, 8), x.clone()));
        in.put(inputs.get(2), new HostTensor(Shape.of(1, 2), new float[] {0f, 1f}));
        Map<String, HostTensor> inPlace;
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            inPlace = e.run(in, List.of("c_prev", "x"));
        }
        Map<String, HostTensor> apart = step(2, 2, cPrev, x, new float[] {0f, 1f});
        assertArrayEquals(apart.get("c").data(), inPlace.get("c_prev").data());
        assertArrayEquals(apart.get("h").data(), inPlace.get("x").data());
    }

    private void refused(String text, String what, String words) {
        ModelException e = assertThrows(ModelException.class, () -> load(text));
        String m = e.getMessage();
        assertFalse(e instanceof UnsupportedModelException, m);
        assertTrue(m.contains("layer \"unit\" (LSTMUnit)"), m);
        assertTrue(m.contains("net.prototxt"), m);
        assertTrue(m.contains(what) && m.contains(words), m);
        System.out.println("[lstm-unit] " + m);
    }
}
