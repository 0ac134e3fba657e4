package org.senet4j.ir.op;

import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * The SSD fork's Normalize (L2 normalisation, ParseNet), per item {@code n} of the batch, with {@code C = dim(1)} and
 * the spatial positions {@code p} of the axes after it (Caffe's legacy 4-D view, so 2 to 4 axes):
 * <ul>
 *   <li>{@code acrossSpatial}: {@code norm = sqrt(sum over c and p of x^2 + eps)}, {@code y = x * (1 / norm) *
 *       scale};</li>
 *   <li>otherwise, per position: {@code norm[p] = sqrt(eps + sum over c of x[c,p]^2)}, {@code y = x / norm[p] *
 *       scale}.</li>
 * </ul>
 * {@code scale} is one learned value ({@code channelShared}, a scalar blob) or one per channel ({@code [C]}). Both
 * forms put {@code eps} inside the square root.
 */
public record Normalize(boolean acrossSpatial, boolean channelShared, float eps, Tensor scale) implements Op {
    public Normalize {
        if (scale == null) {
            throw new IllegalArgumentException("Normalize needs a scale tensor");
        }
        Checks.finite(eps, "eps");
    }

    /** The fork's scale blob: a scalar (shape {@code []}) when shared, else {@code [C]}. */
    public static Shape scaleShape(Shape input, boolean channelShared) {
        return channelShared ? Shape.of() : Shape.of(input.rank() > 1 ? input.dim(1) : 1);
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Checks.rank(inputs.get(0), 2, 4, "the input of Normalize");
        Checks.weight(scale, scaleShape(inputs.get(0), channelShared), "blobs[0] (scale)");
        return List.of(inputs.get(0));
    }

    @Override
    public Map<String, Tensor> weights() {
        return Map.of("scale", scale);
    }

    @Override
    public Normalize withWeights(Map<String, Tensor> w) {
        return new Normalize(acrossSpatial, channelShared, eps, Checks.replace(w, "scale", scale));
    }
}
