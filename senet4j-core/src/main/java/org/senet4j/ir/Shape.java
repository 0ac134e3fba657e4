package org.senet4j.ir;

import java.util.Arrays;

/**
 * The dimensions of a blob, outermost first (Caffe's N x C x H x W order for images). Immutable; a rank-0 shape is a
 * scalar with one element.
 */
public record Shape(int[] dims) {

    public Shape {
        dims = dims.clone();
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
            }
        }
    }

    public static Shape of(int... dims) {
        return new Shape(dims);
    }

    /** Shape from 64-bit dimensions as stored in Caffe files; rejects values that do not fit an int. */
    public static Shape ofLongs(long... dims) {
        int[] d = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("dimension out of range in " + Arrays.toString(dims));
            }
            d[i] = (int) dims[i];
        }
        return new Shape(d);
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code i}; negative values count from the end. */
    public int dim(int i) {
        return dims[i < 0 ? dims.length + i : i];
    }

    /** Number of elements (product of the dimensions; 1 for a scalar). */
    public long count() {
        return count(0, dims.length);
    }

    /** Product of dimensions {@code [from, to)}. */
    public long count(int from, int to) {
        long c = 1;
        for (int i = from; i < to; i++) {
            c *= dims[i];
        }
        return c;
    }

    /** The most elements one blob may hold: Caffe's own limit ({@code INT_MAX}), which senet4j shares. */
    public static final long MAX_COUNT = Integer.MAX_VALUE;

    /** Whether the element count is at most {@link #MAX_COUNT}; computed without overflow, whatever the dims. */
    public boolean countFits() {
        for (int d : dims) {
            if (d == 0) {
                return true;
            }
        }
        long c = 1;
        for (int d : dims) {
            c *= d;
            if (c > MAX_COUNT) {
                return false;
            }
        }
        return true;
    }

    /**
     * Caffe's canonical axis index: {@code axis} may be negative to count from the end.
     *
     * @throws IllegalArgumentException when the axis lies outside {@code [-rank, rank)}
     */
    public int canonicalAxis(int axis) {
        if (axis < -rank() || axis >= rank()) {
            throw new IllegalArgumentException("axis " + axis + " out of range for a " + rank() + "-D blob " + this);
        }
        return axis < 0 ? axis + rank() : axis;
    }

    /** This shape with dimension {@code i} replaced. */
    public Shape with(int i, int value) {
        int[] d = dims.clone();
        d[i] = value;
        return new Shape(d);
    }

    /** Dimensions {@code [from, to)} as a new shape. */
    public Shape slice(int from, int to) {
        return new Shape(Arrays.copyOfRange(dims, from, to));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** {@code 1x3x224x224}; a scalar prints as {@code scalar}. */
    @Override
    public String toString() {
        if (dims.length == 0) {
            return "scalar";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                sb.append('x');
            }
            sb.append(dims[i]);
        }
        return sb.toString();
    }
}
