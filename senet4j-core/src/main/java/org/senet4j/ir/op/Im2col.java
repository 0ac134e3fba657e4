package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Caffe's Im2col: the patches a convolution would read, laid out as channels. The input's axes before {@code axis}
 * are items, {@code axis} holds the channels {@code C}, every axis after it is spatial (one or more; {@code kernel},
 * {@code stride}, {@code pad} and {@code dilation} hold one value per spatial axis). Output: the items' axes, then
 * {@code C * prod(kernel)} channels in the order (c, kernel position in row-major order: for 2-D (c, kh, kw)), then per
 * spatial axis {@code (in + 2 pad - (dilation (kernel - 1) + 1)) / stride + 1}; a patch cell in the padding is 0.
 * Caffe's {@code force_nd_im2col} picks another loop over the same values, so it does not appear here.
 *
 * <p>A kernel extent larger than the padded input is refused (as for {@link Convolution}), where Caffe's truncating
 * division would give a one-cell output.
 */
public record Im2col(int axis, List<Integer> kernel, List<Integer> stride, List<Integer> pad, List<Integer> dilation)
        implements Op {

    public Im2col {
        Checks.nonNegative(axis, "axis");
        kernel = List.copyOf(kernel);
        stride = List.copyOf(stride);
        pad = List.copyOf(pad);
        dilation = List.copyOf(dilation);
        if (kernel.isEmpty() || stride.size() != kernel.size() || pad.size() != kernel.size()
                || dilation.size() != kernel.size()) {
            throw new IllegalArgumentException("kernel, stride, pad and dilation need one value per spatial axis, got "
                    + kernel + ", " + stride + ", " + pad + ", " + dilation);
        }
        for (int i = 0; i < kernel.size(); i++) {
            Checks.positive(kernel.get(i), "kernel");
            Checks.positive(stride.get(i), "stride");
            Checks.nonNegative(pad.get(i), "pad");
            Checks.positive(dilation.get(i), "dilation");
        }
    }

    /** The number of spatial axes. */
    public int spatialAxes() {
        return kernel.size();
    }

    /** The number of kernel positions, {@code prod(kernel)}. */
    public long kernelCount() {
        long k = 1;
        for (int d : kernel) {
            k *= d;
        }
        return k;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        Checks.axis(axis, in, "convolution_param.axis");
        if (in.rank() - axis - 1 != spatialAxes()) {
            throw ModelException.field("convolution_param.kernel_size", spatialAxes() + " spatial axes given for "
                    + "input " + in + " with channel axis " + axis + ", which has " + (in.rank() - axis - 1));
        }
        int[] d = in.dims().clone();
        long channels = (long) in.dim(axis) * kernelCount();
        if (channels > Integer.MAX_VALUE) {
            throw ModelException.field("convolution_param.kernel_size", "kernel " + kernel + " on " + in.dim(axis)
                    + " channels gives too many output channels");
        }
        d[axis] = (int) channels;
        for (int i = 0; i < spatialAxes(); i++) {
            long extent = (long) dilation.get(i) * (kernel.get(i) - 1) + 1;
            long padded = in.dim(axis + 1 + i) + 2L * pad.get(i);
            if (extent > padded) {
                throw ModelException.field("convolution_param.kernel_size", "kernel " + kernel + " (dilation "
                        + dilation + ") is larger than the padded input along spatial axis " + i + ": extent "
                        + extent + " > " + padded + " (input " + in + ")");
            }
            long o = (padded - extent) / stride.get(i) + 1;
            if (o > Integer.MAX_VALUE) {
                throw ModelException.field("convolution_param.pad", "pad " + pad + " gives an output of " + o
                        + " along spatial axis " + i + ", too large");
            }
            d[axis + 1 + i] = (int) o;
        }
        return List.of(Shape.of(d));
    }
}
