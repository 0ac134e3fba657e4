package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/** The net's inputs: no bottoms, one top per shape. {@code source} says what defined them (Input, MemoryData, ...). */
public record Input(List<Shape> shapes, String source) implements Op {
    public Input {
        shapes = List.copyOf(shapes);
        if (shapes.isEmpty()) {
            throw new IllegalArgumentException("an Input needs at least one shape");
        }
    }

    public Input(List<Shape> shapes) {
        this(shapes, "Input");
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 0, 0);
        return shapes;
    }
}
