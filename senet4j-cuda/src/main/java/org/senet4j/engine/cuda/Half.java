package org.senet4j.engine.cuda;

/**
 * IEEE 754 binary16 ("half") conversions in plain Java (Java 17 has no {@code Float.floatToFloat16}): float to half
 * with round-to-nearest-even, as the GPU's {@code cvt.rn.f16.f32} does, and half to float (exact). Used to convert
 * weights once at load and to read fp16 results back.
 */
public final class Half {
    private Half() {
    }

    /** The half nearest to {@code f} (ties to even); overflow gives infinity, NaN stays NaN. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            // subnormal half: shift the mantissa (with its implicit 1) right, rounding to nearest even
            int m = mant | 0x800000;
            int shift = 14 - e;
            int h = m >>> shift;
            int rem = m & ((1 << shift) - 1);
            int half = 1 << (shift - 1);
            if (rem > half || (rem == half && (h & 1) != 0)) {
                h++;
            }
            return (short) (sign | h);
        }
        int h = (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) != 0)) {
            h++; // may carry into the exponent, up to infinity: correct
        }
        return (short) (sign | h);
    }

    /** The float value of the half {@code h} (exact). */
    public static float toFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** Converts an array. */
    public static short[] fromFloats(float[] f) {
        short[] out = new short[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = fromFloat(f[i]);
        }
        return out;
    }

    public static float[] toFloats(short[] h) {
        float[] out = new float[h.length];
        for (int i = 0; i < h.length; i++) {
            out[i] = toFloat(h[i]);
        }
        return out;
    }
}
