package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Caffe's MAX Pooling with two tops: output 0 is the {@link Pooling} output, output 1 (same shape) the mask, the
 * position of each window's maximum within its input plane, {@code row * W + column}, as a float. The window is
 * Caffe's (clipped to the input; padded cells never win) and the first maximum in row-major window order wins ties.
 * A window with no input cell (possible only without padding, stride larger than the kernel, ceil rounding) gives
 * -FLT_MAX and mask -1, as in Caffe.
 */
public record MaxPoolMask(Pooling pooling) implements Op {
    public MaxPoolMask {
        if (pooling == null || pooling.method() != Pooling.Method.MAX) {
            throw new IllegalArgumentException("a mask top needs MAX pooling");
        }
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Shape out = pooling.outputShapes(inputs).get(0);
        return List.of(out, out);
    }

    /** Caffe's forward pass: {@code x} of shape {@code in} into values {@code y} and {@code mask} of shape out. */
    public void apply(Shape in, float[] x, Shape out, float[] y, float[] mask) {
        int planes = in.dim(0) * in.dim(1);
        int h = in.dim(2);
        int w = in.dim(3);
        int[] k = pooling.kernel(h, w);
        int sh = pooling.global() ? 1 : pooling.strideH();
        int sw = pooling.global() ? 1 : pooling.strideW();
        int ph = pooling.global() ? 0 : pooling.padH();
        int pw = pooling.global() ? 0 : pooling.padW();
        int oh = out.dim(2);
        int ow = out.dim(3);
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int i = 0; i < oh; i++) {
                int hs = i * sh - ph;
                int he = Math.min(hs + k[0], h);
                hs = Math.max(hs, 0);
                for (int j = 0; j < ow; j++) {
                    int ws = j * sw - pw;
                    int we = Math.min(ws + k[1], w);
                    ws = Math.max(ws, 0);
                    float best = -Float.MAX_VALUE;
                    int at = -1;
                    for (int r = hs; r < he; r++) {
                        for (int c = ws; c < we; c++) {
                            if (x[base + r * w + c] > best) {
                                best = x[base + r * w + c];
                                at = r * w + c;
                            }
                        }
                    }
                    y[(p * oh + i) * ow + j] = best;
                    mask[(p * oh + i) * ow + j] = at;
                }
            }
        }
    }
}
