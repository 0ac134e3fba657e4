package org.senet4j.engine.cuda;

import org.senet4j.ir.Shape;

/**
 * Where one graph value lives on the device: its logical shape, element type, physical order and a place in the
 * plan's activation arena. Values that share storage (a Reshape of a value in logical order, the outputs of Split,
 * Dropout) point to the same root; the memory plan gives each root an offset.
 *
 * <p>{@code nhwc} is true only when the physical order differs from the logical (Caffe) order: a 4-D value stored
 * channels-last with {@code C > 1} and {@code H x W > 1}. A channels-last N x C x 1 x 1 value has the same bytes as its
 * logical form and counts as logical order.
 */
final class DeviceValue implements Address {
    final String name;
    final Shape shape;
    final DType dtype;
    final boolean nhwc;
    private DeviceValue root = this;
    /** Offset in the activation arena (roots only; -1 until planned). */
    long offset = -1;
    /** Device address of the storage (roots only), set when the plan's memory is allocated. */
    long deviceAddress;

    DeviceValue(String name, Shape shape, DType dtype, boolean channelsLast) {
        this.name = name;
        this.shape = shape;
        this.dtype = dtype;
        this.nhwc = channelsLast && shape.rank() == 4 && shape.dim(1) > 1 && (long) shape.dim(2) * shape.dim(3) > 1;
    }

    long count() {
        return shape.count();
    }

    long bytes() {
        return shape.count() * dtype.size;
    }

    /** The value whose storage this one uses (itself when it has its own). */
    DeviceValue root() {
        DeviceValue r = this;
        while (r.root != r) {
            r = r.root;
        }
        return r;
    }

    /** Makes this value use {@code other}'s storage. */
    void aliasTo(DeviceValue other) {
        if (other.root() == root()) {
            return;
        }
        if (other.bytes() < bytes()) {
            throw new IllegalStateException("value " + name + " (" + bytes() + " bytes) cannot live in the storage of "
                    + other.name + " (" + other.bytes() + " bytes)");
        }
        root().root = other.root();
    }

    boolean isRoot() {
        return root == this;
    }

    /** The device address of this value (its root's storage). */
    long ptr() {
        long a = root().deviceAddress;
        if (a == 0) {
            throw new IllegalStateException("value " + name + " has no device memory yet");
        }
        return a;
    }

    @Override
    public long address() {
        return ptr();
    }

    /** N, C, H, W of a 4-D value; for other ranks {@code 1, 1, 1, count}. */
    int[] dims4() {
        if (shape.rank() == 4) {
            return new int[] {shape.dim(0), shape.dim(1), shape.dim(2), shape.dim(3)};
        }
        return new int[] {1, 1, 1, Math.toIntExact(shape.count())};
    }

    @Override
    public String toString() {
        return name + "[" + shape + " " + dtype.suffix + (nhwc ? " nhwc" : "") + "]";
    }
}
