package org.senet4j.ir.op;

import java.util.ArrayList;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Splits the input along {@code axis} into {@code outputs} parts: at the given strictly increasing {@code points}
 * (there are outputs - 1 of them), or into equal parts when {@code points} is empty.
 */
public record Slice(int axis, List<Integer> points, int outputs) implements Op {
    public Slice {
        points = List.copyOf(points);
        Checks.positive(outputs, "outputs");
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        Checks.axis(axis, in, "slice_param.axis");
        int size = in.dim(axis);
        List<Shape> out = new ArrayList<>();
        if (points.isEmpty()) {
            if (size % outputs != 0) {
                throw ModelException.field("slice_param.slice_point", "dimension " + size + " of axis " + axis
                        + " does not split into " + outputs + " equal parts");
            }
            for (int i = 0; i < outputs; i++) {
                out.add(in.with(axis, size / outputs));
            }
            return out;
        }
        if (points.size() != outputs - 1) {
            throw ModelException.field("slice_param.slice_point", "expected " + (outputs - 1) + " points for "
                    + outputs + " tops, got " + points.size());
        }
        int prev = 0;
        for (int i = 0; i <= points.size(); i++) {
            int next = i < points.size() ? points.get(i) : size;
            if (next <= prev || next > size) {
                throw ModelException.field("slice_param.slice_point", "points " + points
                        + " must increase strictly within (0, " + size + ")");
            }
            out.add(in.with(axis, next - prev));
            prev = next;
        }
        return out;
    }
}
