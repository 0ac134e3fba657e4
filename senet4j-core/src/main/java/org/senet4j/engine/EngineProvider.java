package org.senet4j.engine;

import org.senet4j.ModelException;
import org.senet4j.ir.Graph;

/** Makes engines for one kind of device; found through {@link java.util.ServiceLoader}. */
public interface EngineProvider {
    /** The device name users give, e.g. {@code cpu}, {@code cuda}. */
    String device();

    /** Null when this provider can run here, else why not (no GPU, missing library...). */
    String unavailableReason();

    /**
     * @throws ModelException when the graph uses something this engine cannot run
     */
    Engine create(Graph graph, EngineOptions options) throws ModelException;
}
