package org.senet4j.engine.cpu;

import org.senet4j.ModelException;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.EngineProvider;
import org.senet4j.ir.Graph;

/** Provides the {@code cpu} device: {@link CpuEngine}. */
public final class CpuEngineProvider implements EngineProvider {
    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public String unavailableReason() {
        String arch = System.getProperty("os.arch");
        String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "the CPU engine's native libraries are packaged for linux-x86_64 only (this is " + os + "/"
                    + arch + ")";
        }
        return null;
    }

    @Override
    public java.util.Set<org.senet4j.engine.Precision> precisions() {
        return java.util.EnumSet.of(org.senet4j.engine.Precision.FP32, org.senet4j.engine.Precision.BF16);
    }

    /** bf16 needs native bf16 arithmetic, as oneDNN reports it ({@link CpuIsa}). */
    @Override
    public String precisionUnavailableReason(org.senet4j.engine.Precision p) {
        return p == org.senet4j.engine.Precision.BF16 ? CpuIsa.bf16Refusal() : null;
    }

    @Override
    public Engine create(Graph graph, EngineOptions options) throws ModelException {
        return new CpuEngine(graph, options);
    }
}
