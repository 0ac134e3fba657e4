package org.senet4j.engine.cpu;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.senet4j.ModelException;
import org.senet4j.engine.DataDependentRows;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.HostTensor;
import org.senet4j.engine.PlanCache;
import org.senet4j.engine.Precision;
import org.senet4j.engine.RequestedValues;
import org.senet4j.ir.Graph;

/**
 * The CPU engine: ND4J holds the activations and drives the OpenMP runtime; convolution, pooling, inner product and
 * the SE excitation run as oneDNN 3 primitives on NHWC data, built once per input shape with weights reordered once
 * (ND4J's own convolution re-creates its primitive and reorders weights on every call); the remaining small ops run
 * as Java kernels. Compiled plans are kept per batch size.
 */
public final class CpuEngine implements Engine {

    private final Graph graph;
    private final int threads;
    private final Dnnl dnnl;
    private final PlanCache<Plan> plans = new PlanCache<>(4);

    public CpuEngine(Graph graph, EngineOptions options) throws ModelException {
        if (options.precision() != Precision.FP32) {
            throw new IllegalArgumentException("the cpu device runs fp32 only, not " + options.precision());
        }
        if (!graph.hasWeights()) {
            throw new IllegalArgumentException("the graph has no weights (loaded without a caffemodel)");
        }
        this.graph = graph;
        this.threads = options.resolvedThreads();
        Nd4j.getBackend();
        setThreads();
        this.dnnl = new Dnnl();
        plan(graph.batchSize(), true);
    }

    private void setThreads() {
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public Graph graph() {
        return graph;
    }

    public int threads() {
        return threads;
    }

    private synchronized Plan plan(int batch, boolean fuseRelu) throws ModelException {
        return plans.get(new PlanCache.Key(batch, fuseRelu), k -> {
            setThreads();
            return new Plan(graph.withBatchSize(k.batch()), dnnl, k.fuseRelu());
        });
    }

    @Override
    public synchronized Map<String, HostTensor> run(Map<String, HostTensor> inputs, List<String> requested)
            throws ModelException {
        return run(inputs, requested, null);
    }

    /** Runs and, when {@code stepNanos} is given, adds each step's time to it (see {@link #steps}). */
    public synchronized Map<String, HostTensor> run(Map<String, HostTensor> inputs, List<String> requested,
                                                    long[] stepNanos) throws ModelException {
        int batch = inputs.isEmpty() ? graph.batchSize() : inputs.values().iterator().next().shape().dim(0);
        Plan p = plan(batch, true);
        Graph g = p.graph();
        RequestedValues.checkInputs(g, inputs);
        Map<String, String> want = DataDependentRows.request(g, RequestedValues.resolve(g, requested));
        if (p.fusesAway(want.values())) {
            p = plan(batch, false); // an output that a fused ReLU overwrites is asked for: compute it on its own
        }
        setThreads();
        Map<String, HostTensor> result = p.run(dnnl, inputs, want, stepNanos);
        DataDependentRows.trim(g, want, result);
        return result;
    }

    /** The steps of the plan for {@code batch}, described (for profiles). */
    public synchronized List<String> steps(int batch) throws ModelException {
        return plan(batch, true).steps().stream().map(Step::describe).toList();
    }

    /** Activation memory of the plan for {@code batch}, in bytes. */
    public synchronized long activationBytes(int batch) throws ModelException {
        return plan(batch, true).plannedBytes();
    }

    @Override
    public synchronized void close() {
        plans.clear();
        dnnl.close();
    }
}
