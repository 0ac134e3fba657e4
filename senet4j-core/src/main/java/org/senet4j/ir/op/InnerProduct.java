package org.senet4j.ir.op;

import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * Caffe's InnerProduct: the input is viewed as {@code M x K} with {@code M} the product of the axes before
 * {@code axis} and {@code K} the product of the rest; output {@code M x numOutput} (shape: the axes before
 * {@code axis}, then numOutput). Weight {@code numOutput x K}, or {@code K x numOutput} when {@code transpose};
 * optional bias {@code numOutput}; {@code activation} as set by fusion passes.
 */
public record InnerProduct(int numOutput, int axis, boolean transpose, Tensor weight, Tensor bias,
                           Activation activation) implements Op {

    public InnerProduct {
        Checks.positive(numOutput, "numOutput");
        Checks.nonNegative(axis, "axis");
        if (weight == null) {
            throw new IllegalArgumentException("an InnerProduct needs a weight tensor (a placeholder without weights)");
        }
        if (activation == null) {
            activation = Activation.NONE;
        }
    }

    public Shape weightShape(long k) {
        int kk = (int) k;
        return transpose ? Shape.of(kk, numOutput) : Shape.of(numOutput, kk);
    }

    /** K, the length of each input row. */
    public int inputSize() {
        return weight.shape().dim(transpose ? 0 : 1);
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        Checks.axis(axis, in, "inner_product_param.axis");
        long k = in.count(axis, in.rank());
        if (k > Integer.MAX_VALUE) {
            throw ModelException.field("inner_product_param.axis", "input rows of " + k + " values are too long");
        }
        Checks.weight(weight, weightShape(k), "blobs[0] (weight)");
        Checks.weight(bias, Shape.of(numOutput), "blobs[1] (bias)");
        int[] d = new int[axis + 1];
        for (int i = 0; i < axis; i++) {
            d[i] = in.dim(i);
        }
        d[axis] = numOutput;
        return List.of(Shape.of(d));
    }

    @Override
    public Map<String, Tensor> weights() {
        return Checks.weightAndBias(weight, bias);
    }

    @Override
    public long macs(List<Shape> inputs, List<Shape> outputs) {
        return outputs.get(0).count() * inputSize();
    }

    @Override
    public InnerProduct withWeights(Map<String, Tensor> w) {
        return new InnerProduct(numOutput, axis, transpose, Checks.replace(w, "weight", weight),
                Checks.replace(w, "bias", bias), activation);
    }

    /** The weight as {@code numOutput x K} row-major values (a transposed weight is transposed back). */
    public float[] weightRows() {
        int n = numOutput;
        int k = inputSize();
        float[] w = weight.toArray();
        if (!transpose) {
            return w;
        }
        float[] t = new float[w.length];
        for (int i = 0; i < k; i++) {
            for (int o = 0; o < n; o++) {
                t[o * k + i] = w[i * n + o];
            }
        }
        return t;
    }

    public InnerProduct with(Tensor newWeight, Tensor newBias, Activation newActivation) {
        return new InnerProduct(numOutput, axis, transpose, newWeight, newBias, newActivation);
    }
}
