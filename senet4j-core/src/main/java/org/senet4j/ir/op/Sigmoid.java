package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/** {@code y = 1 / (1 + exp(-x))}. */
public record Sigmoid() implements Op {
    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        return Elementwise.same(inputs);
    }
}
