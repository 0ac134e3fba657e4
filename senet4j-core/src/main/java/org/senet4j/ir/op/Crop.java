package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Caffe's {@code Crop}: takes a window of input 0 whose shape, from {@code axis} on, is input 1's (input 1 gives
 * only its shape; its values are not read). The window starts at {@code offsets} on the cropped axes: one offset for
 * all of them, one per axis from {@code axis} to the last, or none (all 0). Axes before {@code axis} are kept whole.
 * Caffe's checks: input 1 has at least as many axes as input 0, the offset count is 0, 1 or rank - axis, and on
 * every cropped axis input 0's size minus the offset is at least input 1's size (the axes before {@code axis} are
 * not compared: HED crops a 1-channel map against the 3-channel image).
 */
public record Crop(int axis, List<Integer> offsets) implements Op {
    public Crop {
        Checks.nonNegative(axis, "axis");
        offsets = List.copyOf(offsets);
        for (int o : offsets) {
            Checks.nonNegative(o, "offset");
        }
    }

    /** The start of the window on every axis of an input of {@code rank} axes. */
    public int[] starts(int rank) {
        int[] s = new int[rank];
        for (int i = axis; i < rank; i++) {
            s[i] = offsets.isEmpty() ? 0 : offsets.size() == 1 ? offsets.get(0) : offsets.get(i - axis);
        }
        return s;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 2, 2);
        Shape x = inputs.get(0);
        Shape ref = inputs.get(1);
        Checks.axis(axis, x, "crop_param.axis");
        if (ref.rank() < x.rank()) {
            throw ModelException.field("bottom", "the reference input " + ref + " has fewer axes than the input "
                    + x);
        }
        if (offsets.size() > 1 && axis + offsets.size() != x.rank()) {
            throw ModelException.field("crop_param.offset", "expected 1 offset or one per axis from " + axis
                    + " to " + (x.rank() - 1) + " (" + (x.rank() - axis) + "), got " + offsets.size());
        }
        int[] start = starts(x.rank());
        int[] d = new int[x.rank()];
        for (int i = 0; i < x.rank(); i++) {
            if (i >= axis && (long) x.dim(i) - start[i] < ref.dim(i)) {
                throw ModelException.field("crop_param.offset", "axis " + i + ": offset "
                        + start[i] + " + size " + ref.dim(i) + " exceeds the input's " + x.dim(i) + " (input " + x
                        + ", reference " + ref + ")");
            }
            d[i] = i >= axis ? ref.dim(i) : x.dim(i);
        }
        return List.of(Shape.of(d));
    }
}
