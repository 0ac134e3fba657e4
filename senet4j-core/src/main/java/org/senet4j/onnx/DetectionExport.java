package org.senet4j.onnx;

import static org.senet4j.onnx.OnnxGraphBuilder.attr;
import static org.senet4j.onnx.OnnxGraphBuilder.ints;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.DetectionOutput;
import org.senet4j.ir.op.Normalize;
import org.senet4j.ir.op.Permute;
import org.senet4j.ir.op.PriorBox;
import org.senet4j.onnx.proto.AttributeProto;
import org.senet4j.onnx.proto.TensorProto;
import org.senet4j.onnx.proto.TensorShapeProto;
import org.senet4j.onnx.proto.ValueInfoProto;

/**
 * ONNX forms of the SSD fork's layers, in standard operators only.
 * <ul>
 *   <li>Permute: Transpose.</li>
 *   <li>Normalize: ReduceSumSquare over the channels (and the plane when across_spatial), Add eps, Sqrt, then Div
 *       (across_spatial: Mul by the Reciprocal, as the fork) and Mul by the scale.</li>
 *   <li>PriorBox: its values depend only on shapes, so they are computed at the export's input size and written as an
 *       initializer (an export at another {@code --input-shape} gets that size's priors).</li>
 *   <li>DetectionOutput: box decoding with the fork's float operations in its order; per class the {@code top_k} best
 *       candidates by TopK (ties: lower prior first, as the fork's stable sort); one NonMaxSuppression over
 *       (image, class) batches with the fork's rules (scores above the confidence threshold; a box is suppressed when
 *       its overlap exceeds the NMS threshold; boxes a CORNER code turns inside out take part in no suppression, as
 *       in the fork); then {@code keep_top_k} per image by score and the fork's row order (image, label, score) by
 *       stable TopK sorts, and the fork's empty-result rows when the batch has no detection. The output's row count
 *       is dynamic. Adaptive NMS ({@code eta < 1} with an NMS threshold above 0.5) has no standard operator and is
 *       refused.</li>
 * </ul>
 */
final class DetectionExport {
    private static final long FLOAT = TensorProto.DataType.FLOAT.getNumber();
    private static final long INT64 = TensorProto.DataType.INT64.getNumber();

    private final OnnxGraphBuilder b;
    private final String layer;
    private final int opset;

    private DetectionExport(OnnxGraphBuilder b, String layer, int opset) {
        this.b = b;
        this.layer = layer;
        this.opset = opset;
    }

    static void permute(OnnxGraphBuilder b, Node n, Permute p) {
        b.node("Transpose", n.name(), List.of(n.inputs().get(0)), List.of(n.outputs().get(0)),
                ints("perm", p.order().stream().mapToLong(Integer::longValue).toArray()));
    }

    static void normalize(OnnxGraphBuilder b, int opset, Graph g, Node n, Normalize nz) {
        DetectionExport e = new DetectionExport(b, n.name(), opset);
        String x = n.inputs().get(0);
        int rank = g.shape(x).rank();
        long[] axes = nz.acrossSpatial() ? range(1, rank) : new long[] {1};
        String sumsq;
        if (opset >= 18) {
            sumsq = e.op("ReduceSumSquare", "sumsq", List.of(x, b.int64s(n.name() + "/axes", axes)),
                    attr("keepdims", 1L));
        } else {
            sumsq = e.op("ReduceSumSquare", "sumsq", List.of(x), ints("axes", axes), attr("keepdims", 1L));
        }
        String norm = e.op("Sqrt", "norm", List.of(e.op("Add", "plus_eps", List.of(sumsq,
                b.scalar(n.name() + "/eps", nz.eps())))));
        String y = nz.acrossSpatial()
                ? e.op("Mul", "normalized", List.of(x, e.op("Reciprocal", "inv_norm", List.of(norm))))
                : e.op("Div", "normalized", List.of(x, norm));
        long[] dims = new long[nz.channelShared() ? 0 : rank];
        if (!nz.channelShared()) {
            Arrays.fill(dims, 1L);
            dims[1] = g.shape(x).dim(1);
        }
        String s = b.floats(n.name() + "/scale", dims, nz.scale().data(), null);
        b.node("Mul", n.name(), List.of(y, s), List.of(n.outputs().get(0)));
    }

    /** The priors at the graph's shapes, as an initializer; an Identity gives them the output's name. */
    static void priorBox(OnnxGraphBuilder b, Graph g, Node n, PriorBox p) {
        List<Shape> in = g.inputShapes(n);
        float[] v = p.priors(in.get(0), in.size() > 1 ? in.get(1) : null);
        Shape out = g.shape(n.outputs().get(0));
        String c = b.floats(n.name() + "/priors", Arrays.stream(out.dims()).asLongStream().toArray(),
                FloatBuffer.wrap(v), "PriorBox " + n.name() + " at input shapes " + in);
        b.node("Identity", n.name(), List.of(c), List.of(n.outputs().get(0)));
    }

    /**
     * A DetectionOutput's value info: {@code 1 x 1 x K x 7} with {@code K} the symbol {@code <value>_rows}, not the
     * graph's static bound.
     */
    static ValueInfoProto dynamicRows(ValueInfoProto v) {
        ValueInfoProto.Builder vb = v.toBuilder();
        TensorShapeProto.Builder s = vb.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
        if (s.getDimCount() == 4) {
            s.setDim(2, TensorShapeProto.Dimension.newBuilder().setDimParam(v.getName() + "_rows"));
        }
        return vb.build();
    }

    static void detectionOutput(OnnxGraphBuilder b, int opset, Graph g, Node n, DetectionOutput d)
            throws ModelException {
        new DetectionExport(b, n.name(), opset).detections(g, n, d);
    }

    private void detections(Graph g, Node n, DetectionOutput d) throws ModelException {
        if (d.eta() < 1 && d.nmsThreshold() > 0.5) {
            throw ModelException.field("detection_output_param.nms_param.eta", "eta " + d.eta() + " with nms_threshold "
                    + d.nmsThreshold() + " is adaptive NMS (the threshold shrinks after each kept box), which no "
                    + "standard ONNX operator computes; export the net up to this layer's bottoms (convert --outputs "
                    + String.join(",", n.inputs().subList(0, 3)) + ") and run the NMS outside");
        }
        Shape locShape = g.shape(n.inputs().get(0));
        Shape confShape = g.shape(n.inputs().get(1));
        int p = DetectionOutput.priorCount(g.shape(n.inputs().get(2)));
        int l = d.locClasses();
        int classes = d.numClasses();
        if (locShape.count(1, locShape.rank()) != (long) p * l * 4
                || confShape.count(1, confShape.rank()) != (long) p * classes) {
            throw ModelException.field("bottom", "location " + locShape + " or confidence " + confShape
                    + " predictions have trailing axes after the predictions (the fork reads them as a flat array)");
        }
        List<Long> labels = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            if (c != d.backgroundLabelId()) {
                labels.add((long) c);
            }
        }
        String loc = n.inputs().get(0);
        String nVec = op("Slice", "batch", List.of(op("Shape", "loc_shape", List.of(loc)), i64("zero", 0),
                i64("one", 1)));
        String nScalar = op("Squeeze", "batch_scalar", List.of(nVec, i64("squeeze_axes", 0)));
        String rowsOut = n.outputs().get(0);
        long perImage = d.maxPerImage(p);
        if (perImage == 0 || labels.isEmpty()) {
            // no class can keep a box (top_k 0, keep_top_k 0 or only a background class): always the empty rows
            finish(rowsOut, nVec, nScalar, null);
            return;
        }
        int k = (int) (d.topK() > -1 ? Math.min(d.topK(), p) : p);
        int cl = labels.size();

        // priors: the fork reads P boxes, then P variances, from the flat blob
        String prior = op("Reshape", "prior_flat", List.of(n.inputs().get(2), i64("minus_one", -1)));
        String boxes = op("Reshape", "prior_boxes", List.of(op("Slice", "prior_box_values", List.of(prior,
                i64("pb_start", 0), i64("pb_end", 4L * p))), i64("pb_shape", p, 1, 4)));
        String vars = op("Reshape", "prior_variances", List.of(op("Slice", "prior_variance_values", List.of(prior,
                i64("pv_start", 4L * p), i64("pv_end", 8L * p))), i64("pv_shape", p, 1, 4)));
        String[] pc = split(boxes, 2, "prior");
        String[] pv = split(vars, 2, "variance");
        String[] lc = split(op("Reshape", "loc_boxes", List.of(loc, i64("loc_shape4", -1, p, l, 4))), 3, "loc");
        String[] box = decode(d, pc, pv, lc);
        String decoded = op("Concat", "decoded", List.of(box), attr("axis", 3L));
        String nmsBoxes = decoded;
        if (d.codeType() != DetectionOutput.CodeType.CENTER_SIZE) {
            // a box with xmax < xmin or ymax < ymin has size 0 in the fork and never overlaps: make it a point
            String valid = op("And", "valid", List.of(op("GreaterOrEqual", "x_ordered", List.of(box[2], box[0])),
                    op("GreaterOrEqual", "y_ordered", List.of(box[3], box[1]))));
            String point = op("Concat", "point", List.of(box[0], box[1], box[0], box[1]), attr("axis", 3L));
            nmsBoxes = op("Where", "nms_boxes", List.of(valid, decoded, point));
        }

        // scores per detected class, [N, C', P]; the top k of each by TopK (stable: lower prior first)
        String conf = op("Transpose", "conf_by_class", List.of(op("Reshape", "conf", List.of(n.inputs().get(1),
                i64("conf_shape", -1, p, classes)))), ints("perm", 0, 2, 1));
        String labelList = i64("labels", labels.stream().mapToLong(Long::longValue).toArray());
        String scores = op("Gather", "class_scores", List.of(conf, labelList), attr("axis", 1L));
        String[] top = topK(scores, i64("k", k), true, 2, "candidates");
        String candScore = top[0];
        String candPrior = top[1];

        // the candidates' boxes: flat index (n * P + prior) * L + location class
        String shapeNck = op("Shape", "candidates_shape", List.of(candPrior));
        String imageIdx = op("Expand", "candidate_image", List.of(op("Reshape", "images", List.of(
                op("Range", "image_range", List.of(i64scalar("range_start", 0), nScalar, i64scalar("range_step", 1))),
                i64("images_shape", -1, 1, 1))), shapeNck));
        String flat = op("Add", "candidate_row", List.of(op("Mul", "candidate_image_rows", List.of(imageIdx,
                i64("p", p))), candPrior));
        flat = op("Mul", "candidate_row_l", List.of(flat, i64("l", l)));
        if (l > 1) {
            flat = op("Add", "candidate_row_class", List.of(flat, op("Reshape", "loc_labels", List.of(labelList,
                    i64("loc_labels_shape", 1, cl, 1)))));
        }
        String flatIdx = op("Reshape", "candidate_flat", List.of(flat, i64("minus_one_b", -1)));
        String candBoxes = op("Gather", "candidate_boxes", List.of(op("Reshape", "decoded_rows", List.of(decoded,
                i64("rows4", -1, 4))), flatIdx), attr("axis", 0L));
        String candNms = candBoxes;
        if (!nmsBoxes.equals(decoded)) {
            candNms = op("Gather", "candidate_nms_boxes", List.of(op("Reshape", "nms_rows", List.of(nmsBoxes,
                    i64("rows4_b", -1, 4))), flatIdx), attr("axis", 0L));
        }

        // NMS over N * C' batches of k candidates
        List<String> nmsIn = new ArrayList<>(List.of(
                op("Reshape", "nms_box_batches", List.of(candNms, i64("nms_box_shape", -1, k, 4))),
                op("Reshape", "nms_score_batches", List.of(candScore, i64("nms_score_shape", -1, 1, k))),
                i64("max_out", k), b.floats(layer + "/iou_threshold", new long[] {1},
                        new float[] {d.nmsThreshold()}, null)));
        if (d.confidenceThreshold() != -Float.MAX_VALUE) {
            nmsIn.add(b.floats(layer + "/score_threshold", new long[] {1}, new float[] {d.confidenceThreshold()},
                    null));
        }
        String sel = op("NonMaxSuppression", "nms", nmsIn);
        String batchOf = op("Gather", "sel_batch", List.of(sel, i64scalar("col0", 0)), attr("axis", 1L));
        String candOf = op("Gather", "sel_candidate", List.of(sel, i64scalar("col2", 2)), attr("axis", 1L));
        String pick = op("Add", "sel_flat", List.of(op("Mul", "sel_batch_rows", List.of(batchOf, i64("k2", k))),
                candOf));
        String score = op("Gather", "sel_score", List.of(op("Reshape", "cand_scores_flat", List.of(candScore,
                i64("minus_one_c", -1))), pick), attr("axis", 0L));
        String sbox = op("Gather", "sel_box", List.of(op("Reshape", "cand_boxes_flat", List.of(candBoxes,
                i64("rows4_c", -1, 4))), pick), attr("axis", 0L));
        String image = op("Div", "sel_image", List.of(batchOf, i64("cl", cl)));
        String label = op("Gather", "sel_label", List.of(labelList, op("Mod", "sel_class", List.of(batchOf,
                i64("cl2", cl)))), attr("axis", 0L));

        if (d.keepTopK() > -1) {
            // keep_top_k per image: order by image, then score (stable), rank within the image, keep the first
            String s = op("Shape", "sel_count", List.of(score));
            String byScore = topK(score, s, true, 0, "by_score")[1];
            String imgByScore = op("Gather", "image_by_score", List.of(image, byScore), attr("axis", 0L));
            String byImage = topK(op("Cast", "image_f", List.of(imgByScore), attr("to", FLOAT)), s, false, 0,
                    "by_image")[1];
            String order = op("Gather", "order", List.of(byScore, byImage), attr("axis", 0L));
            String img = op("Gather", "image_ordered", List.of(imgByScore, byImage), attr("axis", 0L));
            String imageRange = op("Range", "image_ids", List.of(i64scalar("r0", 0), nScalar, i64scalar("r1", 1)));
            String eq = op("Cast", "image_onehot", List.of(op("Equal", "image_eq", List.of(
                    unsqueeze(img, 1, "image_col"), unsqueeze(imageRange, 0, "image_row")))), attr("to", INT64));
            String counts = op("ReduceSum", "per_image", List.of(eq, i64("axis0", 0)), attr("keepdims", 0L));
            String starts = op("CumSum", "image_start", List.of(counts, i64scalar("cum_axis", 0)),
                    attr("exclusive", 1L));
            String rank = op("Sub", "rank_in_image", List.of(op("Range", "positions", List.of(i64scalar("q0", 0),
                    op("Squeeze", "sel_count_scalar", List.of(s, i64("sq0", 0))), i64scalar("q1", 1))),
                    op("Gather", "start_of_row", List.of(starts, img), attr("axis", 0L))));
            String kept = op("Compress", "kept", List.of(order, op("Less", "within_keep", List.of(rank,
                    i64scalar("keep_top_k", d.keepTopK())))), attr("axis", 0L));
            // the fork's row order: image, label ascending, score descending (stable sort by image * C + label)
            String key = op("Add", "row_key", List.of(op("Mul", "row_key_image", List.of(
                    op("Gather", "kept_image", List.of(image, kept), attr("axis", 0L)), i64("c", classes))),
                    op("Gather", "kept_label", List.of(label, kept), attr("axis", 0L))));
            String keyF = op("Cast", "row_key_f", List.of(key), attr("to", FLOAT));
            String fin = op("Gather", "final", List.of(kept, topK(keyF, op("Shape", "kept_count", List.of(keyF)),
                    false, 0, "by_key")[1]), attr("axis", 0L));
            image = op("Gather", "out_image", List.of(image, fin), attr("axis", 0L));
            label = op("Gather", "out_label", List.of(label, fin), attr("axis", 0L));
            score = op("Gather", "out_score", List.of(score, fin), attr("axis", 0L));
            sbox = op("Gather", "out_box", List.of(sbox, fin), attr("axis", 0L));
        }
        String rows = op("Concat", "rows", List.of(
                unsqueeze(op("Cast", "image_float", List.of(image), attr("to", FLOAT)), 1, "image_column"),
                unsqueeze(op("Cast", "label_float", List.of(label), attr("to", FLOAT)), 1, "label_column"),
                unsqueeze(score, 1, "score_column"), sbox), attr("axis", 1L));
        finish(rowsOut, nVec, nScalar, rows);
    }

    /** The fork's DecodeBBox for every (image, prior, location class), each coordinate {@code [N, P, L, 1]}. */
    private String[] decode(DetectionOutput d, String[] pc, String[] pv, String[] lc) {
        boolean vet = d.varianceEncodedInTarget();
        String[] out = new String[4];
        switch (d.codeType()) {
            case CORNER -> {
                for (int i = 0; i < 4; i++) {
                    String delta = vet ? lc[i] : op("Mul", "scaled" + i, List.of(pv[i], lc[i]));
                    out[i] = op("Add", "corner" + i, List.of(pc[i], delta));
                }
            }
            case CORNER_SIZE -> {
                String pw = op("Sub", "prior_w", List.of(pc[2], pc[0]));
                String ph = op("Sub", "prior_h", List.of(pc[3], pc[1]));
                for (int i = 0; i < 4; i++) {
                    String v = vet ? lc[i] : op("Mul", "scaled" + i, List.of(pv[i], lc[i]));
                    out[i] = op("Add", "corner" + i, List.of(pc[i], op("Mul", "sized" + i, List.of(v,
                            i % 2 == 0 ? pw : ph))));
                }
            }
            case CENTER_SIZE -> {
                String pw = op("Sub", "prior_w", List.of(pc[2], pc[0]));
                String ph = op("Sub", "prior_h", List.of(pc[3], pc[1]));
                String half = b.scalar(layer + "/half", 0.5f);
                String pcx = op("Mul", "prior_cx", List.of(op("Add", "prior_x_sum", List.of(pc[0], pc[2])), half));
                String pcy = op("Mul", "prior_cy", List.of(op("Add", "prior_y_sum", List.of(pc[1], pc[3])), half));
                String[] t = new String[4];
                for (int i = 0; i < 4; i++) {
                    t[i] = vet ? lc[i] : op("Mul", "scaled" + i, List.of(pv[i], lc[i]));
                }
                String cx = op("Add", "center_x", List.of(op("Mul", "offset_x", List.of(t[0], pw)), pcx));
                String cy = op("Add", "center_y", List.of(op("Mul", "offset_y", List.of(t[1], ph)), pcy));
                String hw = op("Mul", "half_w", List.of(op("Mul", "width", List.of(op("Exp", "exp_w",
                        List.of(t[2])), pw)), half));
                String hh = op("Mul", "half_h", List.of(op("Mul", "height", List.of(op("Exp", "exp_h",
                        List.of(t[3])), ph)), half));
                out[0] = op("Sub", "xmin", List.of(cx, hw));
                out[1] = op("Sub", "ymin", List.of(cy, hh));
                out[2] = op("Add", "xmax", List.of(cx, hw));
                out[3] = op("Add", "ymax", List.of(cy, hh));
            }
        }
        return out;
    }

    /**
     * The output: {@code rows} (null for none) then, when there are none, the fork's one row per image
     * {@code [i, -1, ...]}; reshaped to {@code 1 x 1 x K x 7}.
     */
    private void finish(String out, String nVec, String nScalar, String rows) {
        String ids = op("Cast", "empty_ids", List.of(unsqueeze(op("Range", "empty_range", List.of(
                i64scalar("e0", 0), nScalar, i64scalar("e1", 1))), 1, "empty_id_column")), attr("to", FLOAT));
        String minus = op("Expand", "empty_minus", List.of(b.floats(layer + "/minus_ones", new long[] {1, 6},
                new float[] {-1, -1, -1, -1, -1, -1}, null), op("Concat", "empty_shape", List.of(nVec,
                i64("one_b", 1)), attr("axis", 0L))));
        String empty = op("Concat", "empty_rows", List.of(ids, minus), attr("axis", 1L));
        String all = empty;
        if (rows != null) {
            String none = op("Cast", "none_found", List.of(op("Equal", "count_is_zero", List.of(op("Slice",
                    "row_count", List.of(op("Shape", "rows_shape", List.of(rows)), i64("z0", 0), i64("z1", 1))),
                    i64("zero_rows", 0)))), attr("to", INT64));
            String fallback = op("Slice", "fallback", List.of(empty, i64("f0", 0), op("Mul", "fallback_rows",
                    List.of(nVec, none)), i64("f_axis", 0)));
            all = op("Concat", "all_rows", List.of(rows, fallback), attr("axis", 0L));
        }
        b.node("Reshape", layer, List.of(all, i64("out_shape", 1, 1, -1, 7)), List.of(out));
    }

    private String[] topK(String x, String k, boolean largest, int axis, String what) {
        String v = b.tensorName(layer + "/" + what + "_values");
        String i = b.tensorName(layer + "/" + what + "_indices");
        b.node("TopK", layer + "/" + what, List.of(x, k), List.of(v, i), attr("axis", (long) axis),
                attr("largest", largest ? 1L : 0L), attr("sorted", 1L));
        return new String[] {v, i};
    }

    private String[] split(String x, int axis, String what) {
        String[] out = new String[4];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            out[i] = b.tensorName(layer + "/" + what + i);
            names.add(out[i]);
        }
        b.node("Split", layer + "/" + what + "_split", List.of(x, i64(what + "_parts", 1, 1, 1, 1)), names,
                attr("axis", (long) axis));
        return out;
    }

    private String unsqueeze(String x, long axis, String what) {
        return op("Unsqueeze", what, List.of(x, i64(what + "_axes", axis)));
    }

    private String i64(String what, long... v) {
        return b.int64s(layer + "/" + what, v);
    }

    /** An int64 scalar initializer. */
    private String i64scalar(String what, long v) {
        String name = b.tensorName(layer + "/" + what);
        b.graph().addInitializer(TensorProto.newBuilder().setName(name).setDataType((int) INT64).addInt64Data(v));
        return name;
    }

    private String op(String type, String what, List<String> ins, AttributeProto... attrs) {
        String y = b.tensorName(layer + "/" + what);
        b.node(type, layer + "/" + what, ins, List.of(y), attrs);
        return y;
    }

    private static long[] range(int from, int to) {
        long[] r = new long[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
