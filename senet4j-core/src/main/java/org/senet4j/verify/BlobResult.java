package org.senet4j.verify;

import org.senet4j.ir.Shape;

/**
 * One blob compared: our value against the reference.
 *
 * @param maxAbsError {@code max |ours - reference|}
 * @param relError    relative L-infinity error {@code max |ours - reference| / max |reference|} (the absolute error
 *                    when the reference is all zeros); infinite for NaN or a shape mismatch
 */
public record BlobResult(String name, Shape shape, double maxAbsError, double relError, boolean pass, String note) {

    /**
     * Compares two arrays of the same shape.
     *
     * @param tolerance the largest relative error that passes
     */
    public static BlobResult compare(String name, Shape shape, float[] ours, float[] reference, double tolerance) {
        double maxAbs = 0;
        double maxRef = 0;
        boolean nan = false;
        for (int i = 0; i < reference.length; i++) {
            double r = reference[i];
            double d = Math.abs((double) ours[i] - r);
            if (Double.isNaN(d)) {
                nan = true;
            } else if (d > maxAbs) {
                maxAbs = d;
            }
            maxRef = Math.max(maxRef, Math.abs(r));
        }
        if (nan) {
            return new BlobResult(name, shape, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, false,
                    "NaN or infinity");
        }
        double rel = maxRef > 0 ? maxAbs / maxRef : maxAbs;
        return new BlobResult(name, shape, maxAbs, rel, rel <= tolerance, "");
    }

    public static BlobResult shapeMismatch(String name, Shape ours, Shape reference) {
        return new BlobResult(name, reference, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, false,
                "shape " + ours + " differs from the reference's " + reference);
    }
}
