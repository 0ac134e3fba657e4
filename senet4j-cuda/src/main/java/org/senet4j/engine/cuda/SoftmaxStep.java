package org.senet4j.engine.cuda;

import java.util.List;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Softmax through {@code cudnnSoftmaxForward} (accurate: the maximum is subtracted, as Caffe does) in channel mode:
 * the value is described as {@code outer x dim x inner x 1} in logical order, or as the N x C x H x W channels-last
 * tensor it is when softmax runs over axis 1 of such a value.
 */
final class SoftmaxStep implements Step {
    private final String layer;
    private final int axis;
    private final DeviceValue x;
    private final DeviceValue y;
    private cudnnTensorStruct desc;
    private FloatPointer one;
    private FloatPointer zero;

    SoftmaxStep(String layer, int axis, DeviceValue x, DeviceValue y) {
        this.layer = layer;
        this.axis = axis;
        this.x = x;
        this.y = y;
        if (x.nhwc && axis != 1) {
            throw new IllegalArgumentException("softmax of a channels-last value over axis " + axis);
        }
    }

    /** The 4-D extents cuDNN sees: {@code [outer, dim, inner, 1]}, or N, C, H, W of a channels-last value. */
    static int[] dims(DeviceValue x, int axis) {
        if (x.nhwc) {
            return x.dims4();
        }
        return new int[] {Math.toIntExact(x.shape.count(0, axis)), x.shape.dim(axis),
            Math.toIntExact(x.shape.count(axis + 1, x.shape.rank())), 1};
    }

    int axis() {
        return axis;
    }

    DeviceValue x() {
        return x;
    }

    DeviceValue y() {
        return y;
    }

    @Override
    public String layer() {
        return layer;
    }

    @Override
    public String describe() {
        return "softmax cuDNN (channel mode, " + java.util.Arrays.toString(dims(x, axis)) + ")";
    }

    @Override
    public List<DeviceValue> inputs() {
        return List.of(x);
    }

    @Override
    public List<DeviceValue> outputs() {
        return List.of(y);
    }

    @Override
    public void prepare(Resources r) {
        desc = new cudnnTensorStruct();
        Cuda.checkCudnn(cudnn.cudnnCreateTensorDescriptor(desc), "cudnnCreateTensorDescriptor", layer);
        int[] d = dims(x, axis);
        Cuda.checkCudnn(cudnn.cudnnSetTensor4dDescriptor(desc, x.nhwc ? cudnn.CUDNN_TENSOR_NHWC : cudnn.CUDNN_TENSOR_NCHW,
                x.dtype.cudnn(), d[0], d[1], d[2], d[3]), "cudnnSetTensor4dDescriptor", layer + " (Softmax)");
        one = new FloatPointer(1f);
        zero = new FloatPointer(0f);
    }

    @Override
    public void enqueue(CudaContext ctx) {
        Cuda.checkCudnn(cudnn.cudnnSoftmaxForward(ctx.cudnnHandle, cudnn.CUDNN_SOFTMAX_ACCURATE,
                cudnn.CUDNN_SOFTMAX_MODE_CHANNEL, one, desc, DevicePtr.of(x.ptr()), zero, desc, DevicePtr.of(y.ptr())),
                "cudnnSoftmaxForward", layer + " (Softmax)");
    }

    @Override
    public void close() {
        if (desc != null) {
            cudnn.cudnnDestroyTensorDescriptor(desc);
            desc = null;
            one.close();
            zero.close();
        }
    }
}
