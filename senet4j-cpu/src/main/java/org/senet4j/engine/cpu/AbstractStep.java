package org.senet4j.engine.cpu;

import java.util.List;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.primitive;

/** What every step has: its node's name and buffers; for oneDNN steps, the primitive and its arguments. */
abstract class AbstractStep implements Step {
    final String name;
    private final List<Buf> inputs;
    private final List<Buf> outputs;
    /** Set by {@link #bind} in oneDNN steps; Java steps override {@link #run} instead. */
    primitive prim;
    IntMemoryMap args;

    AbstractStep(String name, List<Buf> inputs, List<Buf> outputs) {
        this.name = name;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
    }

    @Override
    public final List<Buf> inputs() {
        return inputs;
    }

    @Override
    public final List<Buf> outputs() {
        return outputs;
    }

    @Override
    public void run(Dnnl d) {
        prim.execute(d.stream, args);
    }
}
