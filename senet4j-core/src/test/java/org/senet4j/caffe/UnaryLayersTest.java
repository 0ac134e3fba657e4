package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
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
import org.senet4j.ir.op.Unary;

/**
 * The element-wise layers that become {@link Unary}: each converter's parameters and Caffe's checks, and values
 * computed by hand from Caffe's formulas (the only oracle for Clip and Swish, which Caffe 1.0 lacks; the others are
 * also proven against real Caffe in senet4j-cli's UnaryOpsParityTest).
 */
class UnaryLayersTest {
    @TempDir
    Path dir;

    private static final String INPUT = "layer { name: \"data\" type: \"Input\" top: \"data\" "
            + "input_param { shape { dim: 1 dim: 8 } } }\n";

    private Graph load(String layers) throws Exception {
        return CaffeImporter.load(Fixtures.write(dir, "net.prototxt", "name: \"u\"\n" + INPUT + layers), null).graph();
    }

    private Unary op(String layer) throws Exception {
        Graph g = load(layer);
        Node n = g.nodes().get(g.nodes().size() - 1);
        return (Unary) n.op();
    }

    private static final float[] X = {-3f, -1f, -0.25f, 0f, 0.3f, 0.5f, 2.5f, 7f};

    /** The layer's output on {@link #X} from the reference engine. */
    private float[] run(String layer) throws Exception {
        Graph g = load(layer);
        String out = g.nodes().get(g.nodes().size() - 1).outputs().get(0);
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            Map<String, HostTensor> in = new HashMap<>();
            in.put("data", new HostTensor(Shape.of(1, 8), X.clone()));
            return e.run(in, java.util.List.of(out)).get(out).data();
        }
    }

    private static void close(double expected, float actual) {
        assertEquals(expected, actual, 1e-6 * Math.max(1, Math.abs(expected)));
    }

    @Test
    void clipByHand() throws Exception {
        float[] y = run("layer { name: \"c\" type: \"Clip\" bottom: \"data\" top: \"c\" "
                + "clip_param { min: -1 max: 6 } }\n");
        float[] want = {-1f, -1f, -0.25f, 0f, 0.3f, 0.5f, 2.5f, 6f};
        for (int i = 0; i < X.length; i++) {
            assertEquals(want[i], y[i], 0f, "x = " + X[i]);
        }
        Unary u = op("layer { name: \"c\" type: \"Clip\" bottom: \"data\" top: \"c\" clip_param { min: 0 max: 0.5 } }\n");
        assertEquals(Unary.clip(0f, 0.5f), u);
        assertEquals(0f, u.apply(-2f));
        assertEquals(0.5f, u.apply(0.5f));
        assertEquals(0.5f, u.apply(0.75f));
    }

    @Test
    void swishByHand() throws Exception {
        float[] y = run("layer { name: \"s\" type: \"Swish\" bottom: \"data\" top: \"s\" }\n");
        // x / (1 + e^-x)
        double[] want = {-0.1422776195, -0.2689414214, -0.1094558748, 0, 0.1723327550, 0.3112296656, 2.3103545499,
            6.9936226416};
        for (int i = 0; i < X.length; i++) {
            close(want[i], y[i]);
        }
        float[] y2 = run("layer { name: \"s\" type: \"Swish\" bottom: \"data\" top: \"s\" swish_param { beta: 2 } }\n");
        close(0.5 * 0.7310585786, y2[5]); // 0.5 sigmoid(1)
        close(-1 * 0.1192029220, y2[1]); // -1 sigmoid(-2)
        close(7 * 0.9999991685, y2[7]); // 7 sigmoid(14)
    }

    @Test
    void eluExpLogBnllThresholdAbsByHand() throws Exception {
        Unary elu = op("layer { name: \"e\" type: \"ELU\" bottom: \"data\" top: \"e\" elu_param { alpha: 0.5 } }\n");
        close(-0.3160602794, elu.apply(-1f));
        close(2, elu.apply(2f));
        assertEquals(Unary.elu(1f), op("layer { name: \"e\" type: \"ELU\" bottom: \"data\" top: \"e\" }\n"));

        Unary exp = op("layer { name: \"x\" type: \"Exp\" bottom: \"data\" top: \"x\" "
                + "exp_param { base: 2 scale: 3 shift: 1 } }\n");
        close(5.6568542495, exp.apply(0.5f)); // 2^(1 + 1.5)
        Unary e = op("layer { name: \"x\" type: \"Exp\" bottom: \"data\" top: \"x\" }\n");
        assertEquals(Unary.exp(-1f, 1f, 0f), e);
        close(Math.E, e.apply(1f));
        close(Math.exp(0.7 - 2), op("layer { name: \"x\" type: \"Exp\" bottom: \"data\" top: \"x\" "
                + "exp_param { scale: -2 shift: 0.7 } }\n").apply(1f));

        Unary log10 = op("layer { name: \"l\" type: \"Log\" bottom: \"data\" top: \"l\" "
                + "log_param { base: 10 scale: 2 shift: 0.5 } }\n");
        close(2, log10.apply(49.75f)); // log10(100)
        close(1, op("layer { name: \"l\" type: \"Log\" bottom: \"data\" top: \"l\" }\n").apply((float) Math.E));

        Unary bnll = op("layer { name: \"b\" type: \"BNLL\" bottom: \"data\" top: \"b\" }\n");
        close(Math.log(2), bnll.apply(0f));
        close(100, bnll.apply(100f)); // x + log(1 + e^-x): no overflow
        close(1000, bnll.apply(1000f));
        assertEquals(0f, bnll.apply(-100f)); // log(1 + 3.7e-44) rounds to 0 as in Caffe
        close(2.0611536e-9, bnll.apply(-20f));

        Unary t = op("layer { name: \"t\" type: \"Threshold\" bottom: \"data\" top: \"t\" }\n");
        assertEquals(0f, t.apply(0f));
        assertEquals(0f, t.apply(-0.0f));
        assertEquals(1f, t.apply(1e-30f));
        Unary t3 = op("layer { name: \"t\" type: \"Threshold\" bottom: \"data\" top: \"t\" "
                + "threshold_param { threshold: 0.3 } }\n");
        assertEquals(0f, t3.apply(0.3f));
        assertEquals(1f, t3.apply(0.30001f));

        Unary abs = op("layer { name: \"a\" type: \"AbsVal\" bottom: \"data\" top: \"a\" }\n");
        assertEquals(3f, abs.apply(-3f));
        assertEquals(0.0f, abs.apply(-0.0f));
    }

    @Test
    void caffesChecksNameTheField() throws Exception {
        assertField("exp_param.base", "layer { name: \"x\" type: \"Exp\" bottom: \"data\" top: \"x\" "
                + "exp_param { base: -2 } }\n");
        assertField("exp_param.base", "layer { name: \"x\" type: \"Exp\" bottom: \"data\" top: \"x\" "
                + "exp_param { base: 0 } }\n");
        assertField("log_param.base", "layer { name: \"l\" type: \"Log\" bottom: \"data\" top: \"l\" "
                + "log_param { base: 1 } }\n");
        assertField("log_param.base", "layer { name: \"l\" type: \"Log\" bottom: \"data\" top: \"l\" "
                + "log_param { base: -0.5 } }\n");
        assertField("clip_param.max", "layer { name: \"c\" type: \"Clip\" bottom: \"data\" top: \"c\" "
                + "clip_param { min: 0 } }\n");
        assertField("clip_param.min", "layer { name: \"c\" type: \"Clip\" bottom: \"data\" top: \"c\" }\n");
        assertField("clip_param.min", "layer { name: \"c\" type: \"Clip\" bottom: \"data\" top: \"c\" "
                + "clip_param { min: 2 max: 1 } }\n");
        assertField("top", "layer { name: \"a\" type: \"AbsVal\" bottom: \"data\" top: \"data\" }\n");
    }

    private void assertField(String field, String layer) {
        ModelException e = assertThrows(ModelException.class, () -> load(layer));
        assertTrue(e.getMessage().contains(field + ":"), e.getMessage());
        assertTrue(e.getMessage().contains("layer \""), e.getMessage());
    }

    @Test
    void theOpChecksItsParameters() {
        assertThrows(IllegalArgumentException.class, () -> new Unary(Unary.Kind.ABS, 1f, 0f, 0f));
        assertThrows(IllegalArgumentException.class, () -> Unary.exp(-3f, 1f, 0f));
        assertThrows(IllegalArgumentException.class, () -> Unary.log(1f, 1f, 0f));
        assertThrows(IllegalArgumentException.class, () -> Unary.clip(1f, 0f));
        assertThrows(IllegalArgumentException.class, () -> new Unary(null, 0f, 0f, 0f));
        assertEquals(java.util.List.of("base", "scale", "shift"), Unary.Kind.LOG.params());
    }
}
