package org.senet4j.engine.cuda;

import java.util.List;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.Pooling;

/**
 * Builds the launches of the engine's kernels for planned values (host-side only: sizes, grids and arguments,
 * checked against the kernel signatures).
 */
final class Launches {
    private final int maxBlocks;

    Launches(int maxBlocks) {
        this.maxBlocks = maxBlocks;
    }

    static int actKind(Activation a) {
        return switch (a.kind()) {
            case NONE -> KernelSource.ACT_NONE;
            case RELU -> KernelSource.ACT_RELU;
            case SIGMOID -> KernelSource.ACT_SIGMOID;
        };
    }

    /** Channels (axis 1) of a value; 1 for rank 1. */
    static int channels(Shape s) {
        return s.rank() >= 2 ? s.dim(1) : 1;
    }

    /** Elements after the channel axis. */
    static long inner(Shape s) {
        return s.rank() >= 2 ? s.count(2, s.rank()) : 1;
    }

    private static int flag(boolean b) {
        return b ? 1 : 0;
    }

    private String k(String base, DeviceValue v) {
        return base + "_" + v.dtype.suffix;
    }

    KernelCall act(DeviceValue x, DeviceValue y, int kind, float alpha) {
        return KernelCall.elementwise(k("act", y), y.count(), maxBlocks, List.of(y, x, y.count(), kind, alpha));
    }

    KernelCall power(DeviceValue x, DeviceValue y, float p, float scale, float shift) {
        return KernelCall.elementwise(k("power", y), y.count(), maxBlocks, List.of(y, x, y.count(), p, scale, shift));
    }

    /** {@code y = act(x * a[c] + b[c])}; {@code a} or {@code b} may be {@link KernelCall#NULL}. */
    KernelCall affine(DeviceValue x, DeviceValue y, Address a, Address b, int kind, float alpha) {
        return KernelCall.elementwise(k("affine", y), y.count(), maxBlocks, List.of(y, x, a, b, y.count(),
                channels(y.shape), inner(y.shape), flag(y.nhwc), kind, alpha));
    }

    /** {@code y = act(x + bias[c])} with the bias in the value's element type. */
    KernelCall biasAct(DeviceValue x, DeviceValue y, Address bias, int kind, float alpha) {
        return KernelCall.elementwise(k("bias_act", y), y.count(), maxBlocks, List.of(y, x, bias, y.count(),
                channels(y.shape), inner(y.shape), flag(y.nhwc), kind, alpha));
    }

    /** Bias and activation over rows of {@code n} outputs (inner-product results, rank 2 or more). */
    KernelCall biasActRows(DeviceValue y, Address bias, int n, int kind, float alpha) {
        return KernelCall.elementwise(k("bias_act", y), y.count(), maxBlocks, List.of(y, y, bias, y.count(), n, 1L, 1,
                kind, alpha));
    }

    KernelCall prelu(DeviceValue x, DeviceValue y, Address slopes, boolean shared) {
        return KernelCall.elementwise(k("prelu", y), y.count(), maxBlocks, List.of(y, x, slopes, y.count(),
                channels(y.shape), inner(y.shape), flag(y.nhwc), flag(shared)));
    }

    /** {@code out = act(a[n, c] * x + y)} with {@code y} optional ({@link KernelCall#NULL}). */
    KernelCall scaleAdd(DeviceValue a, DeviceValue x, Address y, DeviceValue out, int kind, float alpha) {
        return KernelCall.elementwise(k("scale_add", out), out.count(), maxBlocks, List.of(out, a, x, y, out.count(),
                channels(x.shape), inner(x.shape), flag(x.nhwc), kind, alpha));
    }

    KernelCall eltwise(Address x0, Address x1, DeviceValue out, int op, float c0, float c1, int kind, float alpha) {
        return KernelCall.elementwise(k("eltwise", out), out.count(), maxBlocks, List.of(out, x0, x1, out.count(), op,
                c0, c1, kind, alpha));
    }

    /** Caffe's pooling window by window (any kernel, stride, padding, ceil rounding already in the shapes). */
    KernelCall pool(Pooling p, DeviceValue x, DeviceValue y) {
        int[] d = x.dims4();
        int[] k = p.kernel(d[2], d[3]);
        int ph = p.global() ? 0 : p.padH();
        int pw = p.global() ? 0 : p.padW();
        return KernelCall.elementwise(k("pool", y), y.count(), maxBlocks, List.of(y, x, d[0], d[1], d[2], d[3],
                y.shape.dim(2), y.shape.dim(3), k[0], k[1], p.global() ? 1 : p.strideH(), p.global() ? 1 : p.strideW(),
                ph, pw, flag(p.method() == Pooling.Method.MAX), flag(x.nhwc)));
    }

    /** Pooling over whole planes (output N x C x 1 x 1). */
    KernelCall globalPool(DeviceValue x, DeviceValue y, boolean max) {
        int[] d = x.dims4();
        int hw = d[2] * d[3];
        if (x.nhwc) {
            return new KernelCall(k("gpool_nhwc", y), new int[] {(d[1] + 31) / 32, d[0], 1}, new int[] {32, 8, 1},
                    List.of(y, x, d[1], hw, flag(max)));
        }
        long planes = (long) d[0] * d[1];
        long blocks = (planes * 32 + 255) / 256;
        return new KernelCall(k("gpool_nchw", y), new int[] {Math.toIntExact(blocks), 1, 1}, new int[] {256, 1, 1},
                List.of(y, x, planes, hw, flag(max)));
    }

    /**
     * Copies {@code n} elements between layouts and types: the destination element at physical index {@code i} takes
     * the source element with the same logical index.
     */
    KernelCall relayout(Address dst, DType dt, int[] dstDims, boolean dstNhwc, Address src, DType st, int[] srcDims,
                        boolean srcNhwc, long n) {
        return KernelCall.elementwise("relayout_" + dt.suffix + "_" + st.suffix, n, maxBlocks, List.of(dst, src, n,
                srcDims[1], srcDims[2], srcDims[3], flag(srcNhwc), dstDims[1], dstDims[2], dstDims[3], flag(dstNhwc)));
    }

    /** {@code outer} rows of {@code inner} elements from strided source rows to strided destination rows. */
    KernelCall copyBlock(DType t, Address dst, Address src, long outer, long inner, long sStride, long sOff,
                         long dStride, long dOff) {
        return KernelCall.elementwise("copy_block_" + t.suffix, outer * inner, maxBlocks, List.of(dst, src, outer, inner,
                sStride, sOff, dStride, dOff));
    }
}
