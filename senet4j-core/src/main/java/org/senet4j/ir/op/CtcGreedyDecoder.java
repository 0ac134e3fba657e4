package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * senlinuc/caffe_ocr's CTCGreedyDecoder ({@code ctc_decoder_param}: {@code blank_index}, default 0, a negative value
 * meaning the last class C - 1; {@code ctc_merge_repeated}, default true), inference form (one bottom, one top).
 * Input: T x N x C class scores (the fork reads {@code C = shape(2)} and a T x N x C layout, so exactly 3 axes).
 * Output: N x T x 1 x 1 class indices as floats, each row the decoded sequence of stream n followed by {@code -1}
 * up to length T.
 *
 * <p>Per stream n, for t = 0..T-1: {@code k_t} = the first class with the largest score (the fork's strict
 * {@code >}: ties go to the lowest index; a NaN never wins over class 0); {@code k_t} is appended unless it is the
 * blank, or ({@code ctc_merge_repeated}) equals {@code k_{t-1}}, the argmax of the step before whatever that was
 * (so {@code a a} gives {@code a}, {@code a blank a} gives {@code a a}).
 */
public record CtcGreedyDecoder(int blankIndex, boolean mergeRepeated) implements Op {

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        if (in.rank() != 3) {
            throw ModelException.field("bottom", "CTCGreedyDecoder takes T x N x C class scores (3 axes: the fork "
                    + "reads C from axis 2 and steps of C values), got shape " + in);
        }
        return List.of(Shape.of(in.dim(1), in.dim(0), 1, 1));
    }

    /** The blank class for {@code classes} classes: {@code blankIndex}, or C - 1 when it is negative. */
    public int blank(int classes) {
        return blankIndex < 0 ? classes - 1 : blankIndex;
    }

    /** Per-step argmax with the fork's tie rule (first maximum; comparisons with {@code >}). */
    public static int argmax(float[] x, int offset, int classes) {
        int best = 0;
        float max = x[offset];
        for (int c = 1; c < classes; c++) {
            if (x[offset + c] > max) {
                max = x[offset + c];
                best = c;
            }
        }
        return best;
    }

    /** The forward pass on T x N x C data {@code x} of shape {@code in}; {@code y} is N x T. */
    public void apply(Shape in, float[] x, float[] y) {
        int steps = in.dim(0);
        int n = in.dim(1);
        int classes = in.dim(2);
        int blank = blank(classes);
        java.util.Arrays.fill(y, -1f);
        for (int s = 0; s < n; s++) {
            int prev = -1;
            int written = 0;
            for (int t = 0; t < steps; t++) {
                int k = argmax(x, (t * n + s) * classes, classes);
                if (k != blank && !(mergeRepeated && k == prev)) {
                    y[s * steps + written++] = k;
                }
                prev = k;
            }
        }
    }
}
