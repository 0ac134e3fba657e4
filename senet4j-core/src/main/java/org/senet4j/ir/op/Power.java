package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/** {@code y = (shift + scale * x) ^ power}. */
public record Power(float power, float scale, float shift) implements Op {
    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        return Elementwise.same(inputs);
    }
}
