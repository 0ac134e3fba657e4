package org.senet4j.engine.cuda;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.senet4j.engine.Precision;

/**
 * One GPU as an engine uses it: the device made current, one non-blocking stream, a cuDNN and a cuBLAS handle bound
 * to that stream (cuBLAS with its own workspace, so that its calls can be captured in CUDA graphs), the math modes of
 * the precision, and the compiled kernels.
 */
final class CudaContext implements AutoCloseable {
    /** cuBLAS workspace (recommended 32 MiB on Hopper). */
    private static final long CUBLAS_WORKSPACE = 32L << 20;

    final int device;
    final Precision precision;
    final CUstream_st stream = new CUstream_st();
    final cudnnContext cudnnHandle = new cudnnContext();
    final cublasContext cublasHandle = new cublasContext();
    String deviceName;
    int ccMajor;
    int ccMinor;
    int smCount;
    long totalMemory;
    final KernelModule kernels;
    private DeviceBuffer cublasWorkspace;
    private boolean closed;

    CudaContext(int device, Precision precision) {
        this.device = device;
        this.precision = precision;
        try {
            init();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        kernels = compileKernels();
    }

    private KernelModule compileKernels() {
        try {
            return new KernelModule(ccMajor, ccMinor);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void init() {
        makeCurrent(device);
        Cuda.check(cudart.cudaFree(null), "cudaFree(0) (context creation)");
        cudaDeviceProp p = new cudaDeviceProp();
        Cuda.check(cudart.cudaGetDeviceProperties(p, device), "cudaGetDeviceProperties");
        deviceName = p.name().getString();
        ccMajor = p.major();
        ccMinor = p.minor();
        smCount = p.multiProcessorCount();
        totalMemory = p.totalGlobalMem();
        p.close();
        Cuda.check(cudart.cudaStreamCreateWithFlags(stream, cudart.cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
        Cuda.checkCudnn(cudnn.cudnnCreate(cudnnHandle), "cudnnCreate", null);
        Cuda.checkCudnn(cudnn.cudnnSetStream(cudnnHandle, stream), "cudnnSetStream", null);
        Cuda.checkCublas(cublas.cublasCreate_v2(cublasHandle), "cublasCreate", null);
        Cuda.checkCublas(cublas.cublasSetStream_v2(cublasHandle, stream), "cublasSetStream", null);
        cublasWorkspace = DeviceBuffer.allocate(CUBLAS_WORKSPACE, "the cuBLAS workspace");
        Cuda.checkCublas(cublas.cublasSetWorkspace_v2(cublasHandle, cublasWorkspace.ptr(), CUBLAS_WORKSPACE),
                "cublasSetWorkspace", null);
        Cuda.checkCublas(cublas.cublasSetMathMode(cublasHandle, switch (precision) {
            case FP32 -> cublas.CUBLAS_PEDANTIC_MATH;
            case TF32 -> cublas.CUBLAS_TF32_TENSOR_OP_MATH;
            case FP16 -> cublas.CUBLAS_DEFAULT_MATH;
            case BF16 -> throw new IllegalStateException("the cuda engine does not run bf16");
        }), "cublasSetMathMode", null);
    }

    /** Makes {@code device} current on the calling thread (CUDA's current device is per thread). */
    static void makeCurrent(int device) {
        Cuda.check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
    }

    void makeCurrent() {
        makeCurrent(device);
    }

    /** Waits for the stream and reports any error of the work on it, naming {@code what}. */
    void sync(String what) {
        Cuda.check(cudart.cudaStreamSynchronize(stream), "cudaStreamSynchronize (" + what + ")");
    }

    /** Largest number of blocks worth launching for a grid-stride loop. */
    int maxBlocks() {
        return Math.max(1, smCount) * 32;
    }

    /** cuDNN's math type for the precision: FMA only (no TF32) for fp32, tensor cores otherwise. */
    int cudnnMathType() {
        return precision == Precision.FP32 ? cudnn.CUDNN_FMA_MATH : cudnn.CUDNN_TENSOR_OP_MATH;
    }

    /** cuBLAS compute type: pedantic fp32, fast TF32, or fp32 accumulation of fp16 data. */
    int cublasComputeType() {
        return switch (precision) {
            case FP32 -> cublas.CUBLAS_COMPUTE_32F_PEDANTIC;
            case TF32 -> cublas.CUBLAS_COMPUTE_32F_FAST_TF32;
            case FP16 -> cublas.CUBLAS_COMPUTE_32F;
            case BF16 -> throw new IllegalStateException("the cuda engine does not run bf16");
        };
    }

    String describe() {
        return deviceName + " (sm_" + ccMajor + ccMinor + ", " + smCount + " SMs, " + (totalMemory >> 20)
                + " MiB), cuDNN " + cudnn.cudnnGetVersion() + ", kernels " + kernels.target() + " compiled in "
                + kernels.compileMillis() + " ms";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cudart.cudaSetDevice(device);
        if (!stream.isNull()) {
            cudart.cudaStreamSynchronize(stream);
        }
        if (kernels != null) {
            kernels.close();
        }
        if (!cublasHandle.isNull()) {
            cublas.cublasDestroy_v2(cublasHandle);
        }
        if (cublasWorkspace != null) {
            cublasWorkspace.close();
        }
        if (!cudnnHandle.isNull()) {
            cudnn.cudnnDestroy(cudnnHandle);
        }
        if (!stream.isNull()) {
            cudart.cudaStreamDestroy(stream);
        }
    }
}
