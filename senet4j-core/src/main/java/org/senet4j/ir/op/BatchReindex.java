package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Caffe's BatchReindex: gathers items of input 0 along axis 0 by the indices in input 1, which must have exactly one
 * axis (Caffe checks it). Output: input 0's shape with axis 0 set to the index count; item {@code i} is input item
 * {@code index[i]}, so indices may repeat, skip and reorder items.
 *
 * <p>Indices: as in Caffe, each value must lie in {@code [0, N)} for input 0's {@code N} items (Caffe {@code CHECK}s
 * that, aborting otherwise) and is then truncated toward zero; the kernels refuse other values, and NaN, with an
 * {@link IllegalArgumentException}.
 */
public record BatchReindex() implements Op {

    /**
     * The item that index value {@code v} (at position {@code position}) selects among {@code items}.
     *
     * @throws IllegalArgumentException when {@code v} is NaN or outside {@code [0, items)}
     */
    public static int index(float v, int position, int items) {
        if (!(v >= 0f && v < items)) {
            throw new IllegalArgumentException("BatchReindex: index " + v + " at position " + position
                    + " is outside [0, " + items + ") (the first dimension of bottom 0; Caffe aborts there)");
        }
        return (int) v;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 2, 2);
        Shape x = inputs.get(0);
        Shape idx = inputs.get(1);
        Checks.rank(x, 1, 32, "the input of BatchReindex");
        if (idx.rank() != 1) {
            throw ModelException.field("bottom", "the indices (bottom 1) must have exactly 1 axis, got shape " + idx);
        }
        return List.of(x.with(0, idx.dim(0)));
    }
}
