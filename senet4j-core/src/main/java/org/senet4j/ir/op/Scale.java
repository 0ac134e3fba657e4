package org.senet4j.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * Caffe's Scale: multiplies the first input by a factor broadcast over axes {@code [axis, axis + k)} and optionally
 * adds a bias of the same shape. With one input the factor is the learned {@code scale} tensor ({@code k} =
 * {@code numAxes}, -1 meaning to the last axis); with two inputs it is the second input, whose shape must equal the
 * first input's dimensions starting at {@code axis} (a scalar second input scales everything). SE-BN-Inception's
 * excitation uses the two-input form with {@code axis 0} and an N x C second input.
 */
public record Scale(int axis, int numAxes, Tensor scale, Tensor bias) implements Op {

    public Scale {
        Checks.nonNegative(axis, "axis");
        if (numAxes < -1) {
            throw new IllegalArgumentException("numAxes must be >= -1, got " + numAxes);
        }
    }

    public boolean twoInputs() {
        return scale == null;
    }

    /** The shape of the learned factor for this input (one-input form). */
    public Shape factorShape(Shape input) {
        int end = numAxes == -1 ? input.rank() : axis + numAxes;
        return input.slice(axis, Math.min(end, input.rank()));
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Shape in = inputs.isEmpty() ? null : inputs.get(0);
        if (scale != null) {
            Checks.arity(inputs, 1, 1);
            Checks.axis(axis, in, "scale_param.axis");
            if (numAxes != -1 && axis + numAxes > in.rank()) {
                throw ModelException.field("scale_param.num_axes", "axis " + axis + " + num_axes " + numAxes
                        + " exceeds the " + in.rank() + " axes of input " + in);
            }
            Checks.weight(scale, factorShape(in), "blobs[0] (scale)");
            Checks.weight(bias, factorShape(in), "blobs[1] (bias)");
        } else {
            Checks.arity(inputs, 2, 2);
            Shape f = inputs.get(1);
            BroadcastCheck.check(in, f, axis, "scale_param.axis");
            Checks.weight(bias, f, "blobs[0] (bias)");
        }
        return List.of(in);
    }

    @Override
    public Map<String, Tensor> weights() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        if (scale != null) {
            m.put("scale", scale);
        }
        if (bias != null) {
            m.put("bias", bias);
        }
        return m;
    }

    @Override
    public Scale withWeights(Map<String, Tensor> w) {
        return new Scale(axis, numAxes, Checks.replace(w, "scale", scale), Checks.replace(w, "bias", bias));
    }
}
