package org.senet4j.ir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * A float32 weight tensor: a shape and its values in row-major (C) order. The values live in a read-only
 * {@link FloatBuffer} that may wrap a heap array or a memory-mapped file; a tensor without values (a placeholder) only
 * states the shape a layer expects, as when a prototxt is loaded without its caffemodel.
 */
public record Tensor(Shape shape, FloatBuffer data) {

    public Tensor {
        Objects.requireNonNull(shape, "shape");
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

    /** A shape-only tensor with no values. */
    public static Tensor placeholder(Shape shape) {
        return new Tensor(shape, null);
    }

    /** The values, as an independent read-only view positioned at 0. */
    @Override
    public FloatBuffer data() {
        if (data == null) {
            throw new IllegalStateException("tensor " + shape + " has no values (loaded without weights)");
        }
        return data.duplicate();
    }

    public boolean hasData() {
        return data != null;
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
        if (data == null) {
            throw new IllegalStateException("tensor " + shape + " has no values (loaded without weights)");
        }
        return data.get(index);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && shape.equals(t.shape) && Objects.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return shape.hashCode();
    }

    @Override
    public String toString() {
        return "Tensor[" + shape + (data == null ? ", no values]" : "]");
    }
}
