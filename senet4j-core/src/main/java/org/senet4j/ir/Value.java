package org.senet4j.ir;

import java.util.Objects;

/**
 * A named value of the graph (an edge). {@code blob} is the Caffe blob the value belongs to: layers that work in place
 * write several successive values of one blob. The last of them carries the blob's own name, so that a Caffe blob
 * name always finds the value Caffe holds under that name after a forward pass; earlier ones are named
 * {@code blob@layer} after the layer that wrote them.
 */
public record Value(String name, String blob, Shape shape) {
    public Value {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(blob, "blob");
        Objects.requireNonNull(shape, "shape");
    }
}
