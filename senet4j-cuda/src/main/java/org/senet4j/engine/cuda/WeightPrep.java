package org.senet4j.engine.cuda;

import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.InnerProduct;

/**
 * Host-side weight layouts for the device, computed once at load: convolution filters in cuDNN's NCHW ({@code KCRS},
 * Caffe's own order) or NHWC ({@code KRSC}) filter format, inner-product weights as {@code N x K} rows whose K order
 * follows the input's physical order (channels-last inputs permute K), transposed weights transposed.
 */
final class WeightPrep {
    private WeightPrep() {
    }

    /** Caffe's {@code K x C x R x S} filter, permuted to {@code K x R x S x C} when {@code nhwc}. */
    static float[] convFilter(Convolution op, boolean nhwc) {
        float[] w = op.weight().toArray();
        if (!nhwc) {
            return w;
        }
        Shape s = op.weight().shape();
        return kcrsToKrsc(w, s.dim(0), s.dim(1), s.dim(2), s.dim(3));
    }

    static float[] kcrsToKrsc(float[] w, int k, int c, int r, int s) {
        float[] out = new float[w.length];
        for (int o = 0; o < k; o++) {
            for (int i = 0; i < c; i++) {
                for (int y = 0; y < r; y++) {
                    for (int x = 0; x < s; x++) {
                        out[((o * r + y) * s + x) * c + i] = w[((o * c + i) * r + y) * s + x];
                    }
                }
            }
        }
        return out;
    }

    /**
     * The inner-product weight as {@code N x K} rows (transposed weights transposed) with K in the physical order of
     * the input rows: for a 4-D channels-last input flattened from axis 1, K runs over {@code (h, w, c)} instead of
     * Caffe's {@code (c, h, w)}.
     *
     * @param in        the input's logical shape
     * @param inputNhwc whether the input is stored channels-last (then {@code op.axis()} must be 1)
     */
    static float[] innerProductRows(InnerProduct op, Shape in, boolean inputNhwc) {
        int n = op.numOutput();
        int k = op.inputSize();
        float[] w = op.weightRows();
        if (!inputNhwc) {
            return w;
        }
        if (op.axis() != 1 || in.rank() != 4) {
            throw new IllegalArgumentException("a channels-last input flattens from axis 1 only, got axis " + op.axis()
                    + " of " + in);
        }
        int c = in.dim(1);
        int hw = in.dim(2) * in.dim(3);
        float[] out = new float[w.length];
        for (int o = 0; o < n; o++) {
            int base = o * k;
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) {
                    out[base + p * c + ch] = w[base + ch * hw + p];
                }
            }
        }
        return out;
    }

    /** Values in the element type's bytes: float32 or binary16, little-endian. */
    static byte[] bytes(float[] v, DType t) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * t.size).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (t == DType.F32) {
            b.asFloatBuffer().put(v);
        } else {
            java.nio.ShortBuffer s = b.asShortBuffer();
            for (float f : v) {
                s.put(Half.fromFloat(f));
            }
        }
        return b.array();
    }
}
