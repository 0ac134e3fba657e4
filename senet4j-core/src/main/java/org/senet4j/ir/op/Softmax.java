package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/** Softmax along {@code axis}; every other axis indexes independent softmaxes. */
public record Softmax(int axis) implements Op {
    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Checks.axis(axis, inputs.get(0), "softmax_param.axis");
        return List.of(inputs.get(0));
    }
}
