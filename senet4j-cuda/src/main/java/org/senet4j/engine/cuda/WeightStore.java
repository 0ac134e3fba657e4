package org.senet4j.engine.cuda;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.javacpp.BytePointer;

/**
 * The engine's weights on the device, uploaded once and shared by the plans of every batch size: one buffer per key
 * ({@code layer#role}), in the element type asked for (fp16 weights are converted once here).
 */
final class WeightStore implements AutoCloseable {
    private final Map<String, DeviceBuffer> buffers = new LinkedHashMap<>();
    private long bytes;

    /** The buffer for {@code key}, uploading {@code values} converted to {@code type} the first time. */
    synchronized DeviceBuffer get(String key, DType type, Supplier<float[]> values) {
        String k = key + "@" + type.suffix;
        DeviceBuffer b = buffers.get(k);
        if (b == null) {
            byte[] data = WeightPrep.bytes(values.get(), type);
            try (BytePointer host = new BytePointer(data.length)) {
                host.put(data, 0, data.length);
                b = DeviceBuffer.upload(host, data.length, "weights " + key);
            }
            buffers.put(k, b);
            bytes += data.length;
        }
        return b;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized int count() {
        return buffers.size();
    }

    @Override
    public synchronized void close() {
        buffers.values().forEach(DeviceBuffer::close);
        buffers.clear();
    }
}
