package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * SegNet's / ENet's two-input Upsample (alexgkendall/caffe-segnet): max-unpooling of the values (input 0) by the mask
 * of the MAX pooling that made them (input 1, same N x C x H x W shape, see {@link MaxPoolMask}): each value goes to
 * the position its mask names within its own output plane, every other output is 0. The mask holds the index
 * {@code row * Wo + column} as a float; where two values name one position the later one (row-major order) stays;
 * an index outside {@code [0, Ho Wo)} is an error at run time (the fork aborts).
 *
 * <p>Output N x C x Ho x Wo: {@code upsampleH x upsampleW} when given (both greater than 1), else
 * {@code H scaleH - padOutH} by {@code W scaleW - padOutW} (pad_out, 0 or 1, only with scale 2).
 */
public record MaxUnpool(int scaleH, int scaleW, int padOutH, int padOutW, int upsampleH, int upsampleW)
        implements Op {

    public MaxUnpool {
        Checks.nonNegative(scaleH, "scaleH");
        Checks.nonNegative(scaleW, "scaleW");
        Checks.nonNegative(upsampleH, "upsampleH");
        Checks.nonNegative(upsampleW, "upsampleW");
        if (padOutH < 0 || padOutH > 1 || padOutW < 0 || padOutW > 1) {
            throw new IllegalArgumentException("padOut must be 0 or 1");
        }
        if (!(upsampleH > 0 && upsampleW > 0) && !(scaleH > 0 && scaleW > 0)) {
            throw new IllegalArgumentException("give upsampleH and upsampleW, or scaleH and scaleW");
        }
    }

    /** The output plane {@code {Ho, Wo}} for an input plane of {@code h x w}. */
    public long[] outputSize(int h, int w) {
        if (upsampleH > 0 && upsampleW > 0) {
            return new long[] {upsampleH, upsampleW};
        }
        return new long[] {(long) h * scaleH - padOutH, (long) w * scaleW - padOutW};
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 2, 2);
        Shape in = inputs.get(0);
        Checks.rank(in, 4, 4, "the input of Upsample");
        if (!inputs.get(1).equals(in)) {
            throw ModelException.field("bottom", "the mask (bottom 1) must have the values' shape " + in + ", got "
                    + inputs.get(1));
        }
        long[] o = outputSize(in.dim(2), in.dim(3));
        if (o[0] < 1 || o[1] < 1 || o[0] * o[1] * in.dim(0) * in.dim(1) > Integer.MAX_VALUE) {
            throw ModelException.field("upsample_param.scale", "output plane " + o[0] + "x" + o[1]
                    + " is not a usable size");
        }
        return List.of(Shape.of(in.dim(0), in.dim(1), (int) o[0], (int) o[1]));
    }

    /**
     * The fork's forward pass: values {@code x} and mask {@code mask} of shape {@code in}, {@code y} of shape
     * {@code out}.
     *
     * @throws IllegalArgumentException for a mask index outside the output plane
     */
    public void apply(Shape in, float[] x, float[] mask, Shape out, float[] y) {
        int planes = in.dim(0) * in.dim(1);
        int plane = in.dim(2) * in.dim(3);
        int outPlane = out.dim(2) * out.dim(3);
        java.util.Arrays.fill(y, 0f);
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < plane; i++) {
                float m = mask[p * plane + i];
                int idx = (int) m;
                if (!(m > -1f) || idx >= outPlane) {
                    throw new IllegalArgumentException("Upsample: mask index " + m + " is outside the "
                            + out.dim(2) + "x" + out.dim(3) + " output plane (does the scale match the pooling "
                            + "that made the mask?)");
                }
                y[p * outPlane + idx] = x[p * plane + i];
            }
        }
    }
}
