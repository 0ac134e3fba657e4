package org.senet4j.ir.op;

import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * Caffe's Bias: adds a term broadcast over axes {@code [axis, axis + k)}: the learned {@code bias} ({@code k} =
 * {@code numAxes}) with one input, or the second input (same rule as {@link Scale}) with two.
 */
public record Bias(int axis, int numAxes, Tensor bias) implements Op {

    public Bias {
        Checks.nonNegative(axis, "axis");
        if (numAxes < -1) {
            throw new IllegalArgumentException("numAxes must be >= -1, got " + numAxes);
        }
    }

    public boolean twoInputs() {
        return bias == null;
    }

    public Shape termShape(Shape input) {
        int end = numAxes == -1 ? input.rank() : axis + numAxes;
        return input.slice(axis, Math.min(end, input.rank()));
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Shape in = inputs.isEmpty() ? null : inputs.get(0);
        if (bias != null) {
            Checks.arity(inputs, 1, 1);
            Checks.axis(axis, in, "bias_param.axis");
            if (numAxes != -1 && axis + numAxes > in.rank()) {
                throw ModelException.field("bias_param.num_axes", "axis " + axis + " + num_axes " + numAxes
                        + " exceeds the " + in.rank() + " axes of input " + in);
            }
            Checks.weight(bias, termShape(in), "blobs[0] (bias)");
        } else {
            Checks.arity(inputs, 2, 2);
            BroadcastCheck.check(in, inputs.get(1), axis, "bias_param.axis");
        }
        return List.of(in);
    }

    @Override
    public Map<String, Tensor> weights() {
        return bias == null ? Map.of() : Map.of("bias", bias);
    }

    @Override
    public Bias withWeights(Map<String, Tensor> w) {
        return new Bias(axis, numAxes, Checks.replace(w, "bias", bias));
    }
}
