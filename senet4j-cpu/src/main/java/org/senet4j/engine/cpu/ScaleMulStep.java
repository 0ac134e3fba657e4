package org.senet4j.engine.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;

import java.util.List;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.global.dnnl;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Activation;

/**
 * The SE excitation in one oneDNN pass: {@code out = act(a[n,c] * X + Y)} with {@code a} broadcast over H x W.
 * Serves Axpy ({@code Y} present) and the two-input Scale of SE-BN-Inception ({@code Y} absent); a following ReLU
 * may be fused in. {@code a} may be stored N x C or N x C x 1 x 1: the bytes are the same.
 */
final class ScaleMulStep extends AbstractStep {
    private final Buf a;
    private final Buf x;
    private final Buf y;
    private final Buf out;
    private final Activation act;

    ScaleMulStep(String name, Buf a, Buf x, Buf y, Buf out, Activation act) {
        super(name, y == null ? List.of(x, a) : List.of(x, a, y), List.of(out));
        this.a = a;
        this.x = x;
        this.y = y;
        this.out = out;
        this.act = act;
    }

    @Override
    public boolean inPlace() {
        return true;
    }

    @Override
    public void bind(Dnnl d) {
        Shape xs = x.shape;
        memory.desc xd = d.desc(x);
        memory.desc ad = d.desc(Shape.of(xs.dim(0), xs.dim(1), 1, 1), a.dtype);
        post_ops po = d.keep(new post_ops());
        if (y != null) {
            po.append_binary(dnnl.algorithm.binary_add, d.desc(y));
        }
        Dnnl.appendActivation(po, act);
        primitive_attr attr = d.keep(new primitive_attr());
        attr.set_post_ops(po);
        binary.primitive_desc pd = d.keep(new binary.primitive_desc(d.engine, dnnl.algorithm.binary_mul, xd, ad, d.desc(out),
                attr, false));
        prim = d.keep(new binary(pd));
        args = y == null
                ? d.args(DNNL_ARG_SRC_0, x.mem(d), DNNL_ARG_SRC_1, a.mem(d, ad), DNNL_ARG_DST, out.mem(d))
                : d.args(DNNL_ARG_SRC_0, x.mem(d), DNNL_ARG_SRC_1, a.mem(d, ad), DNNL_ARG_DST, out.mem(d),
                        Dnnl.postOpSrc1(0), y.mem(d));
    }

    @Override
    public String describe() {
        return name + " [scale-mul" + (y != null ? "-add" : "") + (act.isNone() ? "" : "-" + act.kind())
                + (x.isBf16() ? " bf16" : "") + "]";
    }
}
