package org.senet4j.engine.cuda;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;
import org.senet4j.ModelException;
import org.senet4j.engine.HostTensor;

/**
 * A {@link PlanSpec} made real on one GPU: one allocation for all activations (the planned arena), a staging buffer
 * for converted inputs and outputs, page-locked host memory for the copies, the convolution workspace (searched with a
 * large one, then sized to what the chosen algorithms need), and every step prepared. A run copies the inputs in,
 * enqueues the steps (or replays them as one CUDA graph, captured after the first run when asked for) and copies the
 * outputs out; nothing returns to the host in between, except for host-fallback steps and for intermediate values
 * asked for by name (then the run is not replayed from a graph and each such value is copied out as soon as it is
 * computed, before later steps may reuse its memory).
 */
final class CudaPlan implements AutoCloseable {
    final PlanSpec spec;
    private final CudaContext ctx;
    private final DeviceBuffer arena;
    private final DeviceBuffer staging;
    private final BufferHolder workspace = new BufferHolder("the convolution workspace");
    private final PinnedBuffer pinned;
    private final Map<String, Long> pinnedInput = new LinkedHashMap<>();
    private final Map<String, Long> pinnedOutput = new LinkedHashMap<>();
    private final boolean capturable;
    private CUgraph_st cudaGraph;
    private CUgraphExec_st graphExec;
    private boolean warm;
    private String graphNote = "not captured";
    private long prepareMillis;

    CudaPlan(PlanSpec spec, CudaContext ctx, WeightStore weights, Map<String, ConvStep.Choice> algorithms) {
        long t0 = System.nanoTime();
        this.spec = spec;
        this.ctx = ctx;
        ctx.makeCurrent();
        DeviceBuffer a = null;
        DeviceBuffer s = null;
        PinnedBuffer p = null;
        try {
            a = DeviceBuffer.allocate(spec.arenaBytes, "activations of " + spec.graph.name() + " (batch "
                    + spec.graph.batchSize() + ")");
            Cuda.check(cudart.cudaMemset(a.ptr(), 0, Math.max(1, spec.arenaBytes)), "cudaMemset (activations)");
            for (DeviceValue r : spec.roots) {
                r.deviceAddress = a.address() + r.offset;
            }
            s = DeviceBuffer.allocate(spec.stagingBytes, "input/output conversions");
            spec.stagingBase[0] = s.address();
            long off = 0;
            for (String in : spec.graph.inputs()) {
                pinnedInput.put(in, off);
                off += spec.values.get(in).count();
            }
            for (String out : spec.graph.outputs()) {
                if (spec.values.containsKey(out) && !pinnedOutput.containsKey(out)) {
                    pinnedOutput.put(out, off);
                    off += spec.values.get(out).count();
                }
            }
            p = new PinnedBuffer(4 * off, "input and output copies");
        } catch (RuntimeException e) {
            if (a != null) {
                a.close();
            }
            if (s != null) {
                s.close();
            }
            throw e;
        }
        arena = a;
        staging = s;
        pinned = p;
        try {
            Resources r = new Resources(ctx, weights, algorithms, workspace, spec.dtype, spec.channelsLast);
            for (Step st : spec.steps) {
                st.prepare(r);
            }
            long ws = 0;
            for (Step st : spec.steps) {
                ws = Math.max(ws, st.workspaceBytes());
            }
            ctx.sync("preparing the plan");
            workspace.set(ws);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        capturable = spec.steps.stream().allMatch(Step::capturable);
        if (!capturable) {
            graphNote = "not capturable: host fallback in " + spec.hostSteps().stream().map(Step::layer).toList();
        }
        prepareMillis = (System.nanoTime() - t0) / 1_000_000;
    }

    long arenaBytes() {
        return spec.arenaBytes;
    }

    long workspaceBytes() {
        return workspace.bytes();
    }

    long prepareMillis() {
        return prepareMillis;
    }

    String graphNote() {
        return graphNote;
    }

    private void enqueueAll() {
        for (Step s : spec.steps) {
            s.enqueue(ctx);
        }
    }

    /**
     * Runs the plan.
     *
     * @param want requested name to value name (see {@link org.senet4j.engine.RequestedValues#resolve})
     * @param useGraph replay a CUDA graph when nothing but graph outputs is asked for
     */
    Map<String, HostTensor> run(Map<String, HostTensor> inputs, Map<String, String> want, boolean useGraph)
            throws ModelException {
        ctx.makeCurrent();
        Map<Integer, List<String>> early = new HashMap<>();
        for (String v : want.values()) {
            if (spec.fusedAway.contains(v)) {
                throw new IllegalStateException("value \"" + v + "\" is overwritten by a fused ReLU in this plan; the "
                        + "engine runs an unfused plan for it");
            }
            if (!spec.graph.inputs().contains(v) && !pinnedOutput.containsKey(v)) {
                early.computeIfAbsent(spec.producedAt.getOrDefault(v, -1), k -> new ArrayList<>()).add(v);
            }
        }
        for (Map.Entry<String, Long> e : pinnedInput.entrySet()) {
            String name = e.getKey();
            DeviceValue v = spec.values.get(name);
            pinned.put(e.getValue(), inputs.get(name).data());
            Long st = spec.inputStaging.get(name);
            long dst = st != null ? staging.address() + st : v.ptr();
            Cuda.check(cudart.cudaMemcpyAsync(DevicePtr.of(dst), DevicePtr.of(pinned.address() + 4 * e.getValue()),
                    4 * v.count(), cudart.cudaMemcpyHostToDevice, ctx.stream), "cudaMemcpyAsync (input " + name + ")");
        }
        Map<String, float[]> got = new HashMap<>();
        if (early.isEmpty()) {
            if (useGraph && capturable && warm && graphExec == null) {
                capture();
            }
            if (useGraph && graphExec != null) {
                Cuda.check(cudart.cudaGraphLaunch(graphExec, ctx.stream), "cudaGraphLaunch");
            } else {
                enqueueAll();
            }
        } else {
            for (String v : early.getOrDefault(-1, List.of())) {
                got.put(v, download(spec.values.get(v)));
            }
            for (int i = 0; i < spec.steps.size(); i++) {
                spec.steps.get(i).enqueue(ctx);
                for (String v : early.getOrDefault(i, List.of())) {
                    got.put(v, download(spec.values.get(v)));
                }
            }
        }
        for (String v : want.values()) {
            Long off = pinnedOutput.get(v);
            if (off != null && !got.containsKey(v)) {
                DeviceValue dv = spec.values.get(v);
                Long st = spec.outputStaging.get(v);
                long src = st != null ? staging.address() + st : dv.ptr();
                Cuda.check(cudart.cudaMemcpyAsync(DevicePtr.of(pinned.address() + 4 * off), DevicePtr.of(src),
                        4 * dv.count(), cudart.cudaMemcpyDeviceToHost, ctx.stream), "cudaMemcpyAsync (output " + v + ")");
            }
        }
        ctx.sync("run of " + spec.graph.name());
        warm = true;
        Map<String, HostTensor> result = new LinkedHashMap<>();
        for (Map.Entry<String, String> w : want.entrySet()) {
            String v = w.getValue();
            if (spec.graph.inputs().contains(v)) {
                HostTensor t = inputs.get(v);
                result.put(w.getKey(), new HostTensor(t.shape(), t.data().clone()));
                continue;
            }
            float[] data = got.get(v);
            DeviceValue dv = spec.values.get(v);
            if (data == null) {
                data = new float[Math.toIntExact(dv.count())];
                pinned.get(pinnedOutput.get(v), data);
                got.put(v, data);
            }
            result.put(w.getKey(), new HostTensor(dv.shape, data));
        }
        return result;
    }

    /** Copies one value out now, as float32 in logical order (waits for the stream). */
    private float[] download(DeviceValue v) {
        float[] out = new float[Math.toIntExact(v.count())];
        try (FloatPointer host = new FloatPointer(Math.max(1, out.length))) {
            if (v.dtype == DType.F32 && !v.nhwc) {
                Cuda.check(cudart.cudaMemcpyAsync(host, DevicePtr.of(v.ptr()), 4 * v.count(),
                        cudart.cudaMemcpyDeviceToHost, ctx.stream), "cudaMemcpyAsync (value " + v.name + ")");
            } else {
                try (DeviceBuffer tmp = DeviceBuffer.allocate(4 * v.count(), "copy of " + v.name);
                     KernelCall c = spec.launches.relayout(tmp, DType.F32, v.dims4(), false, v, v.dtype, v.dims4(),
                             v.nhwc, v.count())) {
                    c.bind(ctx.kernels.function(c.kernel));
                    c.launch(ctx.stream, v.name);
                    Cuda.check(cudart.cudaMemcpyAsync(host, tmp.ptr(), 4 * v.count(), cudart.cudaMemcpyDeviceToHost,
                            ctx.stream), "cudaMemcpyAsync (value " + v.name + ")");
                    ctx.sync("copy of " + v.name);
                }
            }
            ctx.sync("copy of " + v.name);
            host.get(out);
        }
        return out;
    }

    /** Captures the steps as a CUDA graph; on failure runs stay uncaptured and {@link #graphNote} says why. */
    private void capture() {
        CUgraph_st g = new CUgraph_st();
        int rc = cudart.cudaStreamBeginCapture(ctx.stream, cudart.cudaStreamCaptureModeThreadLocal);
        if (rc != cudart.cudaSuccess) {
            cudart.cudaGetLastError();
            graphNote = "capture refused: cudaStreamBeginCapture returned " + rc;
            return;
        }
        RuntimeException failed = null;
        try {
            enqueueAll();
        } catch (RuntimeException e) {
            failed = e;
        }
        rc = cudart.cudaStreamEndCapture(ctx.stream, g);
        if (failed != null || rc != cudart.cudaSuccess) {
            cudart.cudaGetLastError();
            if (!g.isNull()) {
                cudart.cudaGraphDestroy(g);
            }
            graphNote = "capture failed: " + (failed != null ? failed.getMessage() : "cudaStreamEndCapture returned "
                    + rc);
            return;
        }
        CUgraphExec_st exec = new CUgraphExec_st();
        rc = cudart.cudaGraphInstantiate(exec, g, 0L);
        if (rc != cudart.cudaSuccess) {
            cudart.cudaGetLastError();
            cudart.cudaGraphDestroy(g);
            graphNote = "cudaGraphInstantiate returned " + rc;
            return;
        }
        cudaGraph = g;
        graphExec = exec;
        graphNote = "captured (" + spec.steps.size() + " steps)";
    }

    /**
     * Times the device work alone (the inputs already on the device, nothing copied): {@code iterations} runs after
     * {@code warmup}, each timed with CUDA events, as replays of the CUDA graph when {@code useGraph}.
     *
     * @return milliseconds per run
     */
    double[] timeDevice(int warmup, int iterations, boolean useGraph) {
        ctx.makeCurrent();
        if (useGraph && capturable && graphExec == null) {
            enqueueAll();
            ctx.sync("warm-up");
            capture();
        }
        boolean graph = useGraph && graphExec != null;
        for (int i = 0; i < warmup; i++) {
            launchOnce(graph);
        }
        ctx.sync("warm-up");
        CUevent_st start = new CUevent_st();
        CUevent_st stop = new CUevent_st();
        Cuda.check(cudart.cudaEventCreate(start), "cudaEventCreate");
        Cuda.check(cudart.cudaEventCreate(stop), "cudaEventCreate");
        try {
            double[] ms = new double[iterations];
            float[] t = new float[1];
            for (int i = 0; i < iterations; i++) {
                Cuda.check(cudart.cudaEventRecord(start, ctx.stream), "cudaEventRecord");
                launchOnce(graph);
                Cuda.check(cudart.cudaEventRecord(stop, ctx.stream), "cudaEventRecord");
                Cuda.check(cudart.cudaEventSynchronize(stop), "cudaEventSynchronize");
                Cuda.check(cudart.cudaEventElapsedTime(t, start, stop), "cudaEventElapsedTime");
                ms[i] = t[0];
            }
            return ms;
        } finally {
            cudart.cudaEventDestroy(start);
            cudart.cudaEventDestroy(stop);
        }
    }

    /**
     * Times every step on its own (events around each, no graph), for profiles.
     *
     * @return milliseconds per step, summed over {@code iterations} runs
     */
    double[] profile(int iterations) {
        ctx.makeCurrent();
        int n = spec.steps.size();
        CUevent_st[] ev = new CUevent_st[n + 1];
        for (int i = 0; i <= n; i++) {
            ev[i] = new CUevent_st();
            Cuda.check(cudart.cudaEventCreate(ev[i]), "cudaEventCreate");
        }
        try {
            double[] ms = new double[n];
            float[] t = new float[1];
            for (int it = 0; it < iterations; it++) {
                Cuda.check(cudart.cudaEventRecord(ev[0], ctx.stream), "cudaEventRecord");
                for (int i = 0; i < n; i++) {
                    spec.steps.get(i).enqueue(ctx);
                    Cuda.check(cudart.cudaEventRecord(ev[i + 1], ctx.stream), "cudaEventRecord");
                }
                Cuda.check(cudart.cudaEventSynchronize(ev[n]), "cudaEventSynchronize");
                for (int i = 0; i < n; i++) {
                    Cuda.check(cudart.cudaEventElapsedTime(t, ev[i], ev[i + 1]), "cudaEventElapsedTime");
                    ms[i] += t[0];
                }
            }
            return ms;
        } finally {
            for (CUevent_st e : ev) {
                cudart.cudaEventDestroy(e);
            }
        }
    }

    private void launchOnce(boolean graph) {
        if (graph) {
            Cuda.check(cudart.cudaGraphLaunch(graphExec, ctx.stream), "cudaGraphLaunch");
        } else {
            enqueueAll();
        }
    }

    @Override
    public void close() {
        cudart.cudaSetDevice(ctx.device);
        cudart.cudaStreamSynchronize(ctx.stream);
        if (graphExec != null) {
            cudart.cudaGraphExecDestroy(graphExec);
            cudart.cudaGraphDestroy(cudaGraph);
            graphExec = null;
        }
        for (Step s : spec.steps) {
            try {
                s.close();
            } catch (RuntimeException e) {
                // keep closing the rest
            }
        }
        workspace.close();
        if (pinned != null) {
            pinned.close();
        }
        staging.close();
        arena.close();
        for (DeviceValue r : spec.roots) {
            r.deviceAddress = 0;
        }
        spec.stagingBase[0] = 0;
    }
}
