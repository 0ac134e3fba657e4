package org.senet4j.ir.op;

import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * Caffe's Embed: a lookup table. Every value of the input (of any shape) is an index into the rows of the
 * {@code inputDim x numOutput} weight; the output is the input's shape with {@code numOutput} appended, each index
 * replaced by its row, plus the optional bias ({@code numOutput}) on every row.
 *
 * <p>Indices: a value is truncated toward zero as Caffe's {@code static_cast<int>} does (so does ONNX's Cast); the
 * index must then lie in {@code [0, inputDim)}. Caffe only {@code DCHECK}s that (a release build reads outside its
 * weight); senet4j's kernels refuse such a value, and NaN, with an {@link IllegalArgumentException} naming the value,
 * its position and {@code input_dim}.
 */
public record Embed(int numOutput, int inputDim, Tensor weight, Tensor bias) implements Op {
    public Embed {
        Checks.positive(numOutput, "numOutput");
        Checks.positive(inputDim, "inputDim");
        if (weight == null) {
            throw new IllegalArgumentException("an Embed needs a weight tensor (a placeholder without weights)");
        }
    }

    public boolean hasBias() {
        return bias != null;
    }

    /**
     * The weight row that input value {@code v} (at flat position {@code position}) selects.
     *
     * @throws IllegalArgumentException when {@code v} is NaN or its truncation lies outside {@code [0, inputDim)}
     */
    public int index(float v, long position) {
        if (!(v > -1f && v < inputDim)) {
            throw new IllegalArgumentException("Embed: input value " + v + " at position " + position
                    + " is not an index in [0, input_dim " + inputDim + ") (values are truncated toward zero as "
                    + "Caffe's static_cast<int>; Caffe would read outside its weight)");
        }
        return (int) v;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Checks.weight(weight, Shape.of(inputDim, numOutput), "blobs[0] (weight)");
        Checks.weight(bias, Shape.of(numOutput), "blobs[1] (bias)");
        int[] in = inputs.get(0).dims();
        int[] d = java.util.Arrays.copyOf(in, in.length + 1);
        d[in.length] = numOutput;
        return List.of(Shape.of(d));
    }

    @Override
    public Map<String, Tensor> weights() {
        return Checks.weightAndBias(weight, bias);
    }

    @Override
    public Embed withWeights(Map<String, Tensor> w) {
        return new Embed(numOutput, inputDim, Checks.replace(w, "weight", weight), Checks.replace(w, "bias", bias));
    }
}
