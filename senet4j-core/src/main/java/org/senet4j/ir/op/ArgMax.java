package org.senet4j.ir.op;

import java.util.Arrays;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Caffe's ArgMax: the indices (as floats) of the {@code topK} largest values, largest first; of equal values the one
 * with the larger index comes first (Caffe sorts (value, index) pairs with {@code std::greater}).
 *
 * <p>With an {@code axis} ({@link #NO_AXIS} when Caffe's {@code argmax_param.axis} is absent) the values along that
 * axis are ranked and the output is the input shape with that axis set to {@code topK}; with {@code outMaxVal} it holds
 * the values instead of the indices. Without an axis each item (everything after axis 0) is ranked as one vector and
 * the output has {@code max(rank, 3)} axes {@code N x (outMaxVal ? 2 : 1) x topK x 1...}: row 0 the indices, row 1
 * the values.
 */
public record ArgMax(int topK, boolean outMaxVal, int axis) implements Op {
    /** The {@code axis} of an ArgMax without {@code argmax_param.axis}. */
    public static final int NO_AXIS = -1;

    public ArgMax {
        Checks.positive(topK, "top_k");
        if (axis < NO_AXIS) {
            throw new IllegalArgumentException("axis must be " + NO_AXIS + " (none) or non-negative, got " + axis);
        }
    }

    /** Whether {@code argmax_param.axis} was given. */
    public boolean hasAxis() {
        return axis != NO_AXIS;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        if (hasAxis()) {
            Checks.axis(axis, in, "argmax_param.axis");
            if (topK > in.dim(axis)) {
                throw ModelException.field("argmax_param.top_k", "top_k " + topK + " exceeds dimension "
                        + in.dim(axis) + " of axis " + axis + " of input " + in);
            }
            return List.of(in.with(axis, topK));
        }
        Checks.rank(in, 1, 32, "the input of ArgMax");
        if (topK > in.count(1, in.rank())) {
            throw ModelException.field("argmax_param.top_k", "top_k " + topK + " exceeds the "
                    + in.count(1, in.rank()) + " values of each item of input " + in);
        }
        int[] d = new int[Math.max(in.rank(), 3)];
        Arrays.fill(d, 1);
        d[0] = in.dim(0);
        d[1] = outMaxVal ? 2 : 1;
        d[2] = topK;
        return List.of(Shape.of(d));
    }
}
