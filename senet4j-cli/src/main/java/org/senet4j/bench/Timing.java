package org.senet4j.bench;

import java.util.Arrays;

/** Timed runs of one configuration: milliseconds per run, with median and spread. */
public record Timing(double[] millis) {
    public Timing {
        millis = millis.clone();
    }

    @Override
    public double[] millis() {
        return millis.clone();
    }

    public double median() {
        return percentile(50);
    }

    /** The p-th percentile (nearest rank) of the runs. */
    public double percentile(double p) {
        if (millis.length == 0) {
            return Double.NaN;
        }
        double[] s = millis.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))];
    }

    public double min() {
        return Arrays.stream(millis).min().orElse(Double.NaN);
    }
}
