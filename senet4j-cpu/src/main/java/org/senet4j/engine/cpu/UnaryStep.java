package org.senet4j.engine.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;

import java.util.List;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.global.dnnl;

/**
 * An element-wise op as a oneDNN eltwise primitive (alpha, beta as oneDNN defines them for the algorithm), in place
 * when allowed: ReLU (with negative slope), Sigmoid, TanH, and the Unary kinds whose oneDNN formula is Caffe's.
 */
final class UnaryStep extends AbstractStep {
    private final dnnl.algorithm alg;
    private final float alpha;
    private final float beta;
    private final Buf in;
    private final Buf out;

    UnaryStep(String name, dnnl.algorithm alg, float alpha, Buf in, Buf out) {
        this(name, alg, alpha, 0f, in, out);
    }

    UnaryStep(String name, dnnl.algorithm alg, float alpha, float beta, Buf in, Buf out) {
        super(name, List.of(in), List.of(out));
        this.alg = alg;
        this.alpha = alpha;
        this.beta = beta;
        this.in = in;
        this.out = out;
    }

    @Override
    public boolean inPlace() {
        return true;
    }

    @Override
    public void bind(Dnnl d) {
        eltwise_forward.primitive_desc pd = d.keep(new eltwise_forward.primitive_desc(d.engine,
                dnnl.prop_kind.forward_inference, alg, d.desc(in), d.desc(out), alpha, beta,
                d.keep(new org.bytedeco.dnnl.primitive_attr()), false));
        prim = d.keep(new eltwise_forward(pd));
        args = d.args(DNNL_ARG_SRC, in.mem(d), DNNL_ARG_DST, out.mem(d));
    }

    @Override
    public String describe() {
        return name + " [" + alg + (in.isBf16() ? " bf16" : "") + "]";
    }
}
