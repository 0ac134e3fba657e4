package org.senet4j.engine.cuda;

import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/** Status checks for the CUDA libraries: every failing call becomes a {@link CudaException} naming call and layer. */
final class Cuda {
    private Cuda() {
    }

    private static String where(String layer) {
        return layer == null ? "" : layer + ": ";
    }

    /** A CUDA runtime status. */
    static void check(int rc, String call, String layer) {
        if (rc != cudart.cudaSuccess) {
            String name;
            String text;
            try {
                name = cudart.cudaGetErrorName(rc).getString();
                text = cudart.cudaGetErrorString(rc).getString();
            } catch (Throwable t) {
                name = "cudaError";
                text = "?";
            }
            cudart.cudaGetLastError(); // clear a non-sticky error so that later calls report their own
            throw new CudaException(call, rc, where(layer) + call + " failed: " + name + " (" + rc + "): " + text);
        }
    }

    static void check(int rc, String call) {
        check(rc, call, null);
    }

    /** A CUDA driver API status ({@code CUresult}). */
    static void checkDriver(int rc, String call, String layer) {
        if (rc != cudart.CUDA_SUCCESS) {
            String text = "?";
            try (PointerPointer<BytePointer> p = new PointerPointer<>(1)) {
                if (cudart.cuGetErrorString(rc, p) == cudart.CUDA_SUCCESS && p.get(0) != null) {
                    text = new BytePointer(p.get(0)).getString();
                }
            } catch (Throwable t) {
                // keep "?"
            }
            throw new CudaException(call, rc, where(layer) + call + " failed: CUresult " + rc + ": " + text);
        }
    }

    /** A cuDNN status. */
    static void checkCudnn(int rc, String call, String layer) {
        if (rc != cudnn.CUDNN_STATUS_SUCCESS) {
            throw new CudaException(call, rc, where(layer) + call + " failed: " + cudnnStatus(rc));
        }
    }

    static String cudnnStatus(int rc) {
        String name;
        try {
            name = cudnn.cudnnGetErrorString(rc).getString();
        } catch (Throwable t) {
            name = "cudnnStatus";
        }
        return name + " (" + rc + ")";
    }

    /** A cuBLAS status. */
    static void checkCublas(int rc, String call, String layer) {
        if (rc != cublas.CUBLAS_STATUS_SUCCESS) {
            String name;
            try {
                name = cublas.cublasGetStatusString(rc).getString();
            } catch (Throwable t) {
                name = "cublasStatus";
            }
            throw new CudaException(call, rc, where(layer) + call + " failed: " + name + " (" + rc + ")");
        }
    }

    /** An NVRTC result. */
    static void checkNvrtc(int rc, String call, String log) {
        if (rc != nvrtc.NVRTC_SUCCESS) {
            String name;
            try {
                name = nvrtc.nvrtcGetErrorString(rc).getString();
            } catch (Throwable t) {
                name = "nvrtcResult";
            }
            throw new CudaException(call, rc, call + " failed: " + name + " (" + rc + ")"
                    + (log == null || log.isBlank() ? "" : "\n" + log));
        }
    }
}
