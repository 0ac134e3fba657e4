package org.senet4j.verify;

import java.util.SplittableRandom;

/**
 * Deterministic, numerically tame random values for the learnable blobs of a Caffe net, so that activations stay
 * in a range where a parity comparison means something. One generator, seeded once, is consumed in layer order,
 * blob order and element order (C order), so the same prototxt and seed always give the same weights.
 *
 * <ul>
 *   <li>Convolution weight: normal(0, sqrt(2 / fan_in)) (He), fan_in = count / num_output; bias uniform(-0.1, 0.1)</li>
 *   <li>InnerProduct weight: normal(0, sqrt(1 / fan_in)), fan_in = count / num_output; bias uniform(-0.1, 0.1)</li>
 *   <li>BatchNorm: mean uniform(-0.1, 0.1), variance uniform(0.5, 1.5), scale factor exactly 1</li>
 *   <li>Scale: gamma uniform(0.5, 1.0), beta uniform(-0.1, 0.1); Bias: uniform(-0.1, 0.1)</li>
 *   <li>the forks' BN: scale / slope uniform(0.5, 1.0), variance (blob 3) uniform(0.5, 1.5), shift / bias and mean
 *       uniform(-0.1, 0.1)</li>
 *   <li>PReLU slopes: uniform(0.05, 0.3); LSTM and RNN (every blob): uniform(-0.5, 0.5), so that the recurrent
 *   products and the gates move well away from their values at zero; every other blob: uniform(-0.1, 0.1)</li>
 * </ul>
 * Normal values come from a Box-Muller transform of the generator's doubles (not {@code nextGaussian()}, whose
 * algorithm changed between JDK releases).
 */
public final class RandomWeights {

    private final SplittableRandom rng;
    private double spareNormal;
    private boolean hasSpare;

    public RandomWeights(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    /** True for layer types whose blob 0 is a convolution kernel (num_output, C/group, kh, kw). */
    public static boolean isConvolution(String type) {
        return type.equals("Convolution") || type.equals("DepthwiseConvolution")
                || type.equals("ConvolutionDepthwise");
    }

    /**
     * Fills {@code out} with values for blob {@code blobIndex} of a layer of type {@code type}.
     *
     * @param fanIn the weight's fan-in (only used for blob 0 of Convolution and InnerProduct)
     */
    public void fill(String type, int blobIndex, long fanIn, float[] out) {
        if (isConvolution(type) && blobIndex == 0) {
            normal(out, Math.sqrt(2.0 / Math.max(1, fanIn)));
        } else if (type.equals("InnerProduct") && blobIndex == 0) {
            normal(out, Math.sqrt(1.0 / Math.max(1, fanIn)));
        } else if (type.equals("BatchNorm")) {
            switch (blobIndex) {
                case 0 -> uniform(out, -0.1, 0.1);
                case 1 -> uniform(out, 0.5, 1.5);
                default -> java.util.Arrays.fill(out, 1f);
            }
        } else if (type.equals("Scale")) {
            if (blobIndex == 0) {
                uniform(out, 0.5, 1.0);
            } else {
                uniform(out, -0.1, 0.1);
            }
        } else if (type.equals("BN")) {
            switch (blobIndex) {
                case 0 -> uniform(out, 0.5, 1.0);
                case 3 -> uniform(out, 0.5, 1.5);
                default -> uniform(out, -0.1, 0.1);
            }
        } else if (type.equals("PReLU")) {
            uniform(out, 0.05, 0.3);
        } else if (type.equals("LSTM") || type.equals("RNN")) {
            uniform(out, -0.5, 0.5);
        } else {
            uniform(out, -0.1, 0.1);
        }
    }

    /** Uniform values in [lo, hi). */
    public void uniform(float[] out, double lo, double hi) {
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        }
    }

    /** Normal values with mean 0 and standard deviation {@code std}. */
    public void normal(float[] out, double std) {
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (std * nextNormal());
        }
    }

    private double nextNormal() {
        if (hasSpare) {
            hasSpare = false;
            return spareNormal;
        }
        double u1;
        do {
            u1 = rng.nextDouble();
        } while (u1 <= Double.MIN_NORMAL);
        double u2 = rng.nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        double theta = 2.0 * Math.PI * u2;
        spareNormal = r * Math.sin(theta);
        hasSpare = true;
        return r * Math.cos(theta);
    }
}
