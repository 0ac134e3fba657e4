package org.senet4j.engine.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.List;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Convolution;

/**
 * A convolution as one oneDNN primitive on NHWC activations: weights reordered once into the layout the primitive
 * picks, bias and the fused activation applied in the same pass. Groups map to oneDNN's grouped weights
 * ({@code goihw}), dilation to its zero-based dilation.
 */
final class ConvStep extends AbstractStep {
    private final Convolution op;
    private final Buf in;
    private final Buf out;
    private String impl;

    ConvStep(String name, Convolution op, Buf in, Buf out) {
        super(name, List.of(in), List.of(out));
        this.op = op;
        this.in = in;
        this.out = out;
    }

    @Override
    public void bind(Dnnl d) {
        Shape w = op.weight().shape();
        int g = op.group();
        long[] wdims = g == 1 ? new long[] {w.dim(0), w.dim(1), w.dim(2), w.dim(3)}
                : new long[] {g, w.dim(0) / g, w.dim(1), w.dim(2), w.dim(3)};
        memory.data_type wType = in.isBf16() ? Dnnl.BF16 : Dnnl.F32; // bf16 source: bf16 weights, f32 accumulation
        memory.desc wAny = d.keep(new memory.desc(wdims, wType, memory.format_tag.any));
        memory.desc bDesc = d.desc(Shape.of(op.numOutput()));
        convolution_forward.primitive_desc pd = d.keep(new convolution_forward.primitive_desc(d.engine,
                dnnl.prop_kind.forward_inference, dnnl.algorithm.convolution_direct, d.desc(in),
                wAny, bDesc, d.desc(out), new long[] {op.strideH(), op.strideW()},
                new long[] {op.dilationH() - 1, op.dilationW() - 1}, new long[] {op.padH(), op.padW()},
                new long[] {padEnd(in.shape.dim(2), out.shape.dim(2), op.kernelH(), op.strideH(), op.padH(),
                    op.dilationH()), padEnd(in.shape.dim(3), out.shape.dim(3), op.kernelW(), op.strideW(),
                    op.padW(), op.dilationW())},
                d.attr(op.activation()), false));
        impl = pd.impl_info_str().getString();
        memory weights = reorderOnce(d, op.weight().toArray(), d.keep(new memory.desc(wdims, Dnnl.F32,
                g == 1 ? memory.format_tag.oihw : memory.format_tag.goihw)), pd.weights_desc());
        float[] bias = op.bias() == null ? new float[op.numOutput()] : op.bias().toArray();
        memory b = d.allocate(bDesc);
        new FloatPointer(b.get_data_handle()).capacity(bias.length).put(bias);
        prim = d.keep(new convolution_forward(pd));
        args = d.args(DNNL_ARG_SRC, in.mem(d), DNNL_ARG_WEIGHTS, weights, DNNL_ARG_BIAS, b, DNNL_ARG_DST,
                out.mem(d));
    }

    /** oneDNN's right/bottom padding that yields Caffe's (floor) output size. */
    static long padEnd(int in, int out, int k, int s, int pad, int dil) {
        return (long) (out - 1) * s + (long) (k - 1) * dil + 1 - in - pad;
    }

    /**
     * Copies {@code values} (float32, in {@code userDesc}'s layout) into a new memory of layout and element type
     * {@code target} (a bf16 target rounds each weight once, here, to nearest even).
     */
    static memory reorderOnce(Dnnl d, float[] values, memory.desc userDesc, memory.desc target) {
        FloatPointer host = d.keep(new FloatPointer(values));
        memory user = d.memory(userDesc, host);
        if (target.equals(userDesc)) {
            return user;
        }
        memory m = d.allocate(target);
        try (reorder r = new reorder(user, m)) {
            r.execute(d.stream, user, m);
        }
        d.waitStream();
        return m;
    }

    @Override
    public String describe() {
        return name + " [conv " + impl + (in.isBf16() ? " bf16" : "") + (in.dtype != out.dtype ? " -> " + out.dtype
                : "") + "]";
    }
}
