package org.senet4j.ir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * A float32 weight tensor: a shape and its values in row-major (C) order. The values live in a read-only
 * {@link FloatBuffer} that may wrap a heap array or a memory-mapped file; a tensor without values (a placeholder) only
 * states the shape a layer expects, as when a prototxt is loaded without its caffemodel.
 *
 * <p>A {@link #computed computed} tensor holds, instead of values, a {@link Source} that produces them from other
 * tensors or a file on demand (a folded BatchNorm's weights, a caffemodel's weights left in the file): a writer can
 * stream them in chunks ({@link #fill}) without the
 * whole tensor ever being held; {@link #data()} computes them once and keeps them.
 */
public record Tensor(Shape shape, FloatBuffer data, Computed computed) {

    /** Produces the values of a computed tensor, in any order of chunks. */
    @FunctionalInterface
    public interface Source {
        /**
         * Writes values {@code [from, from + dst.remaining() / 4)} (C order) into {@code dst} as little-endian float32
         * bytes, advancing it to its limit.
         */
        void fill(long from, ByteBuffer dst);
    }

    /** The values of a computed tensor: their source, and the values once {@link Tensor#data()} asked for them. */
    public static final class Computed {
        private static final int CHUNK = 1 << 20;
        private final Source source;
        private volatile FloatBuffer values;

        private Computed(Source source) {
            this.source = Objects.requireNonNull(source, "source");
        }

        public Source source() {
            return source;
        }

        private FloatBuffer values(long count) {
            FloatBuffer v = values;
            if (v == null) {
                synchronized (this) {
                    v = values;
                    if (v == null) {
                        float[] a = new float[Math.toIntExact(count)];
                        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK, 4L * a.length))
                                .order(ByteOrder.LITTLE_ENDIAN);
                        for (int at = 0; at < a.length; ) {
                            int n = Math.min(a.length - at, chunk.capacity() / 4);
                            chunk.clear().limit(4 * n);
                            fillChecked(source, at, chunk);
                            chunk.flip();
                            chunk.asFloatBuffer().get(a, at, n);
                            at += n;
                        }
                        v = FloatBuffer.wrap(a).asReadOnlyBuffer();
                        values = v;
                    }
                }
            }
            return v;
        }
    }

    private static void fillChecked(Source source, long from, ByteBuffer dst) {
        int want = dst.remaining();
        source.fill(from, dst);
        if (dst.hasRemaining()) {
            throw new IllegalStateException("a tensor's source wrote " + (want - dst.remaining()) + " of " + want
                    + " bytes");
        }
    }

    public Tensor(Shape shape, FloatBuffer data) {
        this(shape, data, null);
    }

    public Tensor {
        Objects.requireNonNull(shape, "shape");
        if (data != null && computed != null) {
            throw new IllegalArgumentException("a tensor has either values or a source of values, not both");
        }
        if (data != null) {
            if (data.remaining() != shape.count()) {
                throw new IllegalArgumentException(
                        "tensor of shape " + shape + " needs " + shape.count() + " values, got " + data.remaining());
            }
            data = data.slice().asReadOnlyBuffer();
        }
    }

    /** A tensor over {@code values}, without copying: the array must not be modified afterwards. */
    public static Tensor of(Shape shape, float[] values) {
        return new Tensor(shape, FloatBuffer.wrap(values));
    }

    /** A tensor over little-endian float32 bytes (for example a slice of a mapped file), without copying. */
    public static Tensor ofLittleEndian(Shape shape, ByteBuffer bytes) {
        return new Tensor(shape, bytes.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
    }

    /**
     * A tensor whose values {@code source} computes when they are needed (each time it is {@link #fill streamed},
     * once for {@link #data()}); the source must give the same values every time.
     */
    public static Tensor computed(Shape shape, Source source) {
        return new Tensor(shape, null, new Computed(source));
    }

    /** A shape-only tensor with no values. */
    public static Tensor placeholder(Shape shape) {
        return new Tensor(shape, null);
    }

    /** The values, as an independent read-only view positioned at 0. */
    @Override
    public FloatBuffer data() {
        if (computed != null) {
            return computed.values(shape.count()).duplicate();
        }
        if (data == null) {
            throw new IllegalStateException("tensor " + shape + " has no values (loaded without weights)");
        }
        return data.duplicate();
    }

    /**
     * Writes values {@code [from, from + dst.remaining() / 4)} into {@code dst} as little-endian float32 bytes,
     * advancing it to its limit: a computed tensor's are computed for this chunk only (unless they were already
     * kept), others copied.
     */
    public void fill(long from, ByteBuffer dst) {
        if (dst.remaining() % 4 != 0) {
            throw new IllegalArgumentException("a chunk of " + dst.remaining() + " bytes is not whole floats");
        }
        long n = dst.remaining() / 4;
        if (from < 0 || from + n > shape.count()) {
            throw new IndexOutOfBoundsException("values [" + from + ", " + (from + n) + ") of a tensor of "
                    + shape.count());
        }
        if (computed != null && computed.values == null) {
            fillChecked(computed.source, from, dst);
            return;
        }
        dst.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(data().slice(Math.toIntExact(from), (int) n));
        dst.position(dst.limit());
    }

    /**
     * Writes the values as little-endian float32 bytes to {@code out} at its position, a {@code chunk} at a time (a
     * direct buffer is best): a computed tensor's values are computed chunk by chunk. Returns the bytes written.
     *
     * @throws IOException when writing fails, or reading the values from their file did
     */
    public long writeTo(FileChannel out, ByteBuffer chunk) throws IOException {
        try {
            return writeChunks(out, chunk, 0);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private long writeChunks(FileChannel out, ByteBuffer chunk, long from) throws IOException {
        long written = 0;
        int per = chunk.capacity() / 4;
        for (long at = from, end = count(); at < end; ) {
            int n = (int) Math.min(end - at, per);
            chunk.clear().limit(4 * n);
            fill(at, chunk);
            chunk.flip();
            while (chunk.hasRemaining()) {
                written += out.write(chunk);
            }
            at += n;
        }
        return written;
    }

    public boolean hasData() {
        return data != null || computed != null;
    }

    public long count() {
        return shape.count();
    }

    /** A fresh copy of the values. */
    public float[] toArray() {
        float[] a = new float[(int) count()];
        data().get(a);
        return a;
    }

    public float get(int index) {
        if (computed != null) {
            return computed.values(shape.count()).get(index);
        }
        if (data == null) {
            throw new IllegalStateException("tensor " + shape + " has no values (loaded without weights)");
        }
        return data.get(index);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Tensor t) || !shape.equals(t.shape) || hasData() != t.hasData()) {
            return false;
        }
        return !hasData() || this == t || data().equals(t.data());
    }

    @Override
    public int hashCode() {
        return shape.hashCode();
    }

    @Override
    public String toString() {
        return "Tensor[" + shape + (hasData() ? computed != null ? ", computed]" : "]" : ", no values]");
    }
}
