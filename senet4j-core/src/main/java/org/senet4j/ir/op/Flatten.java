package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/** Merges axes {@code [axis, endAxis]} (inclusive) into one. */
public record Flatten(int axis, int endAxis) implements Op {
    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        Checks.axis(axis, in, "flatten_param.axis");
        Checks.axis(endAxis, in, "flatten_param.end_axis");
        if (endAxis < axis) {
            throw ModelException.field("flatten_param.end_axis", "end_axis " + endAxis + " precedes axis " + axis);
        }
        int[] d = new int[in.rank() - (endAxis - axis)];
        int j = 0;
        for (int i = 0; i < axis; i++) {
            d[j++] = in.dim(i);
        }
        d[j++] = Math.toIntExact(in.count(axis, endAxis + 1));
        for (int i = endAxis + 1; i < in.rank(); i++) {
            d[j++] = in.dim(i);
        }
        return List.of(Shape.of(d));
    }
}
