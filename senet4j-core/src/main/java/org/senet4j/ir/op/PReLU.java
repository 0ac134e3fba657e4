package org.senet4j.ir.op;

import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * {@code y = max(x, 0) + slope[c] * min(x, 0)} over channel axis 1; one shared slope (a scalar tensor) when
 * {@code channelShared}.
 */
public record PReLU(boolean channelShared, Tensor slope) implements Op {
    public PReLU {
        if (slope == null) {
            throw new IllegalArgumentException("PReLU needs a slope tensor");
        }
    }

    public static Shape slopeShape(Shape input, boolean channelShared) {
        return channelShared ? Shape.of() : Shape.of(input.rank() > 1 ? input.dim(1) : 1);
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Checks.rank(inputs.get(0), 2, 8, "the input of PReLU");
        Checks.weight(slope, slopeShape(inputs.get(0), channelShared), "blobs[0] (slope)");
        return List.of(inputs.get(0));
    }

    @Override
    public Map<String, Tensor> weights() {
        return Map.of("slope", slope);
    }

    @Override
    public PReLU withWeights(Map<String, Tensor> w) {
        return new PReLU(channelShared, Checks.replace(w, "slope", slope));
    }
}
