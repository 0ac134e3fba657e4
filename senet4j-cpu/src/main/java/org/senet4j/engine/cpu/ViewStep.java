package org.senet4j.engine.cpu;

import java.util.List;
import org.bytedeco.javacpp.Pointer;

/**
 * A Reshape or Flatten whose input and output hold the same bytes (both stored in logical order: row-major values,
 * or NHWC values of one position per plane or one channel, such as SE-BN-Inception's N x C x 1 x 1 gate seen as
 * N x C). The memory plan lets the output take the input's block when the input dies here; then the step does
 * nothing. Otherwise it copies the bytes.
 */
final class ViewStep extends AbstractStep {
    private final String op;
    private final Buf in;
    private final Buf out;

    ViewStep(String name, String op, Buf in, Buf out) {
        super(name, List.of(in), List.of(out));
        this.op = op;
        this.in = in;
        this.out = out;
    }

    /** Whether a float32 value's physical order is its logical order. */
    static boolean logicalOrder(Buf b) {
        return !b.isBf16() && (!b.nhwc || (long) b.shape.dim(2) * b.shape.dim(3) == 1 || b.shape.dim(1) == 1);
    }

    static boolean applies(Buf in, Buf out) {
        return in.count == out.count && logicalOrder(in) && logicalOrder(out);
    }

    @Override
    public boolean inPlace() {
        return true;
    }

    @Override
    public boolean sameBytes() {
        return true;
    }

    @Override
    public boolean isPrimitive() {
        return in.block == out.block; // a copy reads what a primitive wrote: the plan waits for the stream first
    }

    @Override
    public void bind(Dnnl d) {
    }

    @Override
    public void run(Dnnl d) {
        if (in.block != out.block) {
            Pointer.memcpy(out.pointer(), in.pointer(), in.bytes());
        }
    }

    @Override
    public String describe() {
        return name + " [" + op + (in.block == out.block ? " view" : " copy") + "]";
    }
}
