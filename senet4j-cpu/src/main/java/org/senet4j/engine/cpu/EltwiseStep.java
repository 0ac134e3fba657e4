package org.senet4j.engine.cpu;

import java.nio.FloatBuffer;
import java.util.List;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.Eltwise;

/**
 * Caffe's Eltwise (SUM with coefficients, PROD, MAX) over inputs of one shape and layout, in Java, with an optional
 * fused activation.
 */
final class EltwiseStep extends AbstractStep {
    private final Eltwise op;
    private final List<Buf> in;
    private final Buf out;
    private final Activation act;

    EltwiseStep(String name, Eltwise op, List<Buf> in, Buf out, Activation act) {
        super(name, in, List.of(out));
        this.op = op;
        this.in = List.copyOf(in);
        this.out = out;
        this.act = act;
    }

    @Override
    public boolean inPlace() {
        return true;
    }

    @Override
    public void bind(Dnnl d) {
    }

    @Override
    public boolean isPrimitive() {
        return false;
    }

    @Override
    public void run(Dnnl d) {
        FloatBuffer y = out.floats();
        FloatBuffer x0 = in.get(0).floats();
        int n = out.count;
        int k = in.size();
        switch (op.operation()) {
            case SUM -> {
                float c0 = op.coefficient(0);
                for (int i = 0; i < n; i++) {
                    float s = c0 * x0.get(i);
                    for (int j = 1; j < k; j++) {
                        s += op.coefficient(j) * in.get(j).floats().get(i);
                    }
                    y.put(i, act.apply(s));
                }
            }
            case PROD -> {
                for (int i = 0; i < n; i++) {
                    float s = x0.get(i);
                    for (int j = 1; j < k; j++) {
                        s *= in.get(j).floats().get(i);
                    }
                    y.put(i, act.apply(s));
                }
            }
            case MAX -> {
                for (int i = 0; i < n; i++) {
                    float s = x0.get(i);
                    for (int j = 1; j < k; j++) {
                        s = Math.max(s, in.get(j).floats().get(i));
                    }
                    y.put(i, act.apply(s));
                }
            }
        }
    }

    @Override
    public String describe() {
        return name + " [eltwise " + op.operation() + "]";
    }
}
