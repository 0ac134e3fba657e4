package org.senet4j.engine.cuda;

import org.senet4j.ModelException;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.EngineProvider;
import org.senet4j.ir.Graph;

/** Provides the {@code cuda} device: {@link CudaEngine} on an NVIDIA GPU through cuDNN 9, cuBLAS and NVRTC. */
public final class CudaEngineProvider implements EngineProvider {
    @Override
    public String device() {
        return "cuda";
    }

    /**
     * Null when a GPU and the CUDA 13 runtime, cuDNN 9 and cuBLAS libraries are usable; otherwise why not.
     * Never throws and never takes the JVM down (the libraries are probed once, in a guarded load).
     */
    @Override
    public String unavailableReason() {
        return CudaAvailability.reason();
    }

    @Override
    public java.util.Set<org.senet4j.engine.Precision> precisions() {
        return java.util.EnumSet.of(org.senet4j.engine.Precision.FP32, org.senet4j.engine.Precision.TF32,
                org.senet4j.engine.Precision.FP16);
    }

    @Override
    public Engine create(Graph graph, EngineOptions options) throws ModelException {
        org.senet4j.engine.Engines.checkPrecision(this, options.precision());
        return new CudaEngine(graph, options);
    }
}
