package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/** Concatenation along {@code axis}; all other dimensions must agree. A single input passes through. */
public record Concat(int axis) implements Op {
    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, Integer.MAX_VALUE);
        Shape first = inputs.get(0);
        Checks.axis(axis, first, "concat_param.axis");
        long total = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Shape s = inputs.get(i);
            if (s.rank() != first.rank()) {
                throw ModelException.field("bottom[" + i + "]", "shape " + s + " has a different number of axes than "
                        + first);
            }
            for (int d = 0; d < s.rank(); d++) {
                if (d != axis && s.dim(d) != first.dim(d)) {
                    throw ModelException.field("bottom[" + i + "]", "shape " + s + " differs from bottom[0] " + first
                            + " outside the concatenation axis " + axis);
                }
            }
            total += s.dim(axis);
        }
        if (total > Integer.MAX_VALUE) {
            throw ModelException.field("bottom", "the concatenated axis " + axis + " of " + total
                    + " is too large");
        }
        return List.of(first.with(axis, (int) total));
    }
}
