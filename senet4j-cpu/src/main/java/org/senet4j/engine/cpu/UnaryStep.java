package org.senet4j.engine.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;

import java.util.List;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.global.dnnl;

/** ReLU (with negative slope), Sigmoid or TanH as a oneDNN element-wise primitive, in place when allowed. */
final class UnaryStep extends AbstractStep {
    private final dnnl.algorithm alg;
    private final float alpha;
    private final Buf in;
    private final Buf out;

    UnaryStep(String name, dnnl.algorithm alg, float alpha, Buf in, Buf out) {
        super(name, List.of(in), List.of(out));
        this.alg = alg;
        this.alpha = alpha;
        this.in = in;
        this.out = out;
    }

    @Override
    public boolean inPlace() {
        return true;
    }

    @Override
    public void bind(Dnnl d) {
        memory.desc desc = d.desc(in.shape);
        eltwise_forward.primitive_desc pd = d.keep(new eltwise_forward.primitive_desc(d.engine,
                dnnl.prop_kind.forward_inference, alg, desc, desc, alpha, 0f,
                d.keep(new org.bytedeco.dnnl.primitive_attr()), false));
        prim = d.keep(new eltwise_forward(pd));
        args = d.args(DNNL_ARG_SRC, in.mem(d), DNNL_ARG_DST, out.mem(d));
    }

    @Override
    public String describe() {
        return name + " [" + alg + "]";
    }
}
