package org.senet4j.ir.op;

/**
 * An op whose single output is detection rows {@code 1 x 1 x K x 7} with {@code K} known only after the forward
 * pass (DetectionOutput, the YOLO heads): the graph gives the static upper bound, the rows after the real ones are
 * padded with -1 (no real row starts with -1), and engines cut the value to its real rows when they return it.
 */
public interface DetectionRows {
    /** The rows of an output that are detections (or the empty-result rows): those before the padding. */
    static int rows(float[] output) {
        int k = 0;
        while (k * 7 < output.length && output[k * 7] >= 0) {
            k++;
        }
        return k;
    }
}
