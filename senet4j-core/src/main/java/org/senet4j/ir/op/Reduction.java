package org.senet4j.ir.op;

import java.util.List;
import java.util.Objects;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Caffe's Reduction: reduces all axes from {@code axis} on to one number per position of the leading axes, then
 * multiplies by {@code coeff}. The output shape is the input's axes {@code [0, axis)} (a scalar for axis 0).
 * SUM adds, ASUM adds absolute values, SUMSQ adds squares, MEAN adds and divides by the count of reduced values
 * (Caffe folds it into the factor: {@code sum * (coeff / count)}).
 */
public record Reduction(Operation operation, int axis, float coeff) implements Op {
    /** Caffe's {@code reduction_param.operation}. */
    public enum Operation { SUM, ASUM, SUMSQ, MEAN }

    public Reduction {
        Objects.requireNonNull(operation, "operation");
        Checks.nonNegative(axis, "axis");
    }

    /** The factor Caffe applies to each reduced sum over {@code count} values. */
    public float factor(long count) {
        return operation == Operation.MEAN ? coeff / count : coeff;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        Checks.axis(axis, in, "reduction_param.axis");
        return List.of(in.slice(0, axis));
    }
}
