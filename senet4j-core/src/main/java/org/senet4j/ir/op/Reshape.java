package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Caffe's Reshape: replaces input axes {@code [axis, axis + numAxes)} ({@code numAxes} -1: to the end) by
 * {@code dims}, where 0 copies the input dimension at the same position and one -1 is inferred from the element count.
 * {@code axis} may be negative as in Caffe (-1 appends after the last axis), since it is resolved per input.
 */
public record Reshape(List<Integer> dims, int axis, int numAxes) implements Op {
    public Reshape {
        dims = List.copyOf(dims);
        if (numAxes < -1) {
            throw new IllegalArgumentException("numAxes must be >= -1, got " + numAxes);
        }
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        int start = axis >= 0 ? axis : in.rank() + axis + 1;
        if (start < 0 || start > in.rank()) {
            throw ModelException.field("reshape_param.axis", "axis " + axis + " out of range for input " + in);
        }
        int end = numAxes == -1 ? in.rank() : start + numAxes;
        if (end > in.rank()) {
            throw ModelException.field("reshape_param.num_axes", "axis " + axis + " + num_axes " + numAxes
                    + " exceeds the " + in.rank() + " axes of input " + in);
        }
        int[] out = new int[start + dims.size() + (in.rank() - end)];
        for (int i = 0; i < start; i++) {
            out[i] = in.dim(i);
        }
        int inferred = -1;
        long known = in.count(0, start) * in.count(end, in.rank());
        for (int i = 0; i < dims.size(); i++) {
            int d = dims.get(i);
            if (d == 0) {
                if (start + i >= in.rank()) {
                    throw ModelException.field("reshape_param.shape", "dim " + i + " is 0 (copy) but input " + in
                            + " has no axis " + (start + i));
                }
                d = in.dim(start + i);
            } else if (d == -1) {
                if (inferred >= 0) {
                    throw ModelException.field("reshape_param.shape", "more than one dimension is -1");
                }
                inferred = start + i;
                continue;
            } else if (d < -1) {
                throw ModelException.field("reshape_param.shape", "dimension " + d + " is negative");
            }
            out[start + i] = d;
            known *= d;
            if (known > Shape.MAX_COUNT) {
                throw ModelException.field("reshape_param.shape", "the output would hold more than "
                        + Shape.MAX_COUNT + " values (the most one Caffe blob can hold); input " + in + " has "
                        + in.count());
            }
        }
        for (int i = end; i < in.rank(); i++) {
            out[start + dims.size() + i - end] = in.dim(i);
        }
        if (inferred >= 0) {
            if (known == 0 || in.count() % known != 0) {
                throw ModelException.field("reshape_param.shape", "cannot infer the -1 dimension: " + in.count()
                        + " values do not divide by " + known);
            }
            out[inferred] = Math.toIntExact(in.count() / known);
        } else if (known != in.count()) {
            throw ModelException.field("reshape_param.shape", "output of " + known + " values cannot hold input "
                    + in + " of " + in.count());
        }
        return List.of(Shape.of(out));
    }
}
