package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.InnerProduct;

class WeightPrepTest {
    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Test
    void filtersBecomeKrscForChannelsLast() {
        int k = 4;
        int c = 3;
        int r = 2;
        int s = 5;
        float[] w = random(k * c * r * s, 1);
        Convolution op = new Convolution(k, r, s, 1, 1, 0, 0, 1, 1, 1, Tensor.of(Shape.of(k, c, r, s), w), null,
                Activation.NONE);
        assertArrayEquals(w, WeightPrep.convFilter(op, false));
        float[] t = WeightPrep.convFilter(op, true);
        for (int o = 0; o < k; o++) {
            for (int i = 0; i < c; i++) {
                for (int y = 0; y < r; y++) {
                    for (int x = 0; x < s; x++) {
                        assertEquals(w[((o * c + i) * r + y) * s + x], t[((o * r + y) * s + x) * c + i]);
                    }
                }
            }
        }
    }

    /** Rows permuted for a channels-last input give the same products as Caffe's rows on the logical input. */
    @Test
    void innerProductRowsFollowThePhysicalOrder() {
        int n = 5;
        int c = 3;
        int h = 2;
        int w = 4;
        int kk = c * h * w;
        for (boolean transpose : new boolean[] {false, true}) {
            float[] wt = random(n * kk, 2);
            InnerProduct op = new InnerProduct(n, 1, transpose, Tensor.of(transpose ? Shape.of(kk, n) : Shape.of(n, kk),
                    wt), null, Activation.NONE);
            Shape in = Shape.of(2, c, h, w);
            float[] x = random(2 * kk, 3);
            float[] rowsLogical = WeightPrep.innerProductRows(op, in, false);
            float[] rowsNhwc = WeightPrep.innerProductRows(op, in, true);
            for (int b = 0; b < 2; b++) {
                for (int o = 0; o < n; o++) {
                    double logical = 0;
                    double physical = 0;
                    double caffe = 0;
                    for (int ch = 0; ch < c; ch++) {
                        for (int p = 0; p < h * w; p++) {
                            float xv = x[b * kk + ch * h * w + p];
                            logical += (double) rowsLogical[o * kk + ch * h * w + p] * xv;
                            physical += (double) rowsNhwc[o * kk + p * c + ch] * xv;
                            int ki = ch * h * w + p;
                            caffe += (double) (transpose ? wt[ki * n + o] : wt[o * kk + ki]) * xv;
                        }
                    }
                    assertEquals(caffe, logical, 1e-9);
                    assertEquals(caffe, physical, 1e-9);
                }
            }
        }
    }

    @Test
    void bytesAreLittleEndianFloatOrHalf() {
        float[] v = {1f, -2.5f, 65504f};
        ByteBuffer f = ByteBuffer.wrap(WeightPrep.bytes(v, DType.F32)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(-2.5f, f.getFloat(4));
        ByteBuffer h = ByteBuffer.wrap(WeightPrep.bytes(v, DType.F16)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(6, h.capacity());
        assertEquals((short) 0x3c00, h.getShort(0));
        assertEquals((short) 0x7bff, h.getShort(4));
    }
}
