package org.senet4j.engine;

/**
 * How to run a graph.
 *
 * @param threads   CPU threads (0: all available cores)
 * @param precision arithmetic precision (engines reject what they cannot do)
 * @param deviceIndex which GPU, for GPU engines
 * @param cudaGraphs capture repeated runs at a fixed shape as CUDA graphs (GPU engines)
 */
public record EngineOptions(int threads, Precision precision, int deviceIndex, boolean cudaGraphs) {
    public static final EngineOptions DEFAULT = new EngineOptions(0, Precision.FP32, 0, false);

    public EngineOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        if (precision == null) {
            precision = Precision.FP32;
        }
    }

    public EngineOptions withThreads(int n) {
        return new EngineOptions(n, precision, deviceIndex, cudaGraphs);
    }

    public EngineOptions withPrecision(Precision p) {
        return new EngineOptions(threads, p, deviceIndex, cudaGraphs);
    }

    public int resolvedThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
