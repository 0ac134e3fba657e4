package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.onnx.ExportOptions;
import org.senet4j.onnx.OnnxExporter;
import org.senet4j.passes.Passes;
import org.senet4j.verify.caffe.CaffeOracle;

/**
 * LSTM and RNN against real Caffe, every blob, with 1 and 2 streams (N, Caffe's batch of a recurrent layer; axis 0
 * is time): the reference engine and the CPU engine with passes on and off, and ONNX Runtime on the export (folding
 * on and off). Sequences of 5 and 6 steps whose continuation flags (0/1) reset the state in the middle and at the
 * first step; an input of 4 axes (T x N x 2 x 3); LSTM into RNN; a static input (3 axes) and exposed initial and
 * final states (h_0/c_0 in, h_T/c_T out) in every combination. One ONNX export of the first net also runs at another
 * number of steps (the Scan takes any T), checked against the reference engine there.
 */
class RecurrentParityTest {
    static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    private static final Map<String, Double> WORST = new TreeMap<>();

    /** LSTM on a 4-axis input into an RNN, then an inner product over the steps' outputs. */
    static final String CHAIN = """
            name: "recurrent_chain"
            layer { name: "data" type: "Input" top: "x" top: "cont"
                    input_param { shape { dim: T dim: N dim: 2 dim: 3 } shape { dim: T dim: N } } }
            layer { name: "lstm" type: "LSTM" bottom: "x" bottom: "cont" top: "h" recurrent_param { num_output: 5 } }
            layer { name: "rnn" type: "RNN" bottom: "h" bottom: "cont" top: "o" recurrent_param { num_output: 4 } }
            layer { name: "score" type: "InnerProduct" bottom: "o" top: "score"
                    inner_product_param { num_output: 3 axis: 2 } }
            layer { name: "tanh" type: "TanH" bottom: "h" top: "tanh" }
            """;

    /** Static input and exposed states, alone and together, for both layer types. */
    static final String STATES = """
            name: "recurrent_states"
            layer { name: "data" type: "Input" top: "x" top: "cont" top: "xs" top: "h0" top: "c0" top: "rh0"
                    input_param { shape { dim: T dim: N dim: 6 } shape { dim: T dim: N } shape { dim: N dim: 2 dim: 2 }
                                  shape { dim: 1 dim: N dim: 5 } shape { dim: 1 dim: N dim: 5 }
                                  shape { dim: 1 dim: N dim: 3 } } }
            layer { name: "lstm_all" type: "LSTM" bottom: "x" bottom: "cont" bottom: "xs" bottom: "h0" bottom: "c0"
                    top: "h_all" top: "h_all_T" top: "c_all_T" recurrent_param { num_output: 5 expose_hidden: true } }
            layer { name: "lstm_static" type: "LSTM" bottom: "x" bottom: "cont" bottom: "xs" top: "h_static"
                    recurrent_param { num_output: 3 } }
            layer { name: "lstm_exposed" type: "LSTM" bottom: "h_static" bottom: "cont" bottom: "h0" bottom: "c0"
                    top: "h_exposed" top: "h_exposed_T" top: "c_exposed_T"
                    recurrent_param { num_output: 5 expose_hidden: true } }
            layer { name: "rnn_all" type: "RNN" bottom: "x" bottom: "cont" bottom: "xs" bottom: "rh0"
                    top: "o_all" top: "o_all_T" recurrent_param { num_output: 3 expose_hidden: true } }
            layer { name: "rnn_static" type: "RNN" bottom: "h_all" bottom: "cont" bottom: "xs" top: "o_static"
                    recurrent_param { num_output: 4 } }
            layer { name: "rnn_exposed" type: "RNN" bottom: "x" bottom: "cont" bottom: "rh0" top: "o_exposed"
                    top: "o_exposed_T" recurrent_param { num_output: 3 expose_hidden: true } }
            layer { name: "sum" type: "Eltwise" bottom: "h_all_T" bottom: "h_exposed_T" top: "sum" }
            """;

    @AfterAll
    static void report() {
        System.out.println("RecurrentParityTest worst relative errors: " + WORST);
    }

    @Test
    void lstmIntoRnnOnAFourAxisInput() throws Exception {
        Path weights = null;
        for (int streams : new int[] {1, 2}) {
            Case c = run("chain", CHAIN, 6, streams, weights);
            weights = c.weights;
            check("chain", c, 6);
        }
    }

    @Test
    void staticInputAndExposedStates() throws Exception {
        Path weights = null;
        for (int streams : new int[] {1, 2}) {
            Case c = run("states", STATES, 5, streams, weights);
            weights = c.weights;
            check("states", c, 19);
        }
    }

    /** One export of the chain net at 6 steps, run by ONNX Runtime at 9 steps against the reference engine. */
    @Test
    void onnxExportTakesAnyNumberOfSteps() throws Exception {
        Path proto = Files.writeString(dir.resolve("steps.prototxt"), CHAIN.replace("dim: T", "dim: 6")
                .replace("dim: N", "dim: 2"));
        Path weights = dir.resolve("steps.caffemodel");
        CaffeOracle.writeRandomWeights(proto, weights, 5);
        Graph g = CaffeImporter.load(proto, weights).graph();
        Path onnx = dir.resolve("steps.onnx");
        OnnxExporter.write(g, ExportOptions.defaults(), onnx);
        Graph g9 = g.withBatchSize(9);
        Map<String, HostTensor> in = new LinkedHashMap<>();
        in.put("x", new HostTensor(Shape.of(9, 2, 2, 3), uniform(9 * 2 * 6, 17)));
        in.put("cont", new HostTensor(Shape.of(9, 2), cont(9, 2)));
        float[] expected;
        try (Engine e = Engines.create("reference", g9, EngineOptions.DEFAULT)) {
            expected = e.run(in).get("score").data();
        }
        try (OrtRunner ort = new OrtRunner(onnx)) {
            HostTensor got = ort.run(in, Set.of("score")).get("score");
            assertEquals(Shape.of(9, 2, 3), got.shape());
            BlobResult r = BlobResult.compare("score", got.shape(), got.data(), expected, TOLERANCE);
            assertTrue(r.pass(), r.toString());
            WORST.merge("steps onnx vs reference", r.relError(), Math::max);
        }
    }

    private record Case(Graph graph, ReferenceSet ref, Path weights, int streams) {
    }

    /**
     * The net at T steps and N streams, real Caffe's blobs for inputs of uniform values, continuation flags that are
     * 0 at some mid-sequence steps (and at the first step of odd streams), and (given or random) weights.
     */
    private Case run(String what, String net, int steps, int streams, Path weights) throws Exception {
        String text = net.replace("dim: T", "dim: " + steps).replace("dim: N", "dim: " + streams);
        Path proto = Files.writeString(dir.resolve(what + streams + ".prototxt"), text);
        if (weights == null) {
            weights = dir.resolve(what + ".caffemodel");
            CaffeOracle.writeRandomWeights(proto, weights, 3);
        }
        Graph g = CaffeImporter.load(proto, weights).graph();
        Map<String, Path> inputs = new LinkedHashMap<>();
        long seed = 40 + streams;
        for (String name : g.inputs()) {
            Shape s = g.shape(name);
            float[] v = name.equals("cont") ? cont(steps, streams) : uniform(Math.toIntExact(s.count()), seed++);
            Path p = dir.resolve(what + streams + "_" + name + ".npy");
            Npy.write(p, s.dims(), v);
            inputs.put(name, p);
        }
        Path out = dir.resolve(what + streams + "_blobs");
        Map<String, Path> blobs = CaffeOracle.forward(proto, weights, inputs, out, null, 1);
        return new Case(g, new ReferenceSet(out, inputs, blobs), weights, streams);
    }

    /** cont[t][n]: 0 where (t + 2n) % 3 == 2 (stream 0 resets at steps 2 and 5, stream 1 at 0 and 3), else 1. */
    static float[] cont(int steps, int streams) {
        float[] c = new float[steps * streams];
        for (int t = 0; t < steps; t++) {
            for (int n = 0; n < streams; n++) {
                c[t * streams + n] = (t + 2 * n) % 3 == 2 ? 0f : 1f;
            }
        }
        return c;
    }

    private static float[] uniform(int count, long seed) {
        float[] v = new float[count];
        InputDistribution.UNIFORM.fill(seed, v);
        return v;
    }

    private void check(String what, Case c, int minBlobs) throws Exception {
        String label0 = what + " N=" + c.streams;
        for (String device : List.of("reference", "cpu")) {
            for (List<String> passes : List.of(List.<String>of(), List.of("all"))) {
                try (Engine e = Engines.create(device, Passes.optimize(c.graph, passes), EngineOptions.DEFAULT)) {
                    VerifyReport r = Verifier.verify(e, c.ref, TOLERANCE);
                    String label = label0 + " " + device + " passes " + (passes.isEmpty() ? "on" : "off");
                    assertTrue(r.pass(), label + ": " + r.blobs().stream().filter(b -> !b.pass())
                            .map(BlobResult::toString).toList());
                    assertTrue(r.blobs().size() >= minBlobs, label + ": compared " + r.blobs().size());
                    WORST.merge(what + " " + device, r.worstRelError(), Math::max);
                    assertEquals(device.equals("cpu"), e instanceof org.senet4j.engine.cpu.CpuEngine, device);
                    if (e instanceof org.senet4j.engine.cpu.CpuEngine cpu) {
                        List<String> steps = cpu.steps(c.graph.batchSize());
                        for (org.senet4j.ir.Node n : c.graph.nodes()) {
                            if (n.op() instanceof org.senet4j.ir.op.LSTM || n.op() instanceof org.senet4j.ir.op.RNN) {
                                String want = n.name() + " [java " + n.op().opName() + "]";
                                assertTrue(steps.contains(want), label + ": no step " + want + " in " + steps);
                            }
                        }
                    }
                }
            }
        }
        for (boolean fold : new boolean[] {true, false}) {
            Path onnx = dir.resolve("model.onnx");
            OnnxExporter.write(c.graph, ExportOptions.defaults().withFold(fold).withExposeAll(true), onnx);
            try (OrtRunner ort = new OrtRunner(onnx)) {
                Map<String, HostTensor> in = Verifier.inputs(c.ref, c.graph);
                Set<String> wanted = new HashSet<>(c.ref.blobs().keySet());
                wanted.retainAll(ort.outputNames());
                assertTrue(wanted.size() >= minBlobs - c.graph.inputs().size(), label0 + " onnx: " + wanted);
                Map<String, HostTensor> out = ort.run(in, wanted);
                List<String> failed = new ArrayList<>();
                for (String blob : wanted) {
                    Npy.NpyArray r = Npy.read(c.ref.blobs().get(blob));
                    assertEquals(Shape.of(r.shape()), out.get(blob).shape(), label0 + " onnx " + blob);
                    BlobResult cmp = BlobResult.compare(blob, out.get(blob).shape(), out.get(blob).data(), r.data(),
                            TOLERANCE);
                    if (!cmp.pass()) {
                        failed.add(cmp.toString());
                    }
                    WORST.merge(what + " onnx", cmp.relError(), Math::max);
                }
                assertTrue(failed.isEmpty(), label0 + " onnx fold " + fold + ": " + failed);
            }
            Files.delete(onnx);
        }
    }
}
