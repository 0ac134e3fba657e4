package org.senet4j.engine.cuda;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudnn.cudnnActivationStruct;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.FloatPointer;
import org.senet4j.engine.Precision;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.Convolution;

/**
 * A convolution through cuDNN's legacy API: groups through {@code cudnnSetConvolutionGroupCount}, channels-last
 * tensors and filters for tensor cores, the algorithm found once per configuration with
 * {@code cudnnFindConvolutionForwardAlgorithmEx} (cached by the engine), bias and ReLU fused with
 * {@code cudnnConvolutionBiasActivationForward} where cuDNN supports it for the chosen algorithm (tried once while
 * preparing), otherwise the convolution followed by the engine's bias+activation kernel (sigmoid, leaky ReLU).
 *
 * <p>fp32 uses FMA math only (no TF32) and only the GEMM-based and direct algorithms (FFT and Winograd trade accuracy
 * for speed); tf32 and fp16 allow tensor cores and every algorithm; fp16 accumulates in float
 * ({@code computeType CUDNN_DATA_FLOAT}).
 */
final class ConvStep implements Step {
    /** An algorithm choice: algorithm, math type, workspace bytes, and how it was found. */
    record Choice(int algo, int mathType, long memory, String how) {
    }

    private final String layer;
    private final Convolution op;
    private final DeviceValue x;
    private final DeviceValue y;
    private final boolean channelsLast;
    private final Launches launches;
    private cudnnTensorStruct xDesc;
    private cudnnTensorStruct yDesc;
    private cudnnTensorStruct bDesc;
    private cudnnFilterStruct wDesc;
    private cudnnConvolutionStruct convDesc;
    private cudnnActivationStruct actDesc;
    private FloatPointer one;
    private FloatPointer zero;
    private final WeightRef w;
    private final WeightRef b;
    private final KernelCall epilogue;
    private Choice choice;
    private boolean fused;
    private Address workspace;
    private String note = "";

    ConvStep(String layer, Convolution op, DeviceValue x, DeviceValue y, boolean channelsLast, Launches launches) {
        this.layer = layer;
        this.op = op;
        this.x = x;
        this.y = y;
        this.channelsLast = channelsLast;
        this.launches = launches;
        DType t = x.dtype;
        this.w = new WeightRef(layer + "#filter" + (channelsLast ? "-krsc" : ""), t,
                () -> WeightPrep.convFilter(op, channelsLast));
        this.b = new WeightRef(layer + "#bias", t,
                () -> op.bias() == null ? new float[op.numOutput()] : op.bias().toArray());
        Activation a = op.activation();
        this.epilogue = launches.biasAct(y, y, b, Launches.actKind(a), a.alpha());
    }

    Convolution op() {
        return op;
    }

    DeviceValue x() {
        return x;
    }

    DeviceValue y() {
        return y;
    }

    /** The bias+activation launch that follows the convolution when cuDNN does not fuse them. */
    KernelCall epilogue() {
        return epilogue;
    }

    WeightRef filter() {
        return w;
    }

    @Override
    public String layer() {
        return layer;
    }

    @Override
    public String describe() {
        String act = op.activation().isNone() ? "" : "+" + op.activation().kind().name().toLowerCase(java.util.Locale.ROOT);
        return "conv" + (op.group() > 1 ? " g" + op.group() : "") + " " + op.kernelH() + "x" + op.kernelW()
                + (choice == null ? "" : " cuDNN algo " + choice.algo + " (" + choice.how + ", ws " + choice.memory
                + ")") + (fused ? " fused bias" + act : " + bias" + act + " kernel") + note;
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
    public long workspaceBytes() {
        return choice == null ? 0 : choice.memory;
    }

    /** The key of this convolution's configuration in the engine's algorithm cache. */
    String key(Precision p) {
        Shape xs = x.shape;
        return p + "|" + x.dtype + "|" + (channelsLast ? "nhwc" : "nchw") + "|" + xs + "|" + op.numOutput() + "|"
                + op.kernelH() + "x" + op.kernelW() + "|s" + op.strideH() + "x" + op.strideW() + "|p" + op.padH() + "x"
                + op.padW() + "|d" + op.dilationH() + "x" + op.dilationW() + "|g" + op.group();
    }

    private int format() {
        return channelsLast ? cudnn.CUDNN_TENSOR_NHWC : cudnn.CUDNN_TENSOR_NCHW;
    }

    private void c(int rc, String call) {
        Cuda.checkCudnn(rc, call, layer + " (Convolution)");
    }

    @Override
    public void prepare(Resources r) {
        CudaContext ctx = r.ctx;
        int dt = x.dtype.cudnn();
        xDesc = new cudnnTensorStruct();
        yDesc = new cudnnTensorStruct();
        bDesc = new cudnnTensorStruct();
        wDesc = new cudnnFilterStruct();
        convDesc = new cudnnConvolutionStruct();
        actDesc = new cudnnActivationStruct();
        c(cudnn.cudnnCreateTensorDescriptor(xDesc), "cudnnCreateTensorDescriptor");
        c(cudnn.cudnnCreateTensorDescriptor(yDesc), "cudnnCreateTensorDescriptor");
        c(cudnn.cudnnCreateTensorDescriptor(bDesc), "cudnnCreateTensorDescriptor");
        c(cudnn.cudnnCreateFilterDescriptor(wDesc), "cudnnCreateFilterDescriptor");
        c(cudnn.cudnnCreateConvolutionDescriptor(convDesc), "cudnnCreateConvolutionDescriptor");
        c(cudnn.cudnnCreateActivationDescriptor(actDesc), "cudnnCreateActivationDescriptor");
        int[] xd = x.dims4();
        int[] yd = y.dims4();
        int k = op.numOutput();
        c(cudnn.cudnnSetTensor4dDescriptor(xDesc, format(), dt, xd[0], xd[1], xd[2], xd[3]), "cudnnSetTensor4dDescriptor(x)");
        c(cudnn.cudnnSetTensor4dDescriptor(yDesc, format(), dt, yd[0], yd[1], yd[2], yd[3]), "cudnnSetTensor4dDescriptor(y)");
        c(cudnn.cudnnSetTensor4dDescriptor(bDesc, format(), dt, 1, k, 1, 1), "cudnnSetTensor4dDescriptor(bias)");
        c(cudnn.cudnnSetFilter4dDescriptor(wDesc, dt, format(), k, xd[1] / op.group(), op.kernelH(), op.kernelW()),
                "cudnnSetFilter4dDescriptor");
        c(cudnn.cudnnSetConvolution2dDescriptor(convDesc, op.padH(), op.padW(), op.strideH(), op.strideW(),
                op.dilationH(), op.dilationW(), cudnn.CUDNN_CROSS_CORRELATION, cudnn.CUDNN_DATA_FLOAT),
                "cudnnSetConvolution2dDescriptor");
        if (op.group() > 1) {
            c(cudnn.cudnnSetConvolutionGroupCount(convDesc, op.group()), "cudnnSetConvolutionGroupCount");
        }
        c(cudnn.cudnnSetConvolutionMathType(convDesc, ctx.cudnnMathType()), "cudnnSetConvolutionMathType");
        int[] on = new int[1];
        int[] oc = new int[1];
        int[] oh = new int[1];
        int[] ow = new int[1];
        c(cudnn.cudnnGetConvolution2dForwardOutputDim(convDesc, xDesc, wDesc, on, oc, oh, ow),
                "cudnnGetConvolution2dForwardOutputDim");
        if (on[0] != yd[0] || oc[0] != yd[1] || oh[0] != yd[2] || ow[0] != yd[3]) {
            throw new IllegalStateException("layer " + layer + ": cuDNN computes output " + on[0] + "x" + oc[0] + "x"
                    + oh[0] + "x" + ow[0] + ", Caffe's shape is " + y.shape);
        }
        c(cudnn.cudnnSetActivationDescriptor(actDesc, op.activation().isNone() ? cudnn.CUDNN_ACTIVATION_IDENTITY
                : cudnn.CUDNN_ACTIVATION_RELU, cudnn.CUDNN_NOT_PROPAGATE_NAN, 0.0), "cudnnSetActivationDescriptor");
        one = new FloatPointer(1f);
        zero = new FloatPointer(0f);
        w.resolve(r.weights);
        b.resolve(r.weights);
        workspace = r.workspace;
        choice = r.algorithms.get(key(ctx.precision));
        if (choice == null) {
            choice = find(r);
            r.algorithms.put(key(ctx.precision), choice);
        }
        if (ctx.precision != Precision.FP32) {
            c(cudnn.cudnnSetConvolutionMathType(convDesc, choice.mathType), "cudnnSetConvolutionMathType");
        }
        r.workspace.ensure(choice.memory);
        Activation a = op.activation();
        boolean fusable = (a.kind() == Activation.Kind.RELU && a.alpha() == 0f) || (a.isNone()
                && choice.algo == cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM);
        fused = false;
        if (fusable && !"0".equals(System.getProperty("senet4j.cuda.fuseConvBias"))) {
            int rc = fusedCall(ctx);
            if (rc == cudnn.CUDNN_STATUS_SUCCESS) {
                ctx.sync(layer + " (fused convolution trial)");
                fused = true;
            } else {
                // cuDNN supports the fused form for some algorithms, layouts and types only: fall back, say why
                note = " (fused form refused: " + Cuda.cudnnStatus(rc) + ")";
            }
        }
        if (!fused) {
            epilogue.bind(ctx.kernels.function(epilogue.kernel));
        }
    }

    /**
     * Runs every algorithm cuDNN offers on the real buffers and takes the fastest allowed one that fits the search
     * workspace; falls back to cuDNN's heuristic when none does.
     */
    private Choice find(Resources r) {
        CudaContext ctx = r.ctx;
        long limit = searchWorkspace(ctx);
        r.workspace.ensure(limit);
        int max = cudnn.CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
        List<String> rejected = new ArrayList<>();
        if (!"heuristic".equals(System.getProperty("senet4j.cuda.convAlgo"))) {
            try (cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(max)) {
                int[] n = new int[1];
                c(cudnn.cudnnFindConvolutionForwardAlgorithmEx(ctx.cudnnHandle, xDesc, DevicePtr.of(x.ptr()), wDesc,
                        DevicePtr.of(w.address()), convDesc, yDesc, DevicePtr.of(y.ptr()), max, n, perf,
                        DevicePtr.of(r.workspace.address()), r.workspace.bytes()),
                        "cudnnFindConvolutionForwardAlgorithmEx");
                for (int i = 0; i < n[0]; i++) {
                    cudnnConvolutionFwdAlgoPerf_t p = perf.getPointer(i);
                    if (p.status() != cudnn.CUDNN_STATUS_SUCCESS) {
                        continue;
                    }
                    if (!allowed(ctx.precision, p.algo())) {
                        rejected.add("algo " + p.algo());
                        continue;
                    }
                    if (p.memory() <= r.workspace.bytes()) {
                        return new Choice(p.algo(), p.mathType(), p.memory(), String.format(java.util.Locale.ROOT,
                                "found %.3f ms", p.time()));
                    }
                }
            }
        }
        try (cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(max)) {
            int[] n = new int[1];
            c(cudnn.cudnnGetConvolutionForwardAlgorithm_v7(ctx.cudnnHandle, xDesc, wDesc, convDesc, yDesc, max, n,
                    perf), "cudnnGetConvolutionForwardAlgorithm_v7");
            for (int i = 0; i < n[0]; i++) {
                cudnnConvolutionFwdAlgoPerf_t p = perf.getPointer(i);
                if (p.status() == cudnn.CUDNN_STATUS_SUCCESS && allowed(ctx.precision, p.algo())
                        && p.memory() <= limit) {
                    return new Choice(p.algo(), p.mathType(), p.memory(), "heuristic");
                }
            }
        }
        throw new CudaException("cudnnFindConvolutionForwardAlgorithmEx", cudnn.CUDNN_STATUS_NOT_SUPPORTED, layer
                + " (Convolution): cuDNN offers no usable algorithm for " + x.shape + " -> " + y.shape + " (group "
                + op.group() + ", " + ctx.precision + "; rejected " + rejected + ")");
    }

    /** FFT and Winograd algorithms are kept out of fp32 runs: their error exceeds what fp32 parity allows. */
    static boolean allowed(Precision p, int algo) {
        if (p != Precision.FP32) {
            return true;
        }
        return algo == cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM
                || algo == cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM
                || algo == cudnn.CUDNN_CONVOLUTION_FWD_ALGO_GEMM || algo == cudnn.CUDNN_CONVOLUTION_FWD_ALGO_DIRECT;
    }

    /** Workspace offered to the algorithm search: 1 GiB, or an eighth of the card when that is less. */
    static long searchWorkspace(CudaContext ctx) {
        long cap = Long.getLong("senet4j.cuda.maxWorkspace", 1L << 30);
        return Math.min(cap, Math.max(64L << 20, ctx.totalMemory / 8));
    }

    private int fusedCall(CudaContext ctx) {
        return cudnn.cudnnConvolutionBiasActivationForward(ctx.cudnnHandle, one, xDesc, DevicePtr.of(x.ptr()), wDesc,
                DevicePtr.of(w.address()), convDesc, choice.algo, DevicePtr.of(workspace.address()), choice.memory, zero, yDesc,
                DevicePtr.of(y.ptr()), bDesc, DevicePtr.of(b.address()), actDesc, yDesc, DevicePtr.of(y.ptr()));
    }

    @Override
    public void enqueue(CudaContext ctx) {
        if (fused) {
            c(fusedCall(ctx), "cudnnConvolutionBiasActivationForward");
            return;
        }
        c(cudnn.cudnnConvolutionForward(ctx.cudnnHandle, one, xDesc, DevicePtr.of(x.ptr()), wDesc, DevicePtr.of(w.address()), convDesc,
                choice.algo, DevicePtr.of(workspace.address()), choice.memory, zero, yDesc, DevicePtr.of(y.ptr())),
                "cudnnConvolutionForward");
        epilogue.launch(ctx.stream, layer);
    }

    @Override
    public void close() {
        epilogue.close();
        if (xDesc != null) {
            cudnn.cudnnDestroyTensorDescriptor(xDesc);
            cudnn.cudnnDestroyTensorDescriptor(yDesc);
            cudnn.cudnnDestroyTensorDescriptor(bDesc);
            cudnn.cudnnDestroyFilterDescriptor(wDesc);
            cudnn.cudnnDestroyConvolutionDescriptor(convDesc);
            cudnn.cudnnDestroyActivationDescriptor(actDesc);
            xDesc = null;
        }
        if (one != null) {
            one.close();
            zero.close();
            one = null;
        }
    }
}
