package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * The ContinuationIndicator layer (jolibrain/caffe, zhzhong11/video-caffe): the T x N continuation markers a
 * recurrent layer takes as its {@code cont} bottom, {@code 0} at step 0 and {@code 1} at every later step, for every
 * stream: {@code y[t, n] = t == 0 ? 0 : 1}. T is {@code time_step}. N is the size of the bottom's axis {@code axis}
 * when the layer has a bottom (jolibrain: the bottom's values are not read), else {@code batch_size} (video-caffe's
 * bottomless form).
 */
public record ContinuationIndicator(int timeStep, int axis, int batchSize) implements Op {
    public ContinuationIndicator {
        Checks.positive(timeStep, "timeStep");
        Checks.nonNegative(axis, "axis");
        Checks.positive(batchSize, "batchSize");
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 0, 1);
        if (inputs.isEmpty()) {
            return List.of(Shape.of(timeStep, batchSize));
        }
        Shape in = inputs.get(0);
        if (axis >= in.rank()) {
            throw ModelException.field("continuation_indicator_param.axis", "axis " + axis + " is not below the "
                    + "bottom's " + in.rank() + " axes (shape " + in + ")");
        }
        if ((long) timeStep * in.dim(axis) > Integer.MAX_VALUE) {
            throw ModelException.field("continuation_indicator_param.time_step", "output " + timeStep + " x "
                    + in.dim(axis) + " is too large");
        }
        return List.of(Shape.of(timeStep, in.dim(axis)));
    }

    /** Fills a T x N output: 0 in the first row, 1 elsewhere. */
    public static void apply(Shape out, float[] y) {
        int n = out.dim(1);
        for (int i = 0; i < y.length; i++) {
            y[i] = i < n ? 0f : 1f;
        }
    }
}
