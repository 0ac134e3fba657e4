package org.senet4j.ir.op;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * Caffe's Parameter: no inputs, one output that is the layer's learned blob ({@code value}), of
 * {@code parameter_param.shape} (a scalar when the shape is left out, as Caffe's empty {@code BlobShape}). The
 * output does not follow the batch size.
 */
public record Parameter(Tensor value) implements Op {
    public Parameter {
        Objects.requireNonNull(value, "value (a placeholder without weights)");
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 0, 0);
        return List.of(value.shape());
    }

    @Override
    public Map<String, Tensor> weights() {
        return Map.of("value", value);
    }

    @Override
    public Parameter withWeights(Map<String, Tensor> w) {
        return new Parameter(Checks.replace(w, "value", value));
    }
}
