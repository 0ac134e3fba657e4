package org.senet4j.ir;

import org.senet4j.ModelException;
import org.senet4j.ir.op.DetectionOutput;
import org.senet4j.ir.op.DetectionRows;
import org.senet4j.ir.op.Silence;

/**
 * Detection rows (DetectionOutput, the YOLO heads: {@link DetectionRows}) have a data-dependent row count that the
 * graph only bounds (see {@link DetectionOutput}):
 * engines cut it to its real rows when they return it, but a layer reading it inside the graph would see the padded
 * bound. Such a layer is refused (a Silence, which reads nothing, is allowed).
 */
final class DetectionRowsCheck {
    private DetectionRowsCheck() {
    }

    static void check(Node reader, int bottom, Node producer) throws ModelException {
        if (producer != null && producer.op() instanceof DetectionRows && !(reader.op() instanceof Silence)) {
            throw ModelException.layer(reader.name(), reader.type(), "bottom[" + bottom + "]", "reads the detections "
                    + "of layer \"" + producer.name() + "\" (" + producer.type() + "), whose row count depends on the "
                    + "data; senet4j computes " + producer.type() + " only as a net output");
        }
    }
}
