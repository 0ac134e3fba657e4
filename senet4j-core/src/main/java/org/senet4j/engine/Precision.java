package org.senet4j.engine;

/** Arithmetic precision of an engine. The CPU engine supports FP32 only. */
public enum Precision {
    /** IEEE float32 throughout (default). */
    FP32,
    /** float32 storage, TensorFloat-32 matrix arithmetic (NVIDIA GPUs). */
    TF32,
    /** float16 weights and activations, float32 accumulation where the library allows (NVIDIA GPUs). */
    FP16;

    public static Precision parse(String s) {
        for (Precision p : values()) {
            if (p.name().equalsIgnoreCase(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown precision \"" + s + "\"; expected fp32, tf32 or fp16");
    }
}
