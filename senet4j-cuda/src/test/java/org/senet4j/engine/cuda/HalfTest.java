package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** fp16 conversions: exact decoding of every half, and rounding checked against a brute-force nearest search. */
class HalfTest {

    @Test
    void everyHalfDecodesAndEncodesBack() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Half.toFloat((short) h);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(f))));
                continue;
            }
            assertEquals(h, Half.fromFloat(f) & 0xffff, "half 0x" + Integer.toHexString(h) + " = " + f);
        }
    }

    @Test
    void knownValues() {
        assertEquals(0x3c00, Half.fromFloat(1f) & 0xffff);
        assertEquals(0xc000, Half.fromFloat(-2f) & 0xffff);
        assertEquals(0x7bff, Half.fromFloat(65504f) & 0xffff);
        assertEquals(0x7c00, Half.fromFloat(65520f) & 0xffff); // rounds up to infinity
        assertEquals(0x7bff, Half.fromFloat(65519.99f) & 0xffff);
        assertEquals(0x0001, Half.fromFloat(0x1p-24f) & 0xffff);
        assertEquals(0x0000, Half.fromFloat(0x1p-25f) & 0xffff); // tie to even (zero)
        assertEquals(0x0001, Half.fromFloat(0x1.8p-25f) & 0xffff);
        assertEquals(0x0400, Half.fromFloat(0x1p-14f) & 0xffff);
        assertEquals(0x3c00, Half.fromFloat(1f + 0x1p-11f) & 0xffff); // tie to even: down
        assertEquals(0x3c02, Half.fromFloat(1f + 3 * 0x1p-11f) & 0xffff); // tie to even: up
        assertEquals(0x7c00, Half.fromFloat(Float.POSITIVE_INFINITY) & 0xffff);
        assertEquals(0x8000, Half.fromFloat(-0f) & 0xffff);
        assertEquals(65504f, Half.toFloat((short) 0x7bff));
        assertEquals(0x1p-24f, Half.toFloat((short) 1));
    }

    /** Random floats of every magnitude against the nearest finite half found by search (ties to even). */
    @Test
    void roundsToNearestEven() {
        float[] halves = new float[0x7c00];
        for (int h = 0; h < 0x7c00; h++) {
            halves[h] = Half.toFloat((short) h);
        }
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt(0, 0x47800000)); // 0 .. 65536
            int idx = Arrays.binarySearch(halves, f);
            int want;
            if (idx >= 0) {
                want = idx;
            } else {
                int hi = -idx - 1;
                int lo = hi - 1;
                if (hi >= halves.length) {
                    double step = 32.0; // spacing at the top binade; beyond 65504 + 16 it is infinity
                    want = f >= 65504 + step / 2 ? 0x7c00 : 0x7bff;
                } else {
                    double dl = (double) f - halves[lo];
                    double dh = (double) halves[hi] - f;
                    want = dl < dh ? lo : dh < dl ? hi : (lo % 2 == 0 ? lo : hi);
                }
            }
            assertEquals(want, Half.fromFloat(f) & 0xffff, "float " + f);
            assertEquals(want | 0x8000, Half.fromFloat(-f) & 0xffff, "float " + -f);
        }
    }
}
