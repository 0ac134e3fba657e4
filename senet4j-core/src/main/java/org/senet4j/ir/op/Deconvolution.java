package org.senet4j.ir.op;

import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * 2-D transposed convolution of an N x C x H x W input, Caffe's {@code Deconvolution} layer (the backward pass of a
 * convolution run forward). The weight is stored as {@code C x numOutput/group x kernelH x kernelW} (input channels
 * first, unlike {@link Convolution}); optional bias {@code numOutput}. Output size
 * {@code strideH (H - 1) + dilationH (kernelH - 1) + 1 - 2 padH} (likewise for W). Input channel {@code c} of group
 * {@code g} scatters {@code x[c] * weight[c, o]} into output channel {@code g numOutput/group + o} at
 * {@code (iy strideH - padH + ky dilationH, ix strideW - padW + kx dilationW)}; values that land outside the output
 * are dropped.
 */
public record Deconvolution(int numOutput, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                            int dilationH, int dilationW, int group, Tensor weight, Tensor bias) implements Op {

    public Deconvolution {
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
            throw new IllegalArgumentException("a Deconvolution needs a weight tensor (a placeholder without weights)");
        }
    }

    /** The weight shape for {@code inputChannels} input channels: {@code C x numOutput/group x kh x kw}. */
    public Shape weightShape(int inputChannels) {
        return Shape.of(inputChannels, numOutput / group, kernelH, kernelW);
    }

    public boolean hasBias() {
        return bias != null;
    }

    /** One output dimension, Caffe's rule, in 64 bits. */
    public static long outputSize(int in, int pad, int kernel, int dilation, int stride) {
        return (long) stride * (in - 1) + (long) dilation * (kernel - 1) + 1 - 2L * pad;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        Checks.rank(in, 4, 4, "the input of a 2-D deconvolution");
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
            throw ModelException.field("convolution_param.pad", "pad " + padH + "x" + padW
                    + " leaves no output for input " + in.dim(2) + "x" + in.dim(3) + " (output " + oh + "x" + ow + ")");
        }
        if (oh > Integer.MAX_VALUE || ow > Integer.MAX_VALUE) {
            throw ModelException.field("convolution_param.stride", "output plane " + oh + "x" + ow + " is too large");
        }
        return List.of(Shape.of(in.dim(0), numOutput, (int) oh, (int) ow));
    }

    @Override
    public Map<String, Tensor> weights() {
        return Checks.weightAndBias(weight, bias);
    }

    @Override
    public long macs(List<Shape> inputs, List<Shape> outputs) {
        return inputs.get(0).count() * weight.shape().count(1, 4);
    }

    @Override
    public Deconvolution withWeights(Map<String, Tensor> w) {
        return new Deconvolution(numOutput, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
                group, Checks.replace(w, "weight", weight), Checks.replace(w, "bias", bias));
    }
}
