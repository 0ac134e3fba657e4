package org.senet4j.api;

import java.util.List;
import java.util.Objects;
import org.senet4j.engine.Precision;

/**
 * How a {@link Session} runs.
 *
 * @param device         {@code cpu} (default), {@code cuda} or {@code cuda:N} where a GPU engine is installed,
 *                       {@code reference} (plain Java, slow)
 * @param precision      FP32 (default); BF16 on the CPU engine (processors with AVX512_BF16 or AMX); TF32 and FP16
 *                       on GPU engines
 * @param threads        CPU threads, 0 for all cores
 * @param disabledPasses inference passes to skip ({@code drop-identities}, {@code fold-batchnorm},
 *                       {@code fuse-activations}, or {@code all}); skip them all to read every Caffe blob
 * @param batchSize      how many images {@link Session#classify(List, int)} runs at once
 */
public record SessionOptions(String device, Precision precision, int threads, List<String> disabledPasses,
                             int batchSize) {
    /** CPU, FP32, all cores, every pass, batches of 8 images. */
    public static final SessionOptions DEFAULT = new SessionOptions("cpu", Precision.FP32, 0, List.of(), 8);

    public SessionOptions {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(precision, "precision");
        disabledPasses = List.copyOf(disabledPasses);
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
    }

    /** The default options on {@code device}. */
    public static SessionOptions on(String device) {
        return DEFAULT.withDevice(device);
    }

    public SessionOptions withDevice(String d) {
        return new SessionOptions(d, precision, threads, disabledPasses, batchSize);
    }

    public SessionOptions withPrecision(Precision p) {
        return new SessionOptions(device, p, threads, disabledPasses, batchSize);
    }

    public SessionOptions withThreads(int n) {
        return new SessionOptions(device, precision, n, disabledPasses, batchSize);
    }

    public SessionOptions withBatchSize(int n) {
        return new SessionOptions(device, precision, threads, disabledPasses, n);
    }

    /** These options with the named passes off ({@code "all"} for every pass). */
    public SessionOptions withDisabledPasses(List<String> passes) {
        return new SessionOptions(device, precision, threads, passes, batchSize);
    }

    /** These options with every pass off, so that every blob of the Caffe net can be read. */
    public SessionOptions withAllBlobs() {
        return withDisabledPasses(List.of("all"));
    }
}
