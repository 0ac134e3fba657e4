package org.senet4j.engine.cuda;

import java.util.List;

/** A step made of launches of the engine's own kernels (pooling, SE excitation, element-wise ops, conversions). */
final class KernelStep implements Step {
    private final String layer;
    private final String what;
    private final List<DeviceValue> inputs;
    private final List<DeviceValue> outputs;
    private final List<KernelCall> calls;
    private final boolean inPlace;

    KernelStep(String layer, String what, List<DeviceValue> inputs, List<DeviceValue> outputs, List<KernelCall> calls,
               boolean inPlace) {
        this.layer = layer;
        this.what = what;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.calls = List.copyOf(calls);
        this.inPlace = inPlace;
    }

    @Override
    public String layer() {
        return layer;
    }

    @Override
    public String describe() {
        return what + " [" + String.join(", ", calls.stream().map(c -> c.kernel).toList()) + "]";
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
    public boolean inPlace() {
        return inPlace;
    }

    List<KernelCall> calls() {
        return calls;
    }

    @Override
    public void prepare(Resources r) {
        for (KernelCall c : calls) {
            for (Object a : c.args()) {
                if (a instanceof WeightRef w) {
                    w.resolve(r.weights);
                }
            }
            c.bind(r.ctx.kernels.function(c.kernel));
        }
    }

    @Override
    public void enqueue(CudaContext ctx) {
        for (KernelCall c : calls) {
            c.launch(ctx.stream, layer);
        }
    }

    @Override
    public void close() {
        calls.forEach(KernelCall::close);
    }
}
