package org.senet4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.onnx.proto.ModelProto;
import org.senet4j.onnx.proto.NodeProto;

/**
 * LSTM and RNN as ONNX Scan in ONNX Runtime against the reference kernels: every opset the exporter writes, one
 * model at 1, 4 and 7 steps (the first axis, T, stays symbolic), continuation flags of 0 and 1 and of other values
 * (Caffe multiplies by them), and a fixed-shape net with a static input and exposed states.
 */
class RecurrentExportTest {
    @TempDir
    Path dir;

    static final String STEPS = """
            name: "recurrent_steps"
            layer { name: "data" type: "Input" top: "x" top: "cont"
                    input_param { shape { dim: 4 dim: 3 dim: 2 dim: 2 } shape { dim: 4 dim: 3 } } }
            layer { name: "lstm" type: "LSTM" bottom: "x" bottom: "cont" top: "h" recurrent_param { num_output: 6 } }
            layer { name: "rnn" type: "RNN" bottom: "x" bottom: "cont" top: "o" recurrent_param { num_output: 5 } }
            layer { name: "lstm2" type: "LSTM" bottom: "o" bottom: "cont" top: "h2" recurrent_param { num_output: 2 } }
            """;

    static final String STATES = """
            name: "recurrent_states"
            layer { name: "data" type: "Input" top: "x" top: "cont" top: "xs" top: "h0" top: "c0"
                    input_param { shape { dim: 5 dim: 2 dim: 3 } shape { dim: 5 dim: 2 } shape { dim: 2 dim: 2 dim: 2 }
                                  shape { dim: 1 dim: 2 dim: 4 } shape { dim: 1 dim: 2 dim: 4 } } }
            layer { name: "lstm" type: "LSTM" bottom: "x" bottom: "cont" bottom: "xs" bottom: "h0" bottom: "c0"
                    top: "h" top: "hT" top: "cT" recurrent_param { num_output: 4 expose_hidden: true } }
            layer { name: "rnn" type: "RNN" bottom: "x" bottom: "cont" bottom: "xs" bottom: "h0"
                    top: "o" top: "oT" recurrent_param { num_output: 4 expose_hidden: true } }
            """;

    /** 0/1 flags, 0 at some steps of every stream; or, with {@code anyValues}, uniform values in [-1, 1). */
    private static float[] cont(Shape s, boolean anyValues, long seed) {
        if (anyValues) {
            return OrtSupport.uniform(s.count(), seed);
        }
        float[] c = new float[(int) s.count()];
        for (int i = 0; i < c.length; i++) {
            c[i] = (i * 7 + seed) % 5 == 0 ? 0f : 1f;
        }
        return c;
    }

    @Test
    void everyOpsetAndAnyNumberOfSteps() throws Exception {
        Graph g = OrtSupport.load(dir, STEPS, 3, 1f);
        for (int opset = ExportOptions.MIN_OPSET; opset <= ExportOptions.MAX_OPSET; opset++) {
            ModelProto m = OnnxExporter.toModel(g, ExportOptions.DEFAULT.withOpset(opset).withExposeAll(true));
            assertEquals("N", m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
            assertEquals(3, m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Scan")).count());
            try (OrtSession s = OrtSupport.session(m.toByteArray(), 1)) {
                for (int steps : new int[] {1, 4, 7}) {
                    for (boolean anyValues : new boolean[] {false, true}) {
                        check(s, g.withBatchSize(steps), anyValues, opset * 10L + steps,
                                "opset " + opset + " T " + steps + (anyValues ? " any cont" : ""));
                    }
                }
            }
        }
    }

    @Test
    void staticInputAndExposedStates() throws Exception {
        Graph g = OrtSupport.load(dir, STATES, 4, 1f);
        for (boolean fold : new boolean[] {true, false}) {
            ModelProto m = OnnxExporter.toModel(g, ExportOptions.DEFAULT.withFold(fold).withExposeAll(true));
            NodeProto scan = m.getGraph().getNodeList().stream().filter(n -> n.getName().equals("lstm"))
                    .findFirst().orElseThrow();
            assertEquals("Scan", scan.getOpType());
            try (OrtSession s = OrtSupport.session(m.toByteArray(), 1)) {
                check(s, g, false, 9, "fold " + fold);
            }
        }
    }

    private static void check(OrtSession s, Graph g, boolean anyValues, long seed, String what) throws Exception {
        Map<String, float[]> in = new LinkedHashMap<>();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (String i : g.inputs()) {
            Shape sh = g.shape(i);
            in.put(i, i.equals("cont") ? cont(sh, anyValues, seed) : OrtSupport.uniform(sh.count(), seed + i.hashCode()));
            shapes.put(i, sh);
        }
        Map<String, float[]> ref = CaffeReference.run(g, in);
        OrtSupport.Outputs r = OrtSupport.run(s, in, shapes, null);
        int compared = 0;
        for (Node n : g.nodes()) {
            for (String v : n.inputs().isEmpty() ? java.util.List.<String>of() : n.outputs()) {
                OrtSupport.assertShape(g.shape(v), r.shapes().get(v), what + " " + v);
                OrtSupport.assertClose(r.values().get(v), ref.get(v), 1e-5, what + " " + v);
                compared++;
            }
        }
        assertTrue(compared >= 3, what + ": compared " + compared);
    }
}
