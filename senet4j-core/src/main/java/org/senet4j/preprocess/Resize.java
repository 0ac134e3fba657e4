package org.senet4j.preprocess;

/**
 * Bilinear resizing of 8-bit images with the arithmetic of OpenCV's {@code cv::resize(..., INTER_LINEAR)}, which the
 * SENet release used:
 *
 * <ul>
 *   <li>pixel-centre mapping: destination pixel {@code d} samples the source at {@code (d + 0.5) * scale - 0.5},
 *       with {@code scale = 1 / (dst / src)} in double precision, then rounded to float;</li>
 *   <li>at the borders the sample position is clamped to the first and last pixel (no extrapolation): horizontally
 *       the position itself, vertically the rows read (their weights stay, which changes the rounding);</li>
 *   <li>weights in 11-bit fixed point (rounded to nearest, ties to even); a horizontal pass in exact integers, then a
 *       vertical pass {@code ((b0 * (S0 >> 4)) >> 16) + ((b1 * (S1 >> 4)) >> 16) + 2 >> 2}, OpenCV's form for 8-bit
 *       output;</li>
 *   <li>halving both sides exactly is averaging of 2x2 blocks, {@code (a + b + c + d + 2) >> 2} (OpenCV switches to
 *       INTER_AREA there).</li>
 * </ul>
 */
public final class Resize {
    private static final int COEF_BITS = 11;
    private static final int COEF_SCALE = 1 << COEF_BITS;

    private Resize() {
    }

    /** {@code src} resized to {@code width x height}; the same image when the size does not change. */
    public static BgrImage bilinear(BgrImage src, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        int sw = src.width();
        int sh = src.height();
        if (sw == width && sh == height) {
            return src;
        }
        if (sw == 2 * width && sh == 2 * height) {
            return halve(src, width, height);
        }
        int[] xofs = new int[width];
        short[] alpha = new short[2 * width];
        coefficients(sw, width, xofs, alpha, true);
        int[] yofs = new int[height];
        short[] beta = new short[2 * height];
        coefficients(sh, height, yofs, beta, false);

        byte[] s = src.bgr();
        byte[] d = new byte[width * height * 3];
        int rowLen = width * 3;
        int[] row0 = new int[rowLen];
        int[] row1 = new int[rowLen];
        int have0 = -1;
        int have1 = -1;
        for (int dy = 0; dy < height; dy++) {
            int sy0 = Math.min(Math.max(yofs[dy], 0), sh - 1);
            int sy1 = Math.min(Math.max(yofs[dy] + 1, 0), sh - 1);
            // reuse horizontally resized rows between neighbouring destination rows
            if (have0 != sy0) {
                if (have1 == sy0) {
                    int[] t = row0;
                    row0 = row1;
                    row1 = t;
                    have0 = sy0;
                    have1 = -1;
                } else {
                    horizontal(s, sw, sy0, xofs, alpha, row0);
                    have0 = sy0;
                }
            }
            if (have1 != sy1) {
                horizontal(s, sw, sy1, xofs, alpha, row1);
                have1 = sy1;
            }
            int b0 = beta[2 * dy];
            int b1 = beta[2 * dy + 1];
            int o = dy * rowLen;
            for (int x = 0; x < rowLen; x++) {
                d[o + x] = (byte) ((((b0 * (row0[x] >> 4)) >> 16) + ((b1 * (row1[x] >> 4)) >> 16) + 2) >> 2);
            }
        }
        return new BgrImage(width, height, d);
    }

    /**
     * Source index and the two fixed-point weights of every destination index along one axis. Horizontally a
     * position outside the image is clamped with its weights; vertically (like OpenCV) only the rows read are
     * clamped, the weights stay.
     */
    private static void coefficients(int srcSize, int dstSize, int[] ofs, short[] w, boolean clampWeights) {
        double scale = 1.0 / ((double) dstSize / srcSize);
        for (int d = 0; d < dstSize; d++) {
            float f = (float) ((d + 0.5) * scale - 0.5);
            int s = (int) Math.floor(f);
            f -= s;
            if (clampWeights && s < 0) {
                f = 0;
                s = 0;
            }
            if (clampWeights && s >= srcSize - 1) {
                f = 0;
                s = srcSize - 1;
            }
            ofs[d] = s;
            w[2 * d] = (short) Math.rint((1f - f) * COEF_SCALE);
            w[2 * d + 1] = (short) Math.rint(f * COEF_SCALE);
        }
    }

    private static void horizontal(byte[] s, int sw, int sy, int[] xofs, short[] alpha, int[] out) {
        int base = sy * sw * 3;
        int last = (sw - 1) * 3;
        for (int dx = 0; dx < xofs.length; dx++) {
            int p0 = xofs[dx] * 3;
            int p1 = Math.min(p0 + 3, last);
            int a0 = alpha[2 * dx];
            int a1 = alpha[2 * dx + 1];
            for (int c = 0; c < 3; c++) {
                out[dx * 3 + c] = (s[base + p0 + c] & 0xFF) * a0 + (s[base + p1 + c] & 0xFF) * a1;
            }
        }
    }

    private static BgrImage halve(BgrImage src, int width, int height) {
        byte[] s = src.bgr();
        int sw = src.width();
        byte[] d = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            int r0 = 2 * y * sw * 3;
            int r1 = r0 + sw * 3;
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    int i = 6 * x + c;
                    int sum = (s[r0 + i] & 0xFF) + (s[r0 + i + 3] & 0xFF) + (s[r1 + i] & 0xFF) + (s[r1 + i + 3] & 0xFF);
                    d[(y * width + x) * 3 + c] = (byte) ((sum + 2) >> 2);
                }
            }
        }
        return new BgrImage(width, height, d);
    }
}
