package org.senet4j.engine.cuda;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;
import org.senet4j.engine.ref.ReferenceKernels;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Op;

/**
 * The fallback for ops without a device kernel (LRN, MVN, uncommon axes and layouts): the inputs are converted to
 * float32 in logical order on the device, copied to the host, computed with {@link ReferenceKernels} (the semantic
 * definition), copied back and converted to the value's type and layout. Correct but slow, and it synchronises the
 * stream, so a plan with such a step is not captured as a CUDA graph.
 */
final class HostStep implements Step {
    private final String layer;
    private final Op op;
    private final List<DeviceValue> inputs;
    private final List<DeviceValue> outputs;
    private final Launches launches;
    private final String why;
    private DeviceBuffer scratch;
    private FloatPointer host;
    private final List<KernelCall> toScratch = new ArrayList<>();
    private final List<KernelCall> fromScratch = new ArrayList<>();

    HostStep(String layer, Op op, List<DeviceValue> inputs, List<DeviceValue> outputs, Launches launches, String why) {
        this.layer = layer;
        this.op = op;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.launches = launches;
        this.why = why;
    }

    @Override
    public String layer() {
        return layer;
    }

    @Override
    public String describe() {
        return "host fallback " + op.opName() + " (" + why + ")";
    }

    Op op() {
        return op;
    }

    String why() {
        return why;
    }

    @Override
    public List<DeviceValue> inputs() {
        return inputs;
    }

    @Override
    public List<DeviceValue> outputs() {
        return outputs;
    }

    @Override
    public boolean capturable() {
        return false;
    }

    @Override
    public void prepare(Resources r) {
        long max = 1;
        for (DeviceValue v : inputs) {
            max = Math.max(max, v.count());
        }
        for (DeviceValue v : outputs) {
            max = Math.max(max, v.count());
        }
        scratch = DeviceBuffer.allocate(4 * max, "host fallback of " + layer);
        host = new FloatPointer(max);
        for (DeviceValue v : inputs) {
            KernelCall c = launches.relayout(scratch, DType.F32, v.dims4(), false, v, v.dtype, v.dims4(), v.nhwc,
                    v.count());
            c.bind(r.ctx.kernels.function(c.kernel));
            toScratch.add(c);
        }
        for (DeviceValue v : outputs) {
            KernelCall c = launches.relayout(v, v.dtype, v.dims4(), v.nhwc, scratch, DType.F32, v.dims4(), false,
                    v.count());
            c.bind(r.ctx.kernels.function(c.kernel));
            fromScratch.add(c);
        }
    }

    @Override
    public void enqueue(CudaContext ctx) {
        List<float[]> in = new ArrayList<>();
        List<Shape> inShapes = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            DeviceValue v = inputs.get(i);
            toScratch.get(i).launch(ctx.stream, layer);
            Cuda.check(cudart.cudaMemcpyAsync(host, scratch.ptr(), 4 * v.count(), cudart.cudaMemcpyDeviceToHost,
                    ctx.stream), "cudaMemcpyAsync (host fallback input)", layer);
            ctx.sync(layer + " (host fallback)");
            float[] a = new float[Math.toIntExact(v.count())];
            host.get(a);
            in.add(a);
            inShapes.add(v.shape);
        }
        List<float[]> out;
        try {
            out = ReferenceKernels.run(op, inShapes, in, outputs.stream().map(v -> v.shape).toList());
        } catch (IllegalArgumentException e) { // input values the op refuses (an Embed index past its table)
            throw new IllegalArgumentException("layer \"" + layer + "\": " + e.getMessage(), e);
        }
        for (int i = 0; i < outputs.size(); i++) {
            DeviceValue v = outputs.get(i);
            host.put(out.get(i));
            Cuda.check(cudart.cudaMemcpyAsync(scratch.ptr(), host, 4 * v.count(), cudart.cudaMemcpyHostToDevice,
                    ctx.stream), "cudaMemcpyAsync (host fallback output)", layer);
            fromScratch.get(i).launch(ctx.stream, layer);
            ctx.sync(layer + " (host fallback)");
        }
    }

    @Override
    public void close() {
        toScratch.forEach(KernelCall::close);
        fromScratch.forEach(KernelCall::close);
        if (scratch != null) {
            scratch.close();
            host.close();
            scratch = null;
        }
    }
}
