package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * SENet's Axpy layer: inputs {@code (a, X, Y)}, output {@code a[n,c] * X + Y}. {@code a} is N x C or N x C x 1 x 1;
 * X and Y have the same shape, with X's first two dimensions equal to a's.
 */
public record Axpy() implements Op {
    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 3, 3);
        Shape a = inputs.get(0);
        Shape x = inputs.get(1);
        Shape y = inputs.get(2);
        if (x.rank() < 2 || a.rank() < 2 || a.dim(0) != x.dim(0) || a.dim(1) != x.dim(1)) {
            throw ModelException.field("bottom[0]", "the scale a " + a + " must match the first two dimensions of X "
                    + x);
        }
        if (a.rank() != 2 && (a.rank() != 4 || a.dim(2) != 1 || a.dim(3) != 1)) {
            throw ModelException.field("bottom[0]", "the scale a must be N x C or N x C x 1 x 1, got " + a);
        }
        if (!x.equals(y)) {
            throw ModelException.field("bottom[2]", "X " + x + " and Y " + y + " must have the same shape");
        }
        return List.of(x);
    }
}
