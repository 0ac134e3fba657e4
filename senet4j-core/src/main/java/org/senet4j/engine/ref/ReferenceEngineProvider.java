package org.senet4j.engine.ref;

import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.EngineProvider;
import org.senet4j.ir.Graph;

/** Provides the {@code reference} device: {@link ReferenceEngine}, plain Java, for checking other engines. */
public final class ReferenceEngineProvider implements EngineProvider {
    @Override
    public String device() {
        return "reference";
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public Engine create(Graph graph, EngineOptions options) {
        org.senet4j.engine.Engines.checkPrecision(this, options.precision());
        return new ReferenceEngine(graph);
    }
}
