package org.senet4j.engine.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;

import java.util.List;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.LongPointer;
import org.senet4j.ir.op.Pooling;

/**
 * Caffe pooling as a oneDNN pooling primitive. Caffe's ceil rounding becomes extra end padding; MAX ignores padding
 * in both. AVE maps to oneDNN's include-padding average only when no window reaches past {@code H + pad} (then both
 * divide by the full window): see {@link #exact}. Global pooling is a window of the whole plane.
 */
final class PoolStep extends AbstractStep {
    private final Pooling op;
    private final Buf in;
    private final Buf out;

    PoolStep(String name, Pooling op, Buf in, Buf out) {
        super(name, List.of(in), List.of(out));
        this.op = op;
        this.in = in;
        this.out = out;
    }

    /** Whether oneDNN computes exactly Caffe's pooling for these shapes. */
    static boolean exact(Pooling op, int h, int w, int oh, int ow) {
        if (op.method() == Pooling.Method.STOCHASTIC) {
            return false;
        }
        if (op.global()) {
            return true;
        }
        long eh = endPad(h, oh, op.kernelH(), op.strideH(), op.padH());
        long ew = endPad(w, ow, op.kernelW(), op.strideW(), op.padW());
        if (eh < 0 || ew < 0 || op.padH() >= op.kernelH() || op.padW() >= op.kernelW()) {
            return false;
        }
        if (op.method() == Pooling.Method.MAX) {
            return eh < op.kernelH() && ew < op.kernelW();
        }
        return eh <= op.padH() && ew <= op.padW();
    }

    static long endPad(int in, int out, int k, int s, int pad) {
        return (long) (out - 1) * s + k - in - pad;
    }

    @Override
    public void bind(Dnnl d) {
        int h = in.shape.dim(2);
        int w = in.shape.dim(3);
        int[] k = op.kernel(h, w);
        long[] padL = op.global() ? new long[] {0, 0} : new long[] {op.padH(), op.padW()};
        long[] padR = op.global() ? new long[] {0, 0} : new long[] {
            endPad(h, out.shape.dim(2), k[0], op.strideH(), op.padH()),
            endPad(w, out.shape.dim(3), k[1], op.strideW(), op.padW())};
        long[] strides = op.global() ? new long[] {1, 1} : new long[] {op.strideH(), op.strideW()};
        dnnl.algorithm alg = op.method() == Pooling.Method.MAX ? dnnl.algorithm.pooling_max
                : dnnl.algorithm.pooling_avg_include_padding;
        pooling_forward.primitive_desc pd = d.keep(new pooling_forward.primitive_desc(d.engine,
                dnnl.prop_kind.forward_inference, alg, d.desc(in), d.desc(out),
                d.keep(new LongPointer(strides)), d.keep(new LongPointer(k[0], k[1])),
                d.keep(new LongPointer(0L, 0L)), d.keep(new LongPointer(padL)), d.keep(new LongPointer(padR)),
                d.keep(new org.bytedeco.dnnl.primitive_attr()), false));
        prim = d.keep(new pooling_forward(pd));
        args = d.args(DNNL_ARG_SRC, in.mem(d), DNNL_ARG_DST, out.mem(d));
    }

    @Override
    public String describe() {
        return name + " [pool" + (in.isBf16() ? " bf16" : "") + (in.dtype != out.dtype ? " -> " + out.dtype : "")
                + "]";
    }
}
