package org.senet4j.verify;

import java.util.List;

/**
 * The result of comparing a run blob by blob against a reference.
 *
 * @param blobs     the compared blobs, in the reference's order
 * @param skipped   reference blobs with no counterpart here, each with the reason (Caffe's {@code *_split_N}
 *                  copies, values removed by passes)
 * @param tolerance the relative L-infinity tolerance used
 */
public record VerifyReport(List<BlobResult> blobs, List<String> skipped, double tolerance) {
    public VerifyReport {
        blobs = List.copyOf(blobs);
        skipped = List.copyOf(skipped);
    }

    /** Whether every compared blob passed (and at least one was compared). */
    public boolean pass() {
        return !blobs.isEmpty() && blobs.stream().allMatch(BlobResult::pass);
    }

    public double worstRelError() {
        return blobs.stream().mapToDouble(BlobResult::relError).max().orElse(Double.NaN);
    }
}
