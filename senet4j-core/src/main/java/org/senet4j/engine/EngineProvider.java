package org.senet4j.engine;

import org.senet4j.ModelException;
import org.senet4j.ir.Graph;

/** Makes engines for one kind of device; found through {@link java.util.ServiceLoader}. */
public interface EngineProvider {
    /** The device name users give, e.g. {@code cpu}, {@code cuda}. */
    String device();

    /** Null when this provider can run here, else why not (no GPU, missing library...). */
    String unavailableReason();

    /** The precisions this device offers (whether this machine can run each is checked when an engine is made). */
    default java.util.Set<Precision> precisions() {
        return java.util.EnumSet.of(Precision.FP32);
    }

    /**
     * Null when this device can run precision {@code p} (one of {@link #precisions}) on this machine, else why not
     * (the CPU engine's bf16 on a processor without bf16 arithmetic); asked by {@link Engines#create}.
     */
    default String precisionUnavailableReason(Precision p) {
        return null;
    }

    /**
     * @throws ModelException when the graph uses something this engine cannot run
     */
    Engine create(Graph graph, EngineOptions options) throws ModelException;
}
