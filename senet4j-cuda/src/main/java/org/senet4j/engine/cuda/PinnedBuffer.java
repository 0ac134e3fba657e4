package org.senet4j.engine.cuda;

import java.util.stream.IntStream;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Page-locked host memory from {@code cudaMallocHost}: the staging area between Java arrays and the device (copies
 * from it run asynchronously at full bus speed). Large arrays are copied in and out by several threads.
 */
final class PinnedBuffer implements AutoCloseable {
    private static final int CHUNK = 1 << 20;
    private final long bytes;
    private long address;

    PinnedBuffer(long bytes, String what) {
        Pointer p = new Pointer();
        Cuda.check(cudart.cudaMallocHost(p, Math.max(4, bytes)), "cudaMallocHost(" + bytes + " bytes for " + what + ")");
        this.bytes = bytes;
        this.address = p.address();
    }

    long address() {
        return address;
    }

    long bytes() {
        return bytes;
    }

    private FloatPointer view(long floatOffset) {
        if (address == 0) {
            throw new IllegalStateException("pinned buffer is closed");
        }
        return new FloatPointer(DevicePtr.of(address + 4 * floatOffset));
    }

    /** Copies {@code data} to float offset {@code at}. */
    void put(long at, float[] data) {
        int n = data.length;
        checkRange(at, n);
        if (n <= 2 * CHUNK) {
            view(at).put(data, 0, n);
            return;
        }
        IntStream.range(0, (n + CHUNK - 1) / CHUNK).parallel().forEach(k -> {
            int from = k * CHUNK;
            view(at + from).put(data, from, Math.min(CHUNK, n - from));
        });
    }

    /** Copies {@code out.length} floats from float offset {@code at}. */
    void get(long at, float[] out) {
        int n = out.length;
        checkRange(at, n);
        if (n <= 2 * CHUNK) {
            view(at).get(out, 0, n);
            return;
        }
        IntStream.range(0, (n + CHUNK - 1) / CHUNK).parallel().forEach(k -> {
            int from = k * CHUNK;
            view(at + from).get(out, from, Math.min(CHUNK, n - from));
        });
    }

    private void checkRange(long at, long n) {
        if (at < 0 || 4 * (at + n) > bytes) {
            throw new IndexOutOfBoundsException("floats [" + at + ", " + (at + n) + ") outside the pinned buffer of "
                    + bytes + " bytes");
        }
    }

    @Override
    public void close() {
        if (address != 0) {
            cudart.cudaFreeHost(DevicePtr.of(address));
            address = 0;
        }
    }
}
