package org.senet4j.engine.cuda;

import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;

/** A block of device memory from {@code cudaMalloc}, freed on close. */
final class DeviceBuffer implements AutoCloseable, Address {
    private final String what;
    private final long bytes;
    private long address;

    private DeviceBuffer(String what, long bytes, long address) {
        this.what = what;
        this.bytes = bytes;
        this.address = address;
    }

    /**
     * Allocates {@code bytes} (at least 1) of device memory.
     *
     * @param what what the memory is for, named in the error when it cannot be had
     */
    static DeviceBuffer allocate(long bytes, String what) {
        Pointer p = new Pointer();
        int rc = cudart.cudaMalloc(p, Math.max(1, bytes));
        if (rc != cudart.cudaSuccess) {
            cudart.cudaGetLastError();
            Cuda.check(rc, "cudaMalloc(" + bytes + " bytes for " + what + ")");
        }
        return new DeviceBuffer(what, bytes, p.address());
    }

    /** Allocates and copies {@code data} (host bytes) into it, synchronously. */
    static DeviceBuffer upload(Pointer data, long bytes, String what) {
        DeviceBuffer b = allocate(bytes, what);
        try {
            Cuda.check(cudart.cudaMemcpy(DevicePtr.of(b.address), data, bytes, cudart.cudaMemcpyHostToDevice),
                    "cudaMemcpy (upload of " + what + ")");
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
        return b;
    }

    @Override
    public long address() {
        if (address == 0) {
            throw new IllegalStateException(what + " is closed");
        }
        return address;
    }

    long bytes() {
        return bytes;
    }

    DevicePtr ptr() {
        return DevicePtr.of(address());
    }

    @Override
    public void close() {
        if (address != 0) {
            cudart.cudaFree(DevicePtr.of(address));
            address = 0;
        }
    }

    @Override
    public String toString() {
        return what + " (" + bytes + " bytes)";
    }
}
