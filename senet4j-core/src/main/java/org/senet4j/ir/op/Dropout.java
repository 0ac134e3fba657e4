package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/** Identity at inference (Caffe scales at training time); {@code ratio} is kept for reference. */
public record Dropout(float ratio) implements Op {
    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        return Elementwise.same(inputs);
    }
}
