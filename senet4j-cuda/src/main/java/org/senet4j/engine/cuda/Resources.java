package org.senet4j.engine.cuda;

import java.util.Map;

/**
 * What steps draw on while they are prepared: the context, the engine's weights and convolution algorithm choices,
 * the plan's workspace (whose address is the large search workspace while preparing, the final one after), and the
 * element type and layout of the plan.
 */
final class Resources {
    final CudaContext ctx;
    final WeightStore weights;
    final Map<String, ConvStep.Choice> algorithms;
    final BufferHolder workspace;
    final DType dtype;
    final boolean channelsLast;

    Resources(CudaContext ctx, WeightStore weights, Map<String, ConvStep.Choice> algorithms, BufferHolder workspace,
              DType dtype, boolean channelsLast) {
        this.ctx = ctx;
        this.weights = weights;
        this.algorithms = algorithms;
        this.workspace = workspace;
        this.dtype = dtype;
        this.channelsLast = channelsLast;
    }
}
