package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.OcrNets;
import org.senet4j.caffe.proto.BlobProto;
import org.senet4j.caffe.proto.BlobShape;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.engine.HostTensor;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.LSTM;
import org.senet4j.onnx.ExportOptions;
import org.senet4j.onnx.OnnxExporter;
import org.senet4j.verify.caffe.CaffeOracle;

/**
 * The OCR layers against their oracles on every backend (reference and CPU engines, passes on and off; ONNX Runtime,
 * folding on and off), with 1 and 2 streams:
 * <ul>
 *   <li>the fork {@code Lstm} (two stacked, into an inner product over axis 2) against real Caffe running the BVLC
 *   equivalent: BVLC's LSTM with an explicit cont bottom of 0 at step 0 and 1 after, and the fork's blobs W_x, W_h,
 *   b given to it as W_xc, b_c, W_hc (the gate rows are i, f, o, g in both), every blob;</li>
 *   <li>a CRNN-style tail (Transpose, Reshape, a bidirectional Lstm pair with Reverse, Concat, inner product,
 *   CTCGreedyDecoder) and ContinuationIndicator, which no oracle here has, against the reference engine, whose
 *   kernels OcrLayersTest proves by hand; decoded sequences exactly;</li>
 *   <li>the decoder's blank, merge and tie rules in ONNX Runtime on hand-made scores, exactly.</li>
 * </ul>
 */
class OcrOpsParityTest {
    @TempDir
    Path dir;

    private static final Map<String, String> WORST = new TreeMap<>();

    @AfterAll
    static void report() {
        WORST.forEach((k, v) -> System.out.println("[ocr-ops] " + k + ": " + v));
    }

    static final String BVLC = """
            name: "bvlc_lstm"
            layer { name: "data" type: "Input" top: "x" top: "cont"
                    input_param { shape { dim: T dim: N dim: 4 } shape { dim: T dim: N } } }
            layer { name: "lstm1" type: "LSTM" bottom: "x" bottom: "cont" top: "h1" recurrent_param { num_output: 5 } }
            layer { name: "lstm2" type: "LSTM" bottom: "h1" bottom: "cont" top: "h2" recurrent_param { num_output: 3 } }
            layer { name: "fc" type: "InnerProduct" bottom: "h2" top: "fc" inner_product_param { num_output: 4 axis: 2 } }
            """;

    static final String FORK = """
            name: "fork_lstm"
            layer { name: "data" type: "Input" top: "x" input_param { shape { dim: T dim: N dim: 4 } } }
            layer { name: "lstm1" type: "Lstm" bottom: "x" top: "h1" lstm_param { num_output: 5 } }
            layer { name: "lstm2" type: "Lstm" bottom: "h1" top: "h2" lstm_param { num_output: 3 } }
            layer { name: "fc" type: "InnerProduct" bottom: "h2" top: "fc" inner_product_param { num_output: 4 axis: 2 } }
            """;

    private static BlobProto blob(Tensor t) {
        BlobShape.Builder s = BlobShape.newBuilder();
        for (int d : t.shape().dims()) {
            s.addDim(d);
        }
        BlobProto.Builder b = BlobProto.newBuilder().setShape(s);
        for (float v : t.toArray()) {
            b.addData(v);
        }
        return b.build();
    }

    /** The BVLC graph's weights as the fork's caffemodel: each LSTM's blobs in the fork's order W_x, W_h, b. */
    private static NetParameter forkWeights(Graph bvlc) {
        NetParameter.Builder net = NetParameter.newBuilder().setName("fork_lstm");
        for (Node n : bvlc.nodes()) {
            if (n.op() instanceof LSTM l) {
                net.addLayer(LayerParameter.newBuilder().setName(n.name()).setType("Lstm").addBlobs(blob(l.wXc()))
                        .addBlobs(blob(l.wHc())).addBlobs(blob(l.bC())));
            } else if (!n.op().weights().isEmpty()) {
                LayerParameter.Builder lp = LayerParameter.newBuilder().setName(n.name()).setType(n.type());
                n.op().weights().values().forEach(t -> lp.addBlobs(blob(t)));
                net.addLayer(lp);
            }
        }
        return net.build();
    }

    @Test
    void forkLstmMatchesRealCaffesLstmWithAnImpliedContinuation() throws Exception {
        int steps = 6;
        Path bvlcWeights = null;
        BackendParity parity = new BackendParity(dir);
        for (int streams : new int[] {1, 2}) {
            String dims = "dim: " + steps + " dim: " + streams;
            Path bvlc = Files.writeString(dir.resolve("bvlc" + streams + ".prototxt"), BVLC.replace("dim: T dim: N",
                    dims));
            if (bvlcWeights == null) {
                bvlcWeights = dir.resolve("bvlc.caffemodel");
                CaffeOracle.writeRandomWeights(bvlc, bvlcWeights, 7);
            }
            Graph bvlcGraph = CaffeImporter.load(bvlc, bvlcWeights).graph();
            Path fork = Files.writeString(dir.resolve("fork" + streams + ".prototxt"), FORK.replace("dim: T dim: N",
                    dims));
            Path forkWeights = dir.resolve("fork" + streams + ".caffemodel");
            Files.write(forkWeights, forkWeights(bvlcGraph).toByteArray());
            Graph g = CaffeImporter.load(fork, forkWeights).graph();
            assertTrue(g.nodes().stream().allMatch(n -> !(n.op() instanceof LSTM l) || l.impliedCont()));

            float[] x = new float[steps * streams * 4];
            InputDistribution.UNIFORM.fill(20 + streams, x);
            float[] cont = new float[steps * streams];
            java.util.Arrays.fill(cont, streams, cont.length, 1f);
            Path xf = dir.resolve("x" + streams + ".npy");
            Path cf = dir.resolve("cont" + streams + ".npy");
            Npy.write(xf, new int[] {steps, streams, 4}, x);
            Npy.write(cf, new int[] {steps, streams}, cont);
            Map<String, Path> caffeInputs = new LinkedHashMap<>(Map.of("x", xf, "cont", cf));
            Path out = dir.resolve("caffe" + streams);
            Map<String, Path> blobs = new LinkedHashMap<>(CaffeOracle.forward(bvlc, bvlcWeights, caffeInputs, out,
                    null, 1));
            blobs.remove("cont");
            assertTrue(blobs.keySet().containsAll(List.of("h1", "h2", "fc")), blobs.keySet().toString());
            ReferenceSet ref = new ReferenceSet(out, Map.of("x", xf), blobs);
            parity.check("fork Lstm N=" + streams, g, ref, 3);
        }
        WORST.put("fork Lstm vs real Caffe LSTM (T=6, N=1,2)", parity.worst().toString());
    }

    @Test
    void ocrTailOnEveryBackendAgainstTheHandCheckedKernels() throws Exception {
        Graph g = SeededWeights.fill(CaffeImporter.load(Files.writeString(dir.resolve("tail.prototxt"),
                OcrNets.tail(1, 9)), null).graph(), 31);
        BackendParity parity = new BackendParity(dir);
        List<String> blobs = OcrNets.TAIL_BLOBS;
        for (int batch : new int[] {1, 2}) {
            Graph gb = g.withBatchSize(batch);
            float[] x = new float[batch * 3 * 2 * 9];
            InputDistribution.UNIFORM.fill(50 + batch, x);
            Map<String, HostTensor> in = Map.of("data", new HostTensor(gb.shape("data"), x));
            ReferenceSet ref = parity.fromReferenceEngine("tail" + batch, gb, in, blobs);
            assertEquals(Shape.of(batch, 9, 1, 1), gb.shape("result"));
            assertEquals(Shape.of(9, batch), gb.shape("ci"));
            parity.check("ocr tail", g, ref, blobs.size(), (label, engine, report) -> {
                for (BlobResult r : report.blobs()) {
                    if (r.name().equals("result") || r.name().equals("ci")) {
                        assertEquals(0.0, r.maxAbsError(), label + ": " + r);
                    }
                }
            });
            // ONNX Runtime's decoding, exactly, at a batch size the export was not made for, at the lowest, default
            // and highest opsets
            for (int opset : new int[] {13, 17, 21}) {
                Path onnx = dir.resolve("tail" + opset + ".onnx");
                OnnxExporter.write(g, ExportOptions.defaults().withOpset(opset).withExposeAll(true), onnx);
                try (OrtRunner ort = new OrtRunner(onnx)) {
                    Map<String, HostTensor> got = ort.run(in, Set.of("result", "fc"));
                    assertArrayEquals(Npy.read(ref.blobs().get("result")).data(), got.get("result").data(),
                            "b" + batch + " opset " + opset);
                    BlobResult fc = BlobResult.compare("fc", got.get("fc").shape(), got.get("fc").data(),
                            Npy.read(ref.blobs().get("fc")).data(), BackendParity.TOLERANCE);
                    assertTrue(fc.pass(), "opset " + opset + ": " + fc);
                    WORST.put("ocr tail b" + batch + " opset " + opset + " fc", String.valueOf(fc.relError()));
                    WORST.put("ocr tail b" + batch + " decoded", java.util.Arrays.toString(got.get("result").data()));
                }
            }
        }
        WORST.put("ocr tail vs reference engine (b1, b2)", parity.worst().toString());
    }

    private float[] ortDecode(String params, int steps, int n, int classes, float[] x) throws Exception {
        Path p = Files.writeString(dir.resolve("ctc.prototxt"), "name: \"ctc\"\nlayer { name: \"data\" type: "
                + "\"Input\" top: \"data\" input_param { shape { dim: " + steps + " dim: " + n + " dim: " + classes
                + " } } }\nlayer { name: \"ctc\" type: \"CTCGreedyDecoder\" bottom: \"data\" top: \"ctc\" " + params
                + " }\n");
        Graph g = CaffeImporter.load(p, null).graph();
        Path onnx = dir.resolve("ctc.onnx");
        OnnxExporter.write(g, ExportOptions.defaults(), onnx);
        try (OrtRunner ort = new OrtRunner(onnx)) {
            HostTensor y = ort.run(Map.of("data", new HostTensor(Shape.of(steps, n, classes), x)), Set.of("ctc"))
                    .get("ctc");
            assertEquals(Shape.of(n, steps, 1, 1), y.shape());
            return y.data();
        }
    }

    @Test
    void ctcRulesInOnnxRuntimeExactly() throws Exception {
        // the cases of OcrLayersTest, worked out by hand from the fork's Decode
        int[][] k = {{1, 1, 0, 1, 2, 2}, {0, 0, 0, 0, 0, 0}, {3, 0, 3, 3, 1, 0}};
        float[] x = OcrNets.onehot(k, 4);
        assertArrayEquals(new float[] {1, 1, 2, -1, -1, -1, -1, -1, -1, -1, -1, -1, 3, 3, 1, -1, -1, -1},
                ortDecode("", 6, 3, 4, x));
        assertArrayEquals(new float[] {1, 1, 1, 2, 2, -1, -1, -1, -1, -1, -1, -1, 3, 3, 3, 1, -1, -1},
                ortDecode("ctc_decoder_param { ctc_merge_repeated: false }", 6, 3, 4, x));
        assertArrayEquals(new float[] {1, 0, 1, 2, -1, -1, 0, -1, -1, -1, -1, -1, 0, 1, 0, -1, -1, -1},
                ortDecode("ctc_decoder_param { blank_index: -1 }", 6, 3, 4, x));
        assertArrayEquals(new float[] {1, 0, 1, -1, -1, -1, 0, -1, -1, -1, -1, -1, 3, 0, 3, 1, 0, -1},
                ortDecode("ctc_decoder_param { blank_index: 2 }", 6, 3, 4, x));
        // ties: the lowest class wins (the fork's strict >, ONNX ArgMax's first index)
        float[] ties = {0, 5, 5, 1, 7, 0, 0, 7, 0, 0, 9, 0, 2, 2, 2, 2};
        assertArrayEquals(new float[] {1, 2, -1, -1}, ortDecode("", 4, 1, 4, ties));
        // one step
        assertArrayEquals(new float[] {2}, ortDecode("", 1, 1, 3, new float[] {0, 1, 3}));
    }
}
