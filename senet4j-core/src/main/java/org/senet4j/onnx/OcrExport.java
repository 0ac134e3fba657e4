package org.senet4j.onnx;

import static org.senet4j.onnx.OnnxGraphBuilder.attr;
import static org.senet4j.onnx.OnnxGraphBuilder.ints;

import java.util.List;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.ContinuationIndicator;
import org.senet4j.ir.op.CtcGreedyDecoder;
import org.senet4j.ir.op.Reverse;
import org.senet4j.onnx.proto.AttributeProto;
import org.senet4j.onnx.proto.TensorProto;

/**
 * The ONNX forms of the OCR layers, in standard operators with the batch size left free (read from Shapes):
 * <ul>
 *   <li>Reverse: {@code Slice} with step -1 over the whole axis (start -1, end below every index), a pure copy.</li>
 *   <li>ContinuationIndicator: {@code Concat} of an {@code Expand}ed 0 row (1 x N) and {@code Expand}ed 1s
 *   ((T - 1) x N), N read from the bottom's Shape; without a bottom, a constant.</li>
 *   <li>CTCGreedyDecoder, all in int64 (exact): {@code ArgMax} on axis 2 (ONNX keeps the first maximum, as the fork's
 *   strict {@code >}); the previous step's argmax by a Concat of a -1 row and the first T - 1 rows; kept =
 *   {@code Not(Equal(k, blank))} {@code And} (with merging) {@code Not(Equal(k, prev))}; Transposed to N x T; each
 *   kept step's place is the exclusive {@code CumSum} of the kept flags along the row, a dropped step's place the
 *   spare column T; {@code ScatterElements} writes the kept classes (dropped ones write -1) into -1s of N x (T + 1),
 *   the spare column is Sliced off, Cast to float and Unsqueezed to N x T x 1 x 1.</li>
 * </ul>
 */
final class OcrExport {
    private static final long FLOAT = TensorProto.DataType.FLOAT.getNumber();
    private static final long INT64 = TensorProto.DataType.INT64.getNumber();

    private final OnnxGraphBuilder b;
    private final String name;

    private OcrExport(OnnxGraphBuilder b, String name) {
        this.b = b;
        this.name = name;
    }

    private String op(String type, String suffix, List<String> inputs, AttributeProto... attributes) {
        return b.op(type, name + "/" + suffix, inputs, attributes);
    }

    private String dim(String x, int axis, String suffix) {
        return op("Slice", suffix, List.of(op("Shape", suffix + "_shape", List.of(x)),
                b.int64s(name + "/" + suffix + "_from", axis), b.int64s(name + "/" + suffix + "_to", axis + 1)));
    }

    static void reverse(OnnxGraphBuilder b, Node n, Reverse r) {
        b.node("Slice", n.name(), List.of(n.inputs().get(0), b.int64s(n.name() + "/starts", -1),
                b.int64s(n.name() + "/ends", Long.MIN_VALUE), b.int64s(n.name() + "/axes", r.axis()),
                b.int64s(n.name() + "/steps", -1)), n.outputs());
    }

    static void continuationIndicator(OnnxGraphBuilder b, Graph g, Node n, ContinuationIndicator ci) {
        Shape out = g.shape(n.outputs().get(0));
        if (n.inputs().isEmpty()) {
            float[] v = new float[Math.toIntExact(out.count())];
            ContinuationIndicator.apply(out, v);
            b.node("Identity", n.name(), List.of(b.floats(n.name() + "/value", new long[] {out.dim(0), out.dim(1)},
                    v, null)), n.outputs());
            return;
        }
        OcrExport e = new OcrExport(b, n.name());
        String streams = e.dim(n.inputs().get(0), ci.axis(), "streams");
        String firstShape = e.op("Concat", "first_shape", List.of(b.int64s(n.name() + "/one", 1), streams),
                attr("axis", 0L));
        String first = e.op("Expand", "first", List.of(b.scalar(n.name() + "/zero", 0f), firstShape));
        if (ci.timeStep() == 1) {
            b.node("Identity", n.name(), List.of(first), n.outputs());
            return;
        }
        String restShape = e.op("Concat", "rest_shape", List.of(b.int64s(n.name() + "/later",
                ci.timeStep() - 1), streams), attr("axis", 0L));
        String rest = e.op("Expand", "rest", List.of(b.scalar(n.name() + "/one_f", 1f), restShape));
        b.node("Concat", n.name(), List.of(first, rest), n.outputs(), attr("axis", 0L));
    }

    static void ctcGreedyDecoder(OnnxGraphBuilder b, Graph g, Node n, CtcGreedyDecoder d) {
        OcrExport e = new OcrExport(b, n.name());
        String x = n.inputs().get(0);
        Shape in = g.shape(x);
        int steps = in.dim(0);
        String k = e.op("ArgMax", "argmax", List.of(x), attr("axis", 2L), attr("keepdims", 0L));
        String blank = b.int64s(n.name() + "/blank", d.blank(in.dim(2)));
        String kept = e.op("Not", "not_blank", List.of(e.op("Equal", "is_blank", List.of(k, blank))));
        if (d.mergeRepeated()) {
            String streams = e.dim(x, 1, "streams");
            String rowShape = e.op("Concat", "row_shape", List.of(b.int64s(n.name() + "/one", 1), streams),
                    attr("axis", 0L));
            String none = e.op("Expand", "none", List.of(b.int64s(n.name() + "/minus_one", -1), rowShape));
            String earlier = e.op("Slice", "earlier", List.of(k, b.int64s(n.name() + "/zero", 0),
                    b.int64s(n.name() + "/last", steps - 1), b.int64s(n.name() + "/axis0", 0)));
            String prev = e.op("Concat", "prev", List.of(none, earlier), attr("axis", 0L));
            String fresh = e.op("Not", "not_repeat", List.of(e.op("Equal", "is_repeat", List.of(k, prev))));
            kept = e.op("And", "kept", List.of(kept, fresh));
        }
        String keptT = e.op("Transpose", "kept_rows", List.of(kept), ints("perm", 1, 0));
        String kT = e.op("Transpose", "argmax_rows", List.of(k), ints("perm", 1, 0));
        String flags = e.op("Cast", "kept_flags", List.of(keptT), attr("to", INT64));
        String place = e.op("CumSum", "place", List.of(flags, b.int64s(n.name() + "/axis1", 1)),
                attr("exclusive", 1L));
        String spare = b.int64s(n.name() + "/spare", steps);
        String minusOne = b.int64s(n.name() + "/minus_one_v", -1);
        String index = e.op("Where", "index", List.of(keptT, place, spare));
        String values = e.op("Where", "values", List.of(keptT, kT, minusOne));
        String gridShape = e.op("Concat", "grid_shape", List.of(e.dim(x, 1, "rows"), b.int64s(n.name()
                + "/columns", steps + 1L)), attr("axis", 0L));
        String grid = e.op("Expand", "grid", List.of(minusOne, gridShape));
        String written = e.op("ScatterElements", "written", List.of(grid, index, values), attr("axis", 1L));
        String cut = e.op("Slice", "cut", List.of(written, b.int64s(n.name() + "/from", 0),
                b.int64s(n.name() + "/to", steps), b.int64s(n.name() + "/axis_t", 1)));
        String f = e.op("Cast", "float", List.of(cut), attr("to", FLOAT));
        b.node("Unsqueeze", n.name(), List.of(f, b.int64s(n.name() + "/axes", 2, 3)), n.outputs());
    }
}
