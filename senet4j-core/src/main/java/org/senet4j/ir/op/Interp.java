package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * PSPNet's / DeepLab v2's Interp: bilinear resizing of each N x C plane with aligned corners, after cropping the input.
 *
 * <p>The input plane, cropped by {@code padBeg} at the top and left and by {@code padEnd} at the bottom and right (both
 * zero or negative: a negative pad removes rows and columns), is {@code Hc x Wc = (H + padBeg + padEnd) x
 * (W + padBeg + padEnd)}. The output size follows the fork's order of precedence over the fields that are set
 * (0 here means "not set"): {@code shrinkFactor} alone gives {@code (Hc - 1) / shrink + 1} (integer division);
 * {@code zoomFactor} alone gives {@code Hc + (Hc - 1) (zoom - 1)}; else {@code height} and {@code width}; else both
 * factors, shrink first, then zoom. Width likewise.
 *
 * <p>Values (the fork's {@code caffe_cpu_interp2}, in float): with the same size in and out the cropped plane is
 * copied; otherwise {@code r = (Hc - 1) / (Ho - 1)} (0 when {@code Ho = 1}), output row {@code i} reads the source
 * position {@code r * i}, its integer part {@code h0} and fraction {@code l}, and mixes rows {@code h0} and
 * {@code h0 + 1} (row {@code h0} twice at the last row) by {@code 1 - l} and {@code l}; columns likewise, rows
 * outermost: {@code (1-lh)((1-lw) a + lw b) + lh((1-lw) c + lw d)}.
 */
public record Interp(int zoomFactor, int shrinkFactor, int height, int width, int padBeg, int padEnd)
        implements Op {

    public Interp {
        Checks.nonNegative(zoomFactor, "zoomFactor");
        Checks.nonNegative(shrinkFactor, "shrinkFactor");
        Checks.nonNegative(height, "height");
        Checks.nonNegative(width, "width");
        if (padBeg > 0 || padEnd > 0) {
            throw new IllegalArgumentException("padBeg and padEnd must not be positive, got " + padBeg + ", "
                    + padEnd);
        }
        if (zoomFactor == 0 && shrinkFactor == 0 && (height == 0 || width == 0)) {
            throw new IllegalArgumentException("give a zoom factor, a shrink factor, or height and width");
        }
    }

    /** The output plane {@code {Ho, Wo}} for an input plane of {@code h x w}. */
    public int[] outputSize(int h, int w) {
        long hc = (long) h + padBeg + padEnd;
        long wc = (long) w + padBeg + padEnd;
        long oh;
        long ow;
        if (shrinkFactor > 0 && zoomFactor == 0) {
            oh = (hc - 1) / shrinkFactor + 1;
            ow = (wc - 1) / shrinkFactor + 1;
        } else if (zoomFactor > 0 && shrinkFactor == 0) {
            oh = hc + (hc - 1) * (zoomFactor - 1);
            ow = wc + (wc - 1) * (zoomFactor - 1);
        } else if (height > 0 && width > 0) {
            oh = height;
            ow = width;
        } else {
            oh = (hc - 1) / shrinkFactor + 1;
            ow = (wc - 1) / shrinkFactor + 1;
            oh = oh + (oh - 1) * (zoomFactor - 1);
            ow = ow + (ow - 1) * (zoomFactor - 1);
        }
        return new int[] {(int) Math.max(Math.min(oh, Integer.MAX_VALUE), Integer.MIN_VALUE),
            (int) Math.max(Math.min(ow, Integer.MAX_VALUE), Integer.MIN_VALUE)};
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        Checks.rank(in, 4, 4, "the input of Interp");
        long hc = (long) in.dim(2) + padBeg + padEnd;
        long wc = (long) in.dim(3) + padBeg + padEnd;
        if (hc <= 0 || wc <= 0) {
            throw ModelException.field("interp_param.pad_beg", "cropping " + -padBeg + " and " + -padEnd
                    + " from the " + in.dim(2) + "x" + in.dim(3) + " input leaves nothing (" + hc + "x" + wc + ")");
        }
        int[] o = outputSize(in.dim(2), in.dim(3));
        long count = (long) o[0] * o[1] * in.dim(0) * in.dim(1);
        if (o[0] <= 0 || o[1] <= 0 || o[0] == Integer.MAX_VALUE || o[1] == Integer.MAX_VALUE
                || count > Integer.MAX_VALUE) {
            throw ModelException.field(shrinkFactor > 0 || zoomFactor > 0 ? "interp_param.zoom_factor"
                    : "interp_param.height", "output plane " + o[0] + "x" + o[1] + " is not a usable size");
        }
        return List.of(Shape.of(in.dim(0), in.dim(1), o[0], o[1]));
    }

    /** The fork's forward pass: {@code x} of shape {@code in}, {@code y} of shape {@code out}, row-major. */
    public void apply(Shape in, float[] x, Shape out, float[] y) {
        int planes = in.dim(0) * in.dim(1);
        int h = in.dim(2);
        int w = in.dim(3);
        int hc = h + padBeg + padEnd;
        int wc = w + padBeg + padEnd;
        int oh = out.dim(2);
        int ow = out.dim(3);
        int y0 = -padBeg;
        int x0 = -padBeg;
        if (hc == oh && wc == ow) {
            for (int p = 0; p < planes; p++) {
                for (int i = 0; i < oh; i++) {
                    System.arraycopy(x, p * h * w + (y0 + i) * w + x0, y, (p * oh + i) * ow, ow);
                }
            }
            return;
        }
        float rh = oh > 1 ? (float) (hc - 1) / (oh - 1) : 0f;
        float rw = ow > 1 ? (float) (wc - 1) / (ow - 1) : 0f;
        for (int i = 0; i < oh; i++) {
            float hr = rh * i;
            int h0 = (int) hr;
            int dh = h0 < hc - 1 ? w : 0;
            float lh = hr - h0;
            float kh = 1f - lh;
            for (int j = 0; j < ow; j++) {
                float wr = rw * j;
                int w0 = (int) wr;
                int dw = w0 < wc - 1 ? 1 : 0;
                float lw = wr - w0;
                float kw = 1f - lw;
                for (int p = 0; p < planes; p++) {
                    int a = p * h * w + (y0 + h0) * w + x0 + w0;
                    y[(p * oh + i) * ow + j] = kh * (kw * x[a] + lw * x[a + dw])
                            + lh * (kw * x[a + dh] + lw * x[a + dh + dw]);
                }
            }
        }
    }
}
