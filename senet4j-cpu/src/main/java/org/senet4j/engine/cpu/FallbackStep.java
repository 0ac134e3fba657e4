package org.senet4j.engine.cpu;

import java.util.ArrayList;
import java.util.List;
import org.senet4j.engine.ref.ReferenceKernels;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Op;

/**
 * Any op through its reference kernel: inputs are read in logical order, the Java kernel runs, outputs are written
 * back in the engine's layout. Used for what has no fast kernel (Softmax, Reshape, Slice, uncommon axes, Caffe
 * average pooling whose windows reach past the padding).
 */
final class FallbackStep extends AbstractStep {
    private final Op op;
    private final List<Buf> in;
    private final List<Buf> out;

    FallbackStep(String name, Op op, List<Buf> in, List<Buf> out) {
        super(name, in, out);
        this.op = op;
        this.in = List.copyOf(in);
        this.out = List.copyOf(out);
    }

    @Override
    public void bind(Dnnl d) {
    }

    @Override
    public boolean isPrimitive() {
        return false;
    }

    @Override
    public void run(Dnnl d) {
        List<float[]> x = new ArrayList<>();
        List<Shape> xs = new ArrayList<>();
        for (Buf b : in) {
            x.add(b.readLogical());
            xs.add(b.shape);
        }
        List<float[]> y;
        try {
            y = ReferenceKernels.run(op, xs, x, out.stream().map(b -> b.shape).toList());
        } catch (IllegalArgumentException e) { // input values the op refuses (an Embed index past its table)
            throw new IllegalArgumentException("layer \"" + name + "\": " + e.getMessage(), e);
        }
        for (int i = 0; i < out.size(); i++) {
            out.get(i).writeLogical(y.get(i));
        }
    }

    @Override
    public String describe() {
        return name + " [java " + op.opName() + "]";
    }
}
