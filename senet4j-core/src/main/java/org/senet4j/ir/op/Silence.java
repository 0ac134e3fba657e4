package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/** Consumes its inputs and produces nothing (marks blobs as used). */
public record Silence() implements Op {
    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, Integer.MAX_VALUE);
        return List.of();
    }
}
