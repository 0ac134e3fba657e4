package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Caffe's 2-D Pooling of an N x C x H x W input.
 *
 * <p>Output size: {@code ceil((H + 2 padH - kernelH) / strideH) + 1} (floor when {@code ceil} is false); then, when any
 * padding is set and the last window would start at or beyond {@code H + padH}, that window is dropped. A kernel larger
 * than the padded input is allowed, as in Caffe (windows are clipped to the input). MAX ignores
 * padded cells; AVE sums the window clipped to {@code [-pad, H + pad)} and divides by that clipped size (padded cells
 * count, the ceil overhang beyond {@code H + pad} does not). With {@code global} the window is the whole plane and the
 * output 1x1 (pads 0, strides 1).
 *
 * <p>STOCHASTIC is Caffe's test-time stochastic pooling (its GPU kernel {@code StoPoolForwardTest}; Caffe has no CPU
 * version): each window, which starts at {@code out * stride} (no padding, which Caffe refuses for this method) and is
 * clipped to the input, gives {@code sum(x^2) / sum(x)}, or 0 when {@code sum(x) <= 0}.
 */
public record Pooling(Method method, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                      boolean global, boolean ceil) implements Op {

    public enum Method { MAX, AVE, STOCHASTIC }

    public Pooling {
        if (method == null) {
            throw new IllegalArgumentException("method");
        }
        if (!global) {
            Checks.positive(kernelH, "kernelH");
            Checks.positive(kernelW, "kernelW");
        }
        Checks.positive(strideH, "strideH");
        Checks.positive(strideW, "strideW");
        Checks.nonNegative(padH, "padH");
        Checks.nonNegative(padW, "padW");
    }

    /** Caffe's pooled size along one axis ({@code anyPad}: whether padH or padW is non-zero). */
    public static int pooledSize(int in, int kernel, int stride, int pad, boolean ceil, boolean anyPad) {
        return (int) pooledSizeLong(in, kernel, stride, pad, ceil, anyPad);
    }

    /** {@link #pooledSize} in 64 bits: the attributes of a hostile model may overflow 32. */
    private static long pooledSizeLong(int in, int kernel, int stride, int pad, boolean ceil, boolean anyPad) {
        long span = in + 2L * pad - kernel;
        long out = (ceil ? -Math.floorDiv(-span, stride) : Math.floorDiv(span, stride)) + 1;
        if (anyPad && (out - 1) * stride >= (long) in + pad) {
            out--;
        }
        return out;
    }

    /** The effective kernel for an input plane of {@code h x w} (the whole plane when global). */
    public int[] kernel(int h, int w) {
        return global ? new int[] {h, w} : new int[] {kernelH, kernelW};
    }

    public int[] outputSize(int h, int w) {
        if (global) {
            return new int[] {1, 1};
        }
        boolean anyPad = padH > 0 || padW > 0;
        return new int[] {pooledSize(h, kernelH, strideH, padH, ceil, anyPad),
            pooledSize(w, kernelW, strideW, padW, ceil, anyPad)};
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        Checks.rank(in, 4, 4, "the input of Pooling");
        if (global) {
            if (padH != 0 || padW != 0 || strideH != 1 || strideW != 1) {
                throw ModelException.field("pooling_param.global_pooling",
                        "global pooling requires pad 0 and stride 1");
            }
            return List.of(Shape.of(in.dim(0), in.dim(1), 1, 1));
        }
        if (method == Method.STOCHASTIC && (padH != 0 || padW != 0)) {
            throw ModelException.field("pooling_param.pad", "STOCHASTIC pooling takes no padding (Caffe: padding is "
                    + "implemented only for average and max pooling), got " + padH + "x" + padW);
        }
        if (padH >= kernelH || padW >= kernelW) {
            throw ModelException.field("pooling_param.pad", "pad " + padH + "x" + padW
                    + " must be smaller than the kernel " + kernelH + "x" + kernelW);
        }
        // As in Caffe, a kernel larger than the padded input is accepted (deploy files give placeholder inputs such as
        // 1x1 and are reshaped at run time): the windows are clipped to the input, and the size rule still applies.
        boolean anyPad = padH > 0 || padW > 0;
        long oh = pooledSizeLong(in.dim(2), kernelH, strideH, padH, ceil, anyPad);
        long ow = pooledSizeLong(in.dim(3), kernelW, strideW, padW, ceil, anyPad);
        if (oh < 1 || ow < 1) {
            throw ModelException.field("pooling_param.kernel_size", "kernel " + kernelH + "x" + kernelW
                    + " on the padded input " + (in.dim(2) + 2L * padH) + "x" + (in.dim(3) + 2L * padW)
                    + " gives an empty " + oh + "x" + ow + " output (Caffe would make an empty blob); give the real "
                    + "input size with --input-shape");
        }
        if (oh > Integer.MAX_VALUE || ow > Integer.MAX_VALUE) {
            throw ModelException.field("pooling_param.pad", "output plane " + oh + "x" + ow + " is too large");
        }
        return List.of(Shape.of(in.dim(0), in.dim(1), (int) oh, (int) ow));
    }
}
