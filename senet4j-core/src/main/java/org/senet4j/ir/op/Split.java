package org.senet4j.ir.op;

import java.util.Collections;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/** Copies its input to each of its {@code outputs} tops. */
public record Split(int outputs) implements Op {
    public Split {
        Checks.positive(outputs, "outputs");
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        return Collections.nCopies(outputs, inputs.get(0));
    }
}
