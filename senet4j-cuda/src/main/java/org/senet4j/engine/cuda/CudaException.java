package org.senet4j.engine.cuda;

/**
 * A CUDA, cuDNN, cuBLAS or NVRTC call failed. The message names the call, the status the library returned and, where
 * the call belongs to one, the layer: {@code layer "conv1" (Convolution): cudnnConvolutionForward failed:
 * CUDNN_STATUS_BAD_PARAM (2000)}.
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String call;
    private final int status;

    public CudaException(String call, int status, String message) {
        super(message);
        this.call = call;
        this.status = status;
    }

    /** The failing call, e.g. {@code cudnnConvolutionForward}. */
    public String call() {
        return call;
    }

    /** The status code it returned. */
    public int status() {
        return status;
    }
}
