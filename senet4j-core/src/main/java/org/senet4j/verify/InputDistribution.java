package org.senet4j.verify;

/** How the oracle draws random network inputs. */
public enum InputDistribution {
    /** Uniform in [-1, 1). */
    UNIFORM,
    /** Standard normal, mean 0, standard deviation 1. */
    NORMAL;

    /** Fills {@code out} from a generator seeded with {@code seed}. */
    public void fill(long seed, float[] out) {
        RandomWeights r = new RandomWeights(seed);
        if (this == UNIFORM) {
            r.uniform(out, -1.0, 1.0);
        } else {
            r.normal(out, 1.0);
        }
    }
}
