package org.senet4j.ir.op;

import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * 2-D convolution of an N x C x H x W input, Caffe's definition: weight {@code numOutput x C/group x kernelH x kernelW},
 * optional bias {@code numOutput}, output size {@code floor((H + 2 padH - (dilationH (kernelH - 1) + 1)) / strideH) + 1}
 * (likewise for W). Channels are split into {@code group} independent groups. {@code activation} is applied to the
 * result (set by fusion passes; {@link Activation#NONE} as imported).
 */
public record Convolution(int numOutput, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                          int dilationH, int dilationW, int group, Tensor weight, Tensor bias, Activation activation)
        implements Op {

    public Convolution {
        Checks.positive(numOutput, "numOutput");
        Checks.positive(kernelH, "kernelH");
        Checks.positive(kernelW, "kernelW");
        Checks.positive(strideH, "strideH");
        Checks.positive(strideW, "strideW");
        Checks.nonNegative(padH, "padH");
        Checks.nonNegative(padW, "padW");
        Checks.positive(dilationH, "dilationH");
        Checks.positive(dilationW, "dilationW");
        Checks.positive(group, "group");
        if (weight == null) {
            throw new IllegalArgumentException("a Convolution needs a weight tensor (a placeholder without weights)");
        }
        if (activation == null) {
            activation = Activation.NONE;
        }
    }

    /** The weight shape for {@code inputChannels} input channels. */
    public Shape weightShape(int inputChannels) {
        return Shape.of(numOutput, inputChannels / group, kernelH, kernelW);
    }

    public int inputChannels() {
        return weight.shape().dim(1) * group;
    }

    public boolean hasBias() {
        return bias != null;
    }

    /** Output height and width for an input plane of {@code h x w}; non-positive when the kernel does not fit. */
    public int[] outputSize(int h, int w) {
        return new int[] {(int) outputSize(h, padH, kernelH, dilationH, strideH),
            (int) outputSize(w, padW, kernelW, dilationW, strideW)};
    }

    /** One output dimension, in 64 bits: the attributes of a hostile model may overflow 32. */
    private static long outputSize(int in, int pad, int kernel, int dilation, int stride) {
        return Math.floorDiv(in + 2L * pad - ((long) dilation * (kernel - 1) + 1), stride) + 1;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        Checks.rank(in, 4, 4, "the input of a 2-D convolution");
        int c = in.dim(1);
        if (c % group != 0) {
            throw ModelException.field("convolution_param.group",
                    "input channels " + c + " are not divisible by group " + group);
        }
        if (numOutput % group != 0) {
            throw ModelException.field("convolution_param.group",
                    "num_output " + numOutput + " is not divisible by group " + group);
        }
        Checks.weight(weight, weightShape(c), "blobs[0] (weight)");
        Checks.weight(bias, Shape.of(numOutput), "blobs[1] (bias)");
        long oh = outputSize(in.dim(2), padH, kernelH, dilationH, strideH);
        long ow = outputSize(in.dim(3), padW, kernelW, dilationW, strideW);
        if (oh <= 0 || ow <= 0) {
            throw ModelException.field("convolution_param.kernel_size", "kernel " + kernelH + "x" + kernelW
                    + " (dilation " + dilationH + "x" + dilationW + ") is larger than the padded input "
                    + (in.dim(2) + 2L * padH) + "x" + (in.dim(3) + 2L * padW));
        }
        if (oh > Integer.MAX_VALUE || ow > Integer.MAX_VALUE) {
            throw ModelException.field("convolution_param.pad", "output plane " + oh + "x" + ow + " is too large");
        }
        return List.of(Shape.of(in.dim(0), numOutput, (int) oh, (int) ow));
    }

    @Override
    public Map<String, Tensor> weights() {
        return Checks.weightAndBias(weight, bias);
    }

    @Override
    public long macs(List<Shape> inputs, List<Shape> outputs) {
        return outputs.get(0).count() * weight.shape().count(1, 4);
    }

    @Override
    public Convolution withWeights(Map<String, Tensor> w) {
        return new Convolution(numOutput, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, group,
                Checks.replace(w, "weight", weight), Checks.replace(w, "bias", bias), activation);
    }

    /** The same convolution with other weights, bias (may be null) and activation. */
    public Convolution with(Tensor newWeight, Tensor newBias, Activation newActivation) {
        return new Convolution(numOutput, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, group,
                newWeight, newBias, newActivation);
    }
}
