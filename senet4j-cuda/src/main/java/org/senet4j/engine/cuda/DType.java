package org.senet4j.engine.cuda;

/** Element type of device activations and weights. */
enum DType {
    F32(4, "f32", "float"),
    F16(2, "f16", "half_t");

    /** Bytes per element. */
    final int size;
    /** Suffix of the kernels specialised for this type, e.g. {@code relu_f16}. */
    final String suffix;
    /** The C type in the kernel source. */
    final String cType;

    DType(int size, String suffix, String cType) {
        this.size = size;
        this.suffix = suffix;
        this.cType = cType;
    }

    /** cuDNN's {@code cudnnDataType_t} for this type. */
    int cudnn() {
        return this == F32 ? org.bytedeco.cuda.global.cudnn.CUDNN_DATA_FLOAT
                : org.bytedeco.cuda.global.cudnn.CUDNN_DATA_HALF;
    }

    /** CUDA's {@code cudaDataType} for cuBLAS. */
    int cuda() {
        return this == F32 ? org.bytedeco.cuda.global.cudart.CUDA_R_32F : org.bytedeco.cuda.global.cudart.CUDA_R_16F;
    }
}
