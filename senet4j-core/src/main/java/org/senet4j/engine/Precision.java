package org.senet4j.engine;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Arithmetic precision of an engine. Each device offers its own set ({@link EngineProvider#precisions}): the
 * reference engine FP32; the CPU engine FP32 and BF16; the CUDA engine FP32, TF32 and FP16.
 */
public enum Precision {
    /** IEEE float32 throughout (default). */
    FP32,
    /** float32 storage, TensorFloat-32 matrix arithmetic (NVIDIA GPUs). */
    TF32,
    /** float16 weights and activations, float32 accumulation where the library allows (NVIDIA GPUs). */
    FP16,
    /**
     * bfloat16 weights and large activations, float32 accumulation (the CPU engine, on processors with AVX512_BF16
     * or AMX).
     */
    BF16;

    /**
     * The relative L-infinity error that a check against an fp32 reference accepts by default in this precision:
     * 1e-4 for fp32, 5e-3 for tf32 (10 mantissa bits in the products), 2e-2 for fp16 and bf16 (bf16 keeps 8
     * significant bits: 2^-8 relative per rounding, compounded over a deep net).
     */
    public double defaultTolerance() {
        return switch (this) {
            case FP32 -> 1e-4;
            case TF32 -> 5e-3;
            case FP16, BF16 -> 2e-2;
        };
    }

    /** The name users write: {@code fp32}, {@code tf32}, {@code fp16}, {@code bf16}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Precision parse(String s) {
        for (Precision p : values()) {
            if (p.name().equalsIgnoreCase(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown precision \"" + s + "\"; expected "
                + Arrays.stream(values()).map(Precision::label).collect(Collectors.joining(", ")));
    }
}
