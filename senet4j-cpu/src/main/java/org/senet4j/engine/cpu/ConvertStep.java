package org.senet4j.engine.cpu;

import java.util.List;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;

/**
 * A value copied into another element type (float32 to bfloat16, round to nearest even, or back, exact) by a oneDNN
 * reorder in the same layout: what a bf16 plan puts where a step needs its input in the other type. Planned once per
 * shape like every step; the copy is a buffer of its own that the memory plan places like any other.
 */
final class ConvertStep extends AbstractStep {
    private final Buf in;
    private final Buf out;

    ConvertStep(Buf in, Buf out) {
        super(in.value, List.of(in), List.of(out));
        if (in.dtype == out.dtype || !in.shape.equals(out.shape)) {
            throw new IllegalArgumentException("a conversion needs two element types of one shape: " + in + " -> "
                    + out);
        }
        this.in = in;
        this.out = out;
    }

    @Override
    public void bind(Dnnl d) {
        memory src = in.mem(d);
        memory dst = out.mem(d);
        prim = d.keep(new reorder(src, dst));
        args = d.args(org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM, src, org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO,
                dst);
    }

    @Override
    public String describe() {
        return name + " [convert " + in.dtype + " -> " + out.dtype + "]";
    }
}
