package org.senet4j.engine.cuda;

/**
 * A device buffer that may be replaced (grown or shrunk) while the steps that point at it keep this holder: they read
 * the address when they enqueue work. Used for the plan's workspace and staging memory.
 */
final class BufferHolder implements Address, AutoCloseable {
    private final String what;
    private DeviceBuffer buffer;

    BufferHolder(String what) {
        this.what = what;
    }

    /** Makes the buffer at least {@code bytes} large (contents are not kept). */
    void ensure(long bytes) {
        if (buffer == null || buffer.bytes() < bytes) {
            set(bytes);
        }
    }

    /** Replaces the buffer by one of {@code bytes}. */
    void set(long bytes) {
        close();
        buffer = DeviceBuffer.allocate(Math.max(256, bytes), what);
    }

    long bytes() {
        return buffer == null ? 0 : buffer.bytes();
    }

    @Override
    public long address() {
        if (buffer == null) {
            throw new IllegalStateException(what + " is not allocated");
        }
        return buffer.address();
    }

    /** An address {@code offset} bytes into this buffer, resolved when read. */
    Address at(long offset) {
        return () -> address() + offset;
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.close();
            buffer = null;
        }
    }
}
