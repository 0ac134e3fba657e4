package org.senet4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.DetectionOutput;
import org.senet4j.ir.op.DetectionOutput.CodeType;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.Normalize;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.Permute;
import org.senet4j.ir.op.PriorBox;
import org.senet4j.onnx.proto.ModelProto;

/**
 * The SSD fork's layers in ONNX Runtime against the reference kernels: Permute, Normalize (both forms), PriorBox (an
 * initializer at the export's shapes) and DetectionOutput in its variants (the three codes, variance in the target
 * or not, shared and per-class locations, background inside and outside the classes, confidence threshold or none,
 * top_k, keep_top_k, the empty result, keep_top_k 0, tied scores), every fourth opset, batch 1 and 3 on one export:
 * same row count, images, labels and scores exactly, boxes within 1e-5, in the same order. With tied scores the NMS
 * order is the fork's too (ONNX TopK and ONNX Runtime's NonMaxSuppression put the lower index first, as the fork's
 * stable sort); only keep_top_k, which the fork does with the unstable {@code std::sort}, may then keep other boxes
 * among equal scores (the same scores per image).
 */
class DetectionExportTest {

    private static final int CLASSES = 4;

    /** A graph: image and feature-map inputs, priors from them, loc and conf inputs, one DetectionOutput. */
    private static Graph graph(DetectionOutput d) throws ModelException {
        PriorBox pb = new PriorBox(List.of(8f), List.of(16f), PriorBox.aspectRatios(List.of(2f), true), true,
                List.of(0.1f, 0.1f, 0.2f, 0.2f), 0, 0, 0, 0, 0.5f);
        int p = 3 * 4 * pb.numPriors();
        Graph.Builder b = Graph.builder("det");
        add(b, "data", new Input(List.of(Shape.of(1, 3, 32, 40)), "Input"), List.of(), "data");
        add(b, "feat", new Input(List.of(Shape.of(1, 2, 3, 4)), "Input"), List.of(), "feat");
        add(b, "loc", new Input(List.of(Shape.of(1, p * d.locClasses() * 4)), "Input"), List.of(), "loc");
        add(b, "conf", new Input(List.of(Shape.of(1, p * d.numClasses())), "Input"), List.of(), "conf");
        add(b, "prior", pb, List.of("feat", "data"), "prior");
        add(b, "perm", new Permute(List.of(0, 2, 3, 1)), List.of("feat"), "perm");
        add(b, "norm", new Normalize(false, false, 1e-10f, Tensor.of(Shape.of(2), new float[] {20, 0.5f})),
                List.of("feat"), "norm");
        add(b, "norm_all", new Normalize(true, true, 0.5f, Tensor.of(Shape.of(), new float[] {3})), List.of("feat"),
                "norm_all");
        add(b, "det", d, List.of("loc", "conf", "prior"), "det");
        return b.build();
    }

    private static void add(Graph.Builder b, String name, Op op, List<String> in, String out) throws ModelException {
        b.add(new Node(name, op.opName(), op, in, List.of(out)), List.of(out));
    }

    private static DetectionOutput det(CodeType code, boolean vet, boolean share, int bg, float nms, int topK,
                                       float eta, int keepTopK, float threshold) {
        return new DetectionOutput(CLASSES, share, bg, code, vet, nms, topK, eta, keepTopK, threshold);
    }

    static final float NONE = -Float.MAX_VALUE;

    static List<DetectionOutput> variants() {
        return List.of(
                det(CodeType.CENTER_SIZE, false, true, 0, 0.45f, 10, 1f, 15, 0.2f),
                det(CodeType.CENTER_SIZE, true, true, 0, 0.3f, -1, 1f, -1, 0.4f),
                det(CodeType.CORNER, true, false, 1, 0.5f, -1, 1f, -1, NONE),
                det(CodeType.CORNER, false, false, 0, 0.5f, 20, 0.5f, 9, 0.3f),   // eta < 1 at 0.5: never shrinks
                det(CodeType.CORNER_SIZE, false, true, 7, 0.3f, 5, 1f, 7, 0.1f),  // no background among the classes
                det(CodeType.CORNER_SIZE, true, false, 2, 0.6f, 8, 1f, 12, 0.25f),
                det(CodeType.CENTER_SIZE, false, true, 0, 0.45f, 10, 1f, 15, 0.99f),  // nothing: the empty rows
                det(CodeType.CENTER_SIZE, false, true, 0, 0.45f, 10, 1f, 0, 0.2f));   // keep_top_k 0: always empty
    }

    @Test
    void everyVariantEveryOpsetMatchesTheKernels() throws Exception {
        int checked = 0;
        for (DetectionOutput d : variants()) {
            Graph g = graph(d);
            for (int opset = ExportOptions.MIN_OPSET; opset <= ExportOptions.MAX_OPSET; opset += 4) {
                checked += compare(g, opset, false, "opset " + opset + " " + d);
            }
            checked += compare(g, ExportOptions.MAX_OPSET, true, "tied scores " + d);
        }
        System.out.println("DetectionExportTest: " + checked + " detection rows compared");
    }

    /** Compares ORT with the kernels at batch 1 and 3 on one export; returns the rows compared. */
    private static int compare(Graph g, int opset, boolean ties, String what) throws Exception {
        byte[] model = OnnxExporter.export(g, ExportOptions.DEFAULT.withOpset(opset).withExtraOutputs(List.of("prior")));
        int rows = 0;
        try (OrtSession s = OrtSupport.session(model, 1)) {
            for (int batch : new int[] {1, 3}) {
                Graph gb = g.withBatchSize(batch);
                Map<String, float[]> in = new LinkedHashMap<>();
                Map<String, Shape> shapes = new LinkedHashMap<>();
                SplittableRandom r = new SplittableRandom(31L * batch + opset + (ties ? 7 : 0));
                for (String name : gb.inputs()) {
                    Shape sh = gb.shape(name);
                    float[] v = new float[(int) sh.count()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = name.equals("conf") ? (ties ? (r.nextInt(4) + 1) / 5f : (float) r.nextDouble())
                                : name.equals("loc") ? (float) r.nextDouble(-0.5, 0.5) : (float) r.nextDouble(-1, 1);
                    }
                    in.put(name, v);
                    shapes.put(name, sh);
                }
                Map<String, float[]> ref = CaffeReference.run(gb, in);
                OrtSupport.Outputs o = OrtSupport.run(s, in, shapes, null);
                for (String v : List.of("perm", "norm", "norm_all", "prior")) {
                    OrtSupport.assertShape(gb.shape(v), o.shapes().get(v), what + " " + v);
                    OrtSupport.assertClose(o.values().get(v), ref.get(v), 1e-6, what + " " + v);
                }
                float[] expected = ref.get("det");
                int k = DetectionOutput.rows(expected);
                Shape got = o.shapes().get("det");
                assertEquals(Shape.of(1, 1, k, 7), got, what + " batch " + batch + ": rows");
                float[] actual = o.values().get("det");
                if (ties && ((DetectionOutput) g.node("det").op()).keepTopK() > -1) {
                    // keep_top_k sorts with the fork's unstable std::sort (the kernels reproduce GCC's order), the
                    // export stably: among tied scores they may keep other boxes, but the same scores per image
                    assertEquals(scores(expected, k), scores(actual, k), what + " batch " + batch);
                    rows += k;
                    continue;
                }
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < 7; j++) {
                        float e = expected[7 * i + j];
                        float a = actual[7 * i + j];
                        String at = what + " batch " + batch + " row " + i + " column " + j;
                        if (j < 3) {
                            assertEquals(e, a, at);
                        } else {
                            assertEquals(e, a, 1e-5, at);
                        }
                    }
                }
                rows += k;
            }
        }
        return rows;
    }

    /** Per image, the sorted scores of the first {@code k} rows. */
    private static Map<Integer, List<Float>> scores(float[] rows, int k) {
        Map<Integer, List<Float>> m = new java.util.TreeMap<>();
        for (int i = 0; i < k; i++) {
            m.computeIfAbsent((int) rows[7 * i], x -> new ArrayList<>()).add(rows[7 * i + 2]);
        }
        m.values().forEach(java.util.Collections::sort);
        return m;
    }

    @Test
    void theOutputsRowCountIsSymbolic() throws Exception {
        ModelProto m = OnnxExporter.toModel(graph(variants().get(0)), ExportOptions.DEFAULT);
        var out = m.getGraph().getOutputList().stream().filter(v -> v.getName().equals("det")).findFirst().get();
        var dims = out.getType().getTensorType().getShape().getDimList();
        assertEquals(4, dims.size());
        assertEquals("det_rows", dims.get(2).getDimParam());
        assertEquals(7, dims.get(3).getDimValue());
        assertTrue(m.getGraph().getNodeList().stream().noneMatch(n -> !n.getDomain().isEmpty()), "standard ops only");
        List<String> types = new ArrayList<>();
        m.getGraph().getNodeList().forEach(n -> types.add(n.getOpType()));
        assertTrue(types.contains("NonMaxSuppression") && types.contains("TopK"), types.toString());
    }

    @Test
    void adaptiveNmsIsRefusedNamingTheLayerAndTheWayOut() throws Exception {
        Graph g = graph(det(CodeType.CENTER_SIZE, false, true, 0, 0.7f, 10, 0.9f, 15, 0.2f));
        ModelException e = assertThrows(ModelException.class, () -> OnnxExporter.export(g, ExportOptions.DEFAULT));
        assertTrue(e.getMessage().contains("\"det\"") && e.getMessage().contains("nms_param.eta")
                && e.getMessage().contains("convert --outputs loc,conf,prior"), e.getMessage());
    }
}
