package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Element-wise combination of inputs of identical shape: SUM (each input times its coefficient, 1 when
 * {@code coefficients} is empty), PROD or MAX.
 */
public record Eltwise(Operation operation, List<Float> coefficients) implements Op {
    public enum Operation { PROD, SUM, MAX }

    public Eltwise {
        coefficients = List.copyOf(coefficients);
        if (operation != Operation.SUM && !coefficients.isEmpty()) {
            throw new IllegalArgumentException("coefficients are only allowed for SUM");
        }
    }

    /** The coefficient of input {@code i}. */
    public float coefficient(int i) {
        return coefficients.isEmpty() ? 1f : coefficients.get(i);
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 2, Integer.MAX_VALUE);
        if (!coefficients.isEmpty() && coefficients.size() != inputs.size()) {
            throw ModelException.field("eltwise_param.coeff", "expected one coefficient per input (" + inputs.size()
                    + "), got " + coefficients.size());
        }
        Shape first = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) {
            if (!inputs.get(i).equals(first)) {
                throw ModelException.field("bottom[" + i + "]", "shape " + inputs.get(i)
                        + " differs from bottom[0] " + first + " (Eltwise needs identical shapes)");
            }
        }
        return List.of(first);
    }
}
