package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/** Shape rule of the one-input ops that keep their input's shape. */
final class Elementwise {
    private Elementwise() {
    }

    static List<Shape> same(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        return List.of(inputs.get(0));
    }
}
