package org.senet4j.engine;

import org.senet4j.ModelException;

/** An engine that can time the device work of a run alone, without host transfers (the CUDA engine). */
public interface DeviceTimer {
    /**
     * Times {@code iterations} runs of a batch of {@code batch} on the device after {@code warmup} untimed runs.
     *
     * @return milliseconds of each timed run
     */
    double[] timeDevice(int batch, int warmup, int iterations) throws ModelException;
}
