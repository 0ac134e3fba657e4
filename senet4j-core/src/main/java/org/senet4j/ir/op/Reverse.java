package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * senlinuc/caffe_ocr's Reverse ({@code reverse_param.axis}, default 0): the input flipped along one axis,
 * {@code y[..., i, ...] = x[..., D - 1 - i, ...]} with {@code D} the size of that axis; every other axis, and the
 * order of the elements inside one slice, is kept. The output has the input's shape. The OCR nets use it on the time
 * axis (0) of a T x N x C sequence, around the backward LSTM of a bidirectional pair.
 */
public record Reverse(int axis) implements Op {
    public Reverse {
        Checks.nonNegative(axis, "axis");
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        if (axis >= in.rank()) {
            throw ModelException.field("reverse_param.axis", "axis " + axis + " is not below the input's "
                    + in.rank() + " axes (shape " + in + ")");
        }
        return List.of(in);
    }

    /** The forward pass on row-major data of shape {@code in}. */
    public void apply(Shape in, float[] x, float[] y) {
        int outer = Math.toIntExact(in.count(0, axis));
        int d = in.dim(axis);
        int inner = Math.toIntExact(in.count(axis + 1, in.rank()));
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < d; i++) {
                System.arraycopy(x, (o * d + i) * inner, y, (o * d + d - 1 - i) * inner, inner);
            }
        }
    }
}
