package org.senet4j.verify.caffe;

import java.util.Arrays;

/**
 * Wall-clock times of real Caffe's {@code net.Forward()} on the CPU.
 *
 * @param batch      batch size of the timed input
 * @param threads    thread count requested through OPENBLAS_NUM_THREADS / OMP_NUM_THREADS (0: not set)
 * @param warmup     untimed iterations run first
 * @param millis     the timed iterations, in milliseconds, in run order
 * @param medianMs   the median of {@code millis}
 */
public record TimingResult(int batch, int threads, int warmup, double[] millis, double medianMs) {

    public TimingResult {
        millis = millis.clone();
    }

    @Override
    public double[] millis() {
        return millis.clone();
    }

    /** The median of {@code values} (mean of the two middle values for an even count; NaN when empty). */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TimingResult t && batch == t.batch && threads == t.threads && warmup == t.warmup
                && Arrays.equals(millis, t.millis) && Double.compare(medianMs, t.medianMs) == 0;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(millis) * 31 + batch;
    }

    @Override
    public String toString() {
        return "TimingResult[batch=" + batch + ", threads=" + threads + ", median=" + medianMs + " ms, millis="
                + Arrays.toString(millis) + "]";
    }
}
