package org.senet4j.engine.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MULTIPLE_SRC;

import java.util.List;
import org.bytedeco.dnnl.concat;
import org.bytedeco.dnnl.memory_desc_vector;

/** Concatenation along any axis as a oneDNN concat primitive (logical axis; layouts handled by oneDNN). */
final class ConcatStep extends AbstractStep {
    private final int axis;
    private final List<Buf> in;
    private final Buf out;

    ConcatStep(String name, int axis, List<Buf> in, Buf out) {
        super(name, in, List.of(out));
        this.axis = axis;
        this.in = List.copyOf(in);
        this.out = out;
    }

    @Override
    public void bind(Dnnl d) {
        memory_desc_vector srcs = d.keep(new memory_desc_vector());
        for (Buf b : in) {
            srcs.push_back(d.desc(b));
        }
        concat.primitive_desc pd = d.keep(new concat.primitive_desc(d.engine, d.desc(out), axis, srcs,
                d.keep(new org.bytedeco.dnnl.primitive_attr()), false));
        prim = d.keep(new concat(pd));
        args = d.args(DNNL_ARG_DST, out.mem(d));
        for (int i = 0; i < in.size(); i++) {
            args.put(DNNL_ARG_MULTIPLE_SRC + i, in.get(i).mem(d));
        }
    }

    @Override
    public String describe() {
        return name + " [concat" + (out.isBf16() ? " bf16" : "") + "]";
    }
}
