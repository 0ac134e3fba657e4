package org.senet4j.onnx;

import static org.senet4j.onnx.OnnxGraphBuilder.attr;
import static org.senet4j.onnx.OnnxGraphBuilder.ints;

import java.util.ArrayList;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Interp;
import org.senet4j.ir.op.MaxPoolMask;
import org.senet4j.ir.op.MaxUnpool;
import org.senet4j.ir.op.NearestUpsample;
import org.senet4j.ir.op.Pooling;
import org.senet4j.onnx.proto.AttributeProto;
import org.senet4j.onnx.proto.TensorProto;

/**
 * The ONNX forms of the segmentation layers, in standard operators with the batch size left free:
 * <ul>
 *   <li>Interp: {@code Slice} for a negative pad_beg / pad_end (the crop), then {@code Resize} mode {@code linear} with
 *   {@code coordinate_transformation_mode = align_corners} to the fork's output size (given as sizes: the spatial
 *   ones with the {@code axes} attribute from opset 18, else N and C read from the input's Shape), which maps output
 *   {@code i} to {@code i (Hc - 1) / (Ho - 1)}, and an output of size 1 to 0, as the fork does.</li>
 *   <li>nearest Upsample: {@code Resize} mode {@code nearest}, {@code asymmetric}, {@code floor}, integer scales.</li>
 *   <li>MAX Pooling with a mask top: {@code MaxPool} with its {@code Indices} output (ONNX flattens them over the
 *   whole N x C x H x W input), {@code Mod} by H W to Caffe's index within the plane, {@code Cast} to float. ONNX
 *   Runtime's MaxPool, like Caffe, keeps the first maximum in row-major window order (a strict greater-than), so
 *   ties give Caffe's index.</li>
 *   <li>SegNet's Upsample: the mask is an index within each output plane, so values and mask are reshaped to
 *   N x C x (H W), the mask Cast to int64, and {@code ScatterElements} on axis 2 writes the values into zeros of
 *   N x C x (Ho Wo) (an {@code Expand}ed 0), reshaped to N x C x Ho x Wo. This is MaxUnpool's computation without
 *   the plane offsets MaxUnpool's whole-tensor indices would need (and that would fix the batch size).</li>
 * </ul>
 */
final class SegExport {
    private static final long FLOAT = TensorProto.DataType.FLOAT.getNumber();
    private static final long INT64 = TensorProto.DataType.INT64.getNumber();

    private final OnnxGraphBuilder b;
    private final String name;

    private SegExport(OnnxGraphBuilder b, String name) {
        this.b = b;
        this.name = name;
    }

    private String op(String type, String suffix, List<String> inputs, AttributeProto... attributes) {
        return b.op(type, name + "/" + suffix, inputs, attributes);
    }

    /** The input's first two dimensions (N, C) read at run time. */
    private String batchAndChannels(String x) {
        return op("Slice", "n_c", List.of(op("Shape", "shape", List.of(x)), b.int64s(name + "/zero", 0),
                b.int64s(name + "/two", 2)));
    }

    static void interp(OnnxGraphBuilder b, int opset, Graph g, Node n, Interp ip) {
        SegExport e = new SegExport(b, n.name());
        String x = n.inputs().get(0);
        String y = n.outputs().get(0);
        Shape is = g.shape(x);
        Shape os = g.shape(y);
        int h = is.dim(2);
        int w = is.dim(3);
        int hc = h + ip.padBeg() + ip.padEnd();
        int wc = w + ip.padBeg() + ip.padEnd();
        boolean resize = hc != os.dim(2) || wc != os.dim(3);
        String src = x;
        if (hc != h || wc != w) {
            List<String> ins = List.of(x, b.int64s(n.name() + "/crop_starts", -ip.padBeg(), -ip.padBeg()),
                    b.int64s(n.name() + "/crop_ends", h + ip.padEnd(), w + ip.padEnd()),
                    b.int64s(n.name() + "/crop_axes", 2, 3));
            if (resize) {
                src = e.op("Slice", "crop", ins);
            } else {
                b.node("Slice", n.name(), ins, List.of(y));
                return;
            }
        }
        if (!resize) {
            b.node("Identity", n.name(), List.of(src), List.of(y));
            return;
        }
        List<AttributeProto> attrs = new ArrayList<>(List.of(attr("mode", "linear"),
                attr("coordinate_transformation_mode", "align_corners")));
        String sizes;
        if (opset >= 18) {
            sizes = b.int64s(n.name() + "/sizes", os.dim(2), os.dim(3));
            attrs.add(ints("axes", 2, 3));
        } else {
            sizes = e.op("Concat", "sizes", List.of(e.batchAndChannels(src), b.int64s(n.name() + "/out_hw",
                    os.dim(2), os.dim(3))), attr("axis", 0L));
        }
        b.node("Resize", n.name(), List.of(src, "", "", sizes), List.of(y), attrs.toArray(AttributeProto[]::new));
    }

    static void nearestUpsample(OnnxGraphBuilder b, Node n, NearestUpsample u) {
        String x = n.inputs().get(0);
        String y = n.outputs().get(0);
        if (u.scale() == 1) {
            b.node("Identity", n.name(), List.of(x), List.of(y));
            return;
        }
        String scales = b.floats(n.name() + "/scales", new long[] {4}, new float[] {1, 1, u.scale(), u.scale()},
                null);
        b.node("Resize", n.name(), List.of(x, "", scales), List.of(y), attr("mode", "nearest"),
                attr("coordinate_transformation_mode", "asymmetric"), attr("nearest_mode", "floor"));
    }

    static void maxPoolMask(OnnxGraphBuilder b, Graph g, Node n, MaxPoolMask m) throws ModelException {
        SegExport e = new SegExport(b, n.name());
        String x = n.inputs().get(0);
        Shape is = g.shape(x);
        Shape os = g.shape(n.outputs().get(0));
        Pooling p = m.pooling();
        int h = is.dim(2);
        int w = is.dim(3);
        long[] kernel;
        long[] strides;
        long[] pads;
        if (p.global()) {
            kernel = new long[] {h, w};
            strides = new long[] {1, 1};
            pads = new long[4];
        } else {
            PoolingPlan plan = PoolingPlan.of(p, h, w, os.dim(2), os.dim(3));
            if (plan.prePad() != null) {
                throw ModelException.field("pooling_param.stride", "a MAX pooling window of this layer lies wholly "
                        + "beyond the input (stride larger than the kernel with ceil rounding); Caffe gives it mask "
                        + "-1, which ONNX MaxPool's indices cannot express");
            }
            int[] q = plan.pads();
            kernel = new long[] {p.kernelH(), p.kernelW()};
            strides = new long[] {p.strideH(), p.strideW()};
            pads = new long[] {q[0], q[1], q[2], q[3]};
        }
        String indices = b.tensorName(n.name() + "/indices");
        b.node("MaxPool", n.name(), List.of(x), List.of(n.outputs().get(0), indices), ints("kernel_shape", kernel),
                ints("strides", strides), ints("pads", pads));
        String inPlane = e.op("Mod", "index_in_plane", List.of(indices, b.int64s(n.name() + "/plane",
                new long[] {(long) h * w})), attr("fmod", 0L));
        b.node("Cast", n.name() + "/mask", List.of(inPlane), List.of(n.outputs().get(1)), attr("to", FLOAT));
    }

    static void maxUnpool(OnnxGraphBuilder b, Graph g, Node n, MaxUnpool u) {
        SegExport e = new SegExport(b, n.name());
        String x = n.inputs().get(0);
        String mask = n.inputs().get(1);
        Shape os = g.shape(n.outputs().get(0));
        String flat = b.int64s(n.name() + "/flat", 0, 0, -1);
        String values = e.op("Reshape", "values", List.of(x, flat));
        String index = e.op("Cast", "index", List.of(e.op("Reshape", "mask", List.of(mask, flat))),
                attr("to", INT64));
        String zerosShape = e.op("Concat", "zeros_shape", List.of(e.batchAndChannels(x),
                b.int64s(n.name() + "/out_plane", (long) os.dim(2) * os.dim(3))), attr("axis", 0L));
        String zeros = e.op("Expand", "zeros", List.of(b.scalar(n.name() + "/zero_value", 0f), zerosShape));
        String scattered = e.op("ScatterElements", "scatter", List.of(zeros, index, values), attr("axis", 2L));
        b.node("Reshape", n.name(), List.of(scattered, b.int64s(n.name() + "/out_shape", 0, 0, os.dim(2),
                os.dim(3))), List.of(n.outputs().get(0)));
    }
}
