package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.LSTMUnit;
import org.senet4j.verify.caffe.CaffeOracle;

/**
 * BVLC's LSTMUnit against real Caffe (which registers it), every blob within 1e-4 (relative L-infinity) on the
 * reference engine and the CPU engine with passes on and off, and on ONNX Runtime running the export with folding on
 * and off, at N = 1 and 2 samples. Two nets: units fed straight from Input blobs (D = 3 and D = 8, gate inputs
 * spread over +-4 so every sigmoid and tanh leaves its linear range, a second D = 3 step on the first's C), and a
 * two-step cell fed by InnerProducts over axis 2 (weights involved: H of the first step makes the second step's
 * gates). The cont inputs mix 0 and 1 in every run (and a 2, which Caffe multiplies into the forget gate), so the
 * reset is exercised on every engine.
 */
class LstmUnitParityTest {
    static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    private static final Map<String, Double> WORST = new TreeMap<>();

    /** Units on Input blobs: D = 8 and D = 3, and a second D = 3 step from the first one's C. */
    static final String DIRECT = """
            name: "lstm_unit_direct"
            layer { name: "data" type: "Input" top: "c8" top: "x8" top: "c3" top: "x3" top: "x3b" top: "cont"
                    top: "cont2"
                    input_param { shape { dim: 1 dim: N dim: 8 } shape { dim: 1 dim: N dim: 32 }
                                  shape { dim: 1 dim: N dim: 3 } shape { dim: 1 dim: N dim: 12 }
                                  shape { dim: 1 dim: N dim: 12 } shape { dim: 1 dim: N } shape { dim: 1 dim: N } } }
            layer { name: "unit8" type: "LSTMUnit" bottom: "c8" bottom: "x8" bottom: "cont" top: "c8_out"
                    top: "h8_out" }
            layer { name: "unit3" type: "LSTMUnit" bottom: "c3" bottom: "x3" bottom: "cont2" top: "c3_out"
                    top: "h3_out" }
            layer { name: "unit3b" type: "LSTMUnit" bottom: "c3_out" bottom: "x3b" bottom: "cont" top: "c3b_out"
                    top: "h3b_out" }
            layer { name: "sum" type: "Eltwise" bottom: "h3_out" bottom: "h3b_out" top: "sum" }
            """;

    /** Two steps of a D = 4 cell whose gates come from InnerProducts (the second from the first step's H). */
    static final String FED = """
            name: "lstm_unit_fed"
            layer { name: "data" type: "Input" top: "in" top: "c0" top: "cont" top: "cont2"
                    input_param { shape { dim: 1 dim: N dim: 5 } shape { dim: 1 dim: N dim: 4 }
                                  shape { dim: 1 dim: N } shape { dim: 1 dim: N } } }
            layer { name: "gates1" type: "InnerProduct" bottom: "in" top: "gates1"
                    inner_product_param { num_output: 16 axis: 2 } }
            layer { name: "step1" type: "LSTMUnit" bottom: "c0" bottom: "gates1" bottom: "cont" top: "c1" top: "h1" }
            layer { name: "gates2" type: "InnerProduct" bottom: "h1" top: "gates2"
                    inner_product_param { num_output: 16 axis: 2 } }
            layer { name: "step2" type: "LSTMUnit" bottom: "c1" bottom: "gates2" bottom: "cont2" top: "c2" top: "h2" }
            layer { name: "score" type: "InnerProduct" bottom: "h2" top: "score"
                    inner_product_param { num_output: 3 axis: 2 } }
            """;

    @AfterAll
    static void report() {
        System.out.println("LstmUnitParityTest worst relative errors: " + WORST);
    }

    @Test
    void unitsOnInputBlobsMatchRealCaffe() throws Exception {
        Path weights = null;
        for (int n : new int[] {1, 2}) {
            weights = check("direct", DIRECT, n, weights, 3, 7);
        }
    }

    @Test
    void unitsFedByInnerProductsMatchRealCaffe() throws Exception {
        Path weights = null;
        for (int n : new int[] {1, 2}) {
            weights = check("fed", FED, n, weights, 2, 7);
        }
    }

    /**
     * cont and cont2 for N samples: N = 1 gives cont 0 and cont2 1; N = 2 gives cont (1, 0) and cont2 (0, 2), so each
     * run has a reset and a continuation, and a cont of 2 scales a forget gate.
     */
    static float[] cont(String name, int n) {
        if (n == 1) {
            return new float[] {name.equals("cont") ? 0f : 1f};
        }
        return name.equals("cont") ? new float[] {1f, 0f} : new float[] {0f, 2f};
    }

    /**
     * Real Caffe's blobs of the net at N samples; every backend against them, at least {@code computed} blobs (those
     * the net computes; the engines also compare the inputs). Returns the weights used.
     */
    private Path check(String what, String net, int n, Path weights, int units, int computed) throws Exception {
        Path proto = Files.writeString(dir.resolve(what + n + ".prototxt"), net.replace("dim: N", "dim: " + n));
        if (weights == null) {
            weights = dir.resolve(what + ".caffemodel");
            CaffeOracle.writeRandomWeights(proto, weights, 5);
        }
        Graph g = CaffeImporter.load(proto, weights).graph();
        assertEquals(units, g.nodes().stream().filter(x -> x.op() instanceof LSTMUnit).count());
        Map<String, Path> inputs = new LinkedHashMap<>();
        long seed = 60 + 10L * n;
        for (String name : g.inputs()) {
            Shape s = g.shape(name);
            float[] v;
            if (name.startsWith("cont")) {
                v = cont(name, n);
            } else {
                v = new float[Math.toIntExact(s.count())];
                InputDistribution.UNIFORM.fill(seed++, v);
                if (name.startsWith("x")) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] *= 4f;
                    }
                }
            }
            Path p = dir.resolve(what + n + "_" + name + ".npy");
            Npy.write(p, s.dims(), v);
            inputs.put(name, p);
        }
        Path out = dir.resolve(what + n + "_blobs");
        Map<String, Path> blobs = CaffeOracle.forward(proto, weights, inputs, out, null, 1);
        ReferenceSet ref = new ReferenceSet(out, inputs, blobs);
        BackendParity parity = new BackendParity(dir);
        // ONNX Runtime exposes the computed blobs only (BackendParity allows it one blob fewer than the engines)
        parity.check(what + " N=" + n, g, ref, computed + 1, (label, e, r) -> {
            assertTrue(r.blobs().size() >= computed + g.inputs().size(), label + ": compared " + r.blobs().size());
            if (e instanceof org.senet4j.engine.cpu.CpuEngine cpu) {
                List<String> steps = cpu.steps(g.batchSize());
                for (Node node : g.nodes()) {
                    if (node.op() instanceof LSTMUnit) {
                        String want = node.name() + " [java LSTMUnit]";
                        assertTrue(steps.contains(want), label + ": no step " + want + " in " + steps);
                    }
                }
            }
            for (Node node : g.nodes()) {
                if (node.op() instanceof LSTMUnit) {
                    for (String top : node.outputs()) {
                        assertTrue(r.blobs().stream().anyMatch(b -> b.name().equals(top)), label + ": " + top
                                + " not compared");
                    }
                }
            }
        });
        parity.worst().forEach((k, v) -> WORST.merge(k.replace(" N=" + n, ""), v, Math::max));
        System.out.println("[lstm-unit-parity] " + what + " N=" + n + ": " + parity.worst());
        return weights;
    }
}
