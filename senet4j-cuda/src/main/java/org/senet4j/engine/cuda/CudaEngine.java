package org.senet4j.engine.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.senet4j.ModelException;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.EngineUnavailableException;
import org.senet4j.engine.HostTensor;
import org.senet4j.engine.PlanCache;
import org.senet4j.engine.Precision;
import org.senet4j.engine.DataDependentRows;
import org.senet4j.engine.RequestedValues;
import org.senet4j.ir.Graph;
import org.senet4j.engine.DeviceTimer;

/**
 * The CUDA engine: convolutions through cuDNN 9, inner products through cuBLAS, Caffe's pooling, the SE excitation,
 * Axpy and the element-wise ops through the engine's own kernels (compiled once with NVRTC), everything on one stream
 * of one GPU. Weights are uploaded once (converted to fp16 once in fp16 mode); a plan per batch size holds the
 * activations in one planned arena and is prepared once (algorithms found, descriptors made); with
 * {@link EngineOptions#cudaGraphs()} a plan's launches are captured as a CUDA graph after its first run and replayed.
 *
 * <p>Precision: {@code FP32} float32 storage and FMA-only arithmetic (no TF32 anywhere); {@code TF32} float32 storage
 * with TensorFloat-32 tensor-core convolutions and GEMMs; {@code FP16} half-precision weights and activations with
 * float accumulation in cuDNN and cuBLAS and float arithmetic in the engine's kernels. Inputs and outputs are float32
 * in Caffe's logical order whatever the precision. Activations are stored channels-last (NHWC) in tf32 and fp16 (what
 * tensor cores want) and NCHW in fp32, unless {@code -Dsenet4j.cuda.layout=nchw|nhwc} says otherwise.
 */
public final class CudaEngine implements Engine, DeviceTimer {

    private final Graph graph;
    private final EngineOptions options;
    private final DType dtype;
    private final boolean channelsLast;
    private final CudaContext ctx;
    private final WeightStore weights = new WeightStore();
    private final Map<String, ConvStep.Choice> algorithms = new ConcurrentHashMap<>();
    private final PlanCache<CudaPlan> plans = new PlanCache<>(4);
    private boolean closed;

    public CudaEngine(Graph graph, EngineOptions options) throws ModelException {
        if (!graph.hasWeights()) {
            throw new IllegalArgumentException("the graph has no weights (loaded without a caffemodel)");
        }
        if (options.precision() == Precision.BF16) {
            throw new org.senet4j.engine.UnsupportedPrecisionException("device cuda does not run bf16; it runs "
                    + "fp32, tf32, fp16 (bf16 runs on the cpu device)");
        }
        String why = CudaAvailability.reason();
        if (why != null) {
            throw new EngineUnavailableException("device cuda is not available: " + why);
        }
        this.graph = graph;
        this.options = options;
        this.dtype = options.precision() == Precision.FP16 ? DType.F16 : DType.F32;
        this.channelsLast = channelsLast(options.precision());
        if (options.deviceIndex() < 0 || options.deviceIndex() >= CudaAvailability.deviceCount()) {
            throw new EngineUnavailableException("device cuda:" + options.deviceIndex() + " does not exist; this "
                    + "machine has " + CudaAvailability.deviceCount() + " GPU(s)");
        }
        this.ctx = new CudaContext(options.deviceIndex(), options.precision());
        try {
            plan(graph.batchSize());
        } catch (RuntimeException | ModelException e) {
            close();
            throw e;
        }
    }

    /** The layout for a precision: channels-last for tensor cores (tf32, fp16), NCHW for fp32, or as configured. */
    static boolean channelsLast(Precision p) {
        String layout = System.getProperty("senet4j.cuda.layout", "auto").toLowerCase(Locale.ROOT);
        return switch (layout) {
            case "nhwc" -> true;
            case "nchw" -> false;
            case "auto" -> p != Precision.FP32;
            default -> throw new IllegalArgumentException("senet4j.cuda.layout must be auto, nchw or nhwc, got "
                    + layout);
        };
    }

    @Override
    public String device() {
        return "cuda:" + ctx.device;
    }

    @Override
    public Graph graph() {
        return graph;
    }

    public Precision precision() {
        return options.precision();
    }

    private synchronized CudaPlan plan(int batch) throws ModelException {
        return plan(batch, true);
    }

    private synchronized CudaPlan plan(int batch, boolean fuseRelu) throws ModelException {
        if (closed) {
            throw new IllegalStateException("the engine is closed");
        }
        return plans.get(new PlanCache.Key(batch, fuseRelu), k -> {
            ctx.makeCurrent();
            return new CudaPlan(new PlanSpec(graph.withBatchSize(k.batch()), dtype, channelsLast, ctx.maxBlocks(),
                    k.fuseRelu()), ctx, weights, algorithms);
        });
    }

    @Override
    public synchronized Map<String, HostTensor> run(Map<String, HostTensor> inputs, List<String> requested)
            throws ModelException {
        int batch = inputs.isEmpty() ? graph.batchSize() : inputs.values().iterator().next().shape().dim(0);
        CudaPlan p = plan(batch);
        Graph g = p.spec.graph;
        RequestedValues.checkInputs(g, inputs);
        Map<String, String> want = DataDependentRows.request(g, RequestedValues.resolve(g, requested));
        if (want.values().stream().anyMatch(p.spec.fusedAway::contains)) {
            p = plan(batch, false); // an output that a fused ReLU overwrites is asked for: compute it on its own
        }
        Map<String, HostTensor> result = p.run(inputs, want, options.cudaGraphs());
        DataDependentRows.trim(g, want, result);
        return result;
    }

    /**
     * Times the device work of one run at {@code batch} alone, without the copies between Java arrays and the GPU
     * (the inputs of the last run stay on the device), with CUDA events; replays the CUDA graph when the engine uses
     * graphs.
     *
     * @return milliseconds of each timed run
     */
    @Override
    public synchronized double[] timeDevice(int batch, int warmup, int iterations) throws ModelException {
        return plan(batch).timeDevice(warmup, iterations, options.cudaGraphs());
    }

    /** The steps of the plan for {@code batch}, each with its mean time over {@code iterations} profiled runs. */
    public synchronized List<String> profile(int batch, int iterations) throws ModelException {
        CudaPlan p = plan(batch);
        double[] ms = p.profile(Math.max(1, iterations));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ms.length; i++) {
            Step s = p.spec.steps.get(i);
            out.add(String.format(Locale.ROOT, "%9.4f ms  %-40s %s", ms[i] / Math.max(1, iterations), s.layer(),
                    s.describe()));
        }
        return out;
    }

    /** The steps of the plan for {@code batch}, described (layer and what runs). */
    public synchronized List<String> steps(int batch) throws ModelException {
        return plan(batch).spec.steps.stream().map(s -> s.layer() + " [" + s.describe() + "]").toList();
    }

    /** The layers that fall back to the host (none for the SENets). */
    public synchronized List<String> hostFallbacks(int batch) throws ModelException {
        return plan(batch).spec.hostSteps().stream().map(s -> s.layer() + ": " + s.why()).toList();
    }

    /** A summary: GPU, libraries, precision, layout, memory of the plan for {@code batch}, CUDA graph state. */
    public synchronized String describe(int batch) throws ModelException {
        CudaPlan p = plan(batch);
        return String.format(Locale.ROOT, "%s; %s %s; weights %.1f MiB in %d buffers; batch %d: activations %.1f MiB "
                        + "(%.1f MiB unshared), workspace %.1f MiB, prepared in %d ms; CUDA graph: %s",
                ctx.describe(), options.precision(), channelsLast ? "NHWC" : "NCHW", weights.bytes() / 1048576.0,
                weights.count(), batch, p.arenaBytes() / 1048576.0, p.spec.unsharedBytes() / 1048576.0,
                p.workspaceBytes() / 1048576.0, p.prepareMillis(), p.graphNote());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        plans.clear();
        if (ctx != null) {
            ctx.makeCurrent();
            weights.close();
            ctx.close();
        }
    }
}
