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
 *
 * <p>Precision: {@code FP32}, or {@code BF16} on processors whose oneDNN ISA has native bf16 arithmetic
 * ({@link CpuIsa}; refused with {@link org.senet4j.engine.EngineUnavailableException} elsewhere, never run in fp32
 * instead): weights rounded to bf16 once when a plan binds, large activations in bf16, f32 accumulation, the SE
 * excitation, the classifier and the residual sums in f32 (see {@link Plan} and {@link Bf16Policy}).
 */
public final class CpuEngine implements Engine {

    private final Graph graph;
    private final int threads;
    private final Dnnl dnnl;
    private final PlanCache<Plan> plans = new PlanCache<>(4);
    /** Null in fp32. */
    private final Bf16Policy bf16;

    public CpuEngine(Graph graph, EngineOptions options) throws ModelException {
        if (options.precision() != Precision.FP32 && options.precision() != Precision.BF16) {
            throw new org.senet4j.engine.UnsupportedPrecisionException("device cpu does not run "
                    + options.precision().label() + "; it runs fp32, bf16");
        }
        if (options.precision() == Precision.BF16) {
            String why = CpuIsa.bf16Refusal();
            if (why != null) {
                throw new org.senet4j.engine.EngineUnavailableException("device cpu cannot run bf16 here: " + why);
            }
        }
        this.bf16 = options.precision() == Precision.BF16 ? Bf16Policy.current() : null;
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

    /** FP32 or BF16. */
    public Precision precision() {
        return bf16 == null ? Precision.FP32 : Precision.BF16;
    }

    public int threads() {
        return threads;
    }

    private synchronized Plan plan(int batch, boolean fuseRelu) throws ModelException {
        return plans.get(new PlanCache.Key(batch, fuseRelu), k -> {
            setThreads();
            return new Plan(graph.withBatchSize(k.batch()), dnnl, k.fuseRelu(), bf16);
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
