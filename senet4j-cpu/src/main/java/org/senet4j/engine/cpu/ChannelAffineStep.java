package org.senet4j.engine.cpu;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * {@code y = a[c] x + b[c]} over channel axis 1 of an NHWC or N x C value, in Java: BatchNorm, Scale and Bias that
 * no pass could fold into a convolution. The coefficients are computed once from the op.
 */
final class ChannelAffineStep extends AbstractStep {
    private final Buf in;
    private final Buf out;
    private final float[] a;
    private final float[] b;

    ChannelAffineStep(String name, Buf in, Buf out, float[] a, float[] b) {
        super(name, List.of(in), List.of(out));
        this.in = in;
        this.out = out;
        this.a = a;
        this.b = b;
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
        FloatBuffer x = in.floats();
        FloatBuffer y = out.floats();
        int c = a.length;
        int n = in.count;
        for (int i = 0; i < n; i += c) {
            for (int ch = 0; ch < c; ch++) {
                y.put(i + ch, x.get(i + ch) * a[ch] + b[ch]);
            }
        }
    }

    @Override
    public String describe() {
        return name + " [channel affine]";
    }
}
