package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * ShuffleNet's ShuffleChannel (farmingyard/ShuffleNet, {@code shuffle_channel_param.group}): the C channels of each
 * sample, seen as a {@code group x (C / group)} matrix of planes (a plane being every axis after the channels), are
 * transposed, so output channel {@code j * group + i} is input channel {@code i * (C / group) + j}. The output has
 * the input's shape; the input has at least 2 axes and C a multiple of {@code group} (the fork's checks). Group 1 and
 * group C leave the data as it is.
 */
public record ShuffleChannel(int group) implements Op {
    public ShuffleChannel {
        Checks.positive(group, "group");
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        Checks.rank(in, 2, 32, "the input of ShuffleChannel");
        if (in.dim(1) % group != 0) {
            throw ModelException.field("shuffle_channel_param.group", "input channels " + in.dim(1)
                    + " are not a multiple of group " + group);
        }
        return List.of(in);
    }

    /** The fork's forward pass on row-major data of shape {@code in}. */
    public void apply(Shape in, float[] x, float[] y) {
        int n = in.dim(0);
        int c = in.dim(1);
        int plane = Math.toIntExact(in.count(2, in.rank()));
        int columns = c / group;
        for (int s = 0; s < n; s++) {
            int base = s * c * plane;
            for (int i = 0; i < group; i++) {
                for (int j = 0; j < columns; j++) {
                    System.arraycopy(x, base + (i * columns + j) * plane, y, base + (j * group + i) * plane, plane);
                }
            }
        }
    }
}
