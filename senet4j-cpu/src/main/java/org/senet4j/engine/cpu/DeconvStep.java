package org.senet4j.engine.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.List;
import org.bytedeco.dnnl.deconvolution_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.Deconvolution;

/**
 * A Caffe Deconvolution as one oneDNN deconvolution primitive on NHWC activations, planned once per shape. Caffe's
 * weight (C_in, C_out/group, kh, kw) is oneDNN's {@code iohw} ({@code giohw} with groups), reordered once into the
 * layout the primitive picks; symmetric padding gives Caffe's output size {@code s (in - 1) + d (k - 1) + 1 - 2 p}.
 */
final class DeconvStep extends AbstractStep {
    private final Deconvolution op;
    private final Buf in;
    private final Buf out;
    private String impl;

    DeconvStep(String name, Deconvolution op, Buf in, Buf out) {
        super(name, List.of(in), List.of(out));
        this.op = op;
        this.in = in;
        this.out = out;
    }

    @Override
    public void bind(Dnnl d) {
        Shape w = op.weight().shape();
        int g = op.group();
        int co = op.numOutput();
        int ci = w.dim(0);
        long[] wdims = g == 1 ? new long[] {co, ci, w.dim(2), w.dim(3)}
                : new long[] {g, co / g, ci / g, w.dim(2), w.dim(3)};
        memory.desc wAny = d.keep(new memory.desc(wdims, Dnnl.F32, memory.format_tag.any));
        memory.desc bDesc = d.desc(Shape.of(co));
        long[] pad = {op.padH(), op.padW()};
        deconvolution_forward.primitive_desc pd = d.keep(new deconvolution_forward.primitive_desc(d.engine,
                dnnl.prop_kind.forward_inference, dnnl.algorithm.deconvolution_direct, d.desc(in.shape), wAny,
                bDesc, d.desc(out.shape), new long[] {op.strideH(), op.strideW()},
                new long[] {op.dilationH() - 1, op.dilationW() - 1}, pad, pad, d.attr(Activation.NONE), false));
        impl = pd.impl_info_str().getString();
        memory weights = ConvStep.reorderOnce(d, op.weight().toArray(), d.keep(new memory.desc(wdims, Dnnl.F32,
                g == 1 ? memory.format_tag.iohw : memory.format_tag.giohw)), pd.weights_desc());
        float[] bias = op.bias() == null ? new float[co] : op.bias().toArray();
        memory b = d.allocate(bDesc);
        new FloatPointer(b.get_data_handle()).capacity(bias.length).put(bias);
        prim = d.keep(new deconvolution_forward(pd));
        args = d.args(DNNL_ARG_SRC, in.mem(d), DNNL_ARG_WEIGHTS, weights, DNNL_ARG_BIAS, b, DNNL_ARG_DST,
                out.mem(d));
    }

    @Override
    public String describe() {
        return name + " [deconv " + impl + "]";
    }
}
