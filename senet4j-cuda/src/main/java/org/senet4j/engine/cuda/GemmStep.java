package org.senet4j.engine.cuda;

import java.util.List;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.javacpp.FloatPointer;
import org.senet4j.ir.op.InnerProduct;

/**
 * InnerProduct as one cuBLAS GEMM ({@code cublasGemmEx}) followed by the engine's bias+activation kernel. Caffe's
 * row-major {@code Y[M x N] = X[M x K] W[N x K]^T} is cuBLAS's column-major {@code Y^T = W^T... }: {@code C (N x M) =
 * op_T(A = W, K x N) * B (X, K x M)}. The compute type follows the precision: pedantic fp32, TF32, or fp32
 * accumulation of fp16 operands.
 */
final class GemmStep implements Step {
    private final String layer;
    private final InnerProduct op;
    private final DeviceValue x;
    private final DeviceValue y;
    private final Launches launches;
    private final int m;
    private final int n;
    private final int k;
    private final WeightRef w;
    private final WeightRef b;
    private final KernelCall epilogue;
    private FloatPointer one;
    private FloatPointer zero;

    GemmStep(String layer, InnerProduct op, DeviceValue x, DeviceValue y, Launches launches) {
        this.layer = layer;
        this.op = op;
        this.x = x;
        this.y = y;
        this.launches = launches;
        this.m = Math.toIntExact(x.shape.count(0, op.axis()));
        this.k = Math.toIntExact(x.shape.count(op.axis(), x.shape.rank()));
        this.n = op.numOutput();
        DType t = x.dtype;
        this.w = new WeightRef(layer + "#rows" + (x.nhwc ? "-nhwc" + x.shape.slice(1, 4) : ""), t,
                () -> WeightPrep.innerProductRows(op, x.shape, x.nhwc));
        this.b = new WeightRef(layer + "#bias", t, () -> op.bias() == null ? new float[n] : op.bias().toArray());
        this.epilogue = launches.biasActRows(y, b, n, Launches.actKind(op.activation()), op.activation().alpha());
    }

    DeviceValue x() {
        return x;
    }

    DeviceValue y() {
        return y;
    }

    /** GEMM extents: rows M, outputs N, row length K. */
    int[] mnk() {
        return new int[] {m, n, k};
    }

    WeightRef rows() {
        return w;
    }

    KernelCall epilogue() {
        return epilogue;
    }

    @Override
    public String layer() {
        return layer;
    }

    @Override
    public String describe() {
        return "gemm " + m + "x" + n + "x" + k + " cuBLAS + bias"
                + (op.activation().isNone() ? "" : "+" + op.activation().kind().name().toLowerCase(java.util.Locale.ROOT))
                + " kernel";
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
        w.resolve(r.weights);
        b.resolve(r.weights);
        epilogue.bind(r.ctx.kernels.function(epilogue.kernel));
        one = new FloatPointer(1f);
        zero = new FloatPointer(0f);
    }

    @Override
    public void enqueue(CudaContext ctx) {
        int dt = x.dtype.cuda();
        Cuda.checkCublas(cublas.cublasGemmEx(ctx.cublasHandle, cublas.CUBLAS_OP_T, cublas.CUBLAS_OP_N, n, m, k, one,
                DevicePtr.of(w.address()), dt, k, DevicePtr.of(x.ptr()), dt, k, zero, DevicePtr.of(y.ptr()), dt, n,
                ctx.cublasComputeType(), cublas.CUBLAS_GEMM_DEFAULT), "cublasGemmEx", layer + " (InnerProduct)");
        epilogue.launch(ctx.stream, layer);
    }

    @Override
    public void close() {
        epilogue.close();
        if (one != null) {
            one.close();
            zero.close();
            one = null;
        }
    }
}
