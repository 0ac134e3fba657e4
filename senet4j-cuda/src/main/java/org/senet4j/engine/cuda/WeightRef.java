package org.senet4j.engine.cuda;

import java.util.function.Supplier;

/** A weight a kernel argument points at: uploaded through the {@link WeightStore} when its step is prepared. */
final class WeightRef implements Address {
    final String key;
    final DType type;
    private final Supplier<float[]> values;
    private DeviceBuffer buffer;

    WeightRef(String key, DType type, Supplier<float[]> values) {
        this.key = key;
        this.type = type;
        this.values = values;
    }

    void resolve(WeightStore store) {
        buffer = store.get(key, type, values);
    }

    /** The host values (for tests and the host fallback). */
    float[] values() {
        return values.get();
    }

    @Override
    public long address() {
        if (buffer == null) {
            throw new IllegalStateException("weight " + key + " is not uploaded yet");
        }
        return buffer.address();
    }

    @Override
    public String toString() {
        return "weight " + key;
    }
}
