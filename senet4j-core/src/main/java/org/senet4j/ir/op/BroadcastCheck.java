package org.senet4j.ir.op;

import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/** Caffe's rule for a second input broadcast into the first from {@code axis} on (Scale and Bias with two inputs). */
final class BroadcastCheck {
    private BroadcastCheck() {
    }

    static void check(Shape in, Shape factor, int axis, String field) throws ModelException {
        if (factor.rank() == 0) {
            return;
        }
        if (axis + factor.rank() > in.rank()) {
            throw ModelException.field(field, "second input " + factor + " does not fit into input " + in
                    + " from axis " + axis);
        }
        for (int i = 0; i < factor.rank(); i++) {
            if (in.dim(axis + i) != factor.dim(i)) {
                throw ModelException.field(field, "second input " + factor + " does not match input " + in
                        + " from axis " + axis + " (dimension " + (axis + i) + ": " + in.dim(axis + i) + " vs "
                        + factor.dim(i) + ")");
            }
        }
    }
}
