package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/** {@code y = max(x, 0) + negativeSlope * min(x, 0)}. */
public record ReLU(float negativeSlope) implements Op {
    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        return Elementwise.same(inputs);
    }
}
