package org.senet4j.passes;

import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.InnerProduct;

/**
 * A diagnostic, not an inference pass (not in {@link Passes#all()}): rounds to bf16 the weights that the CPU engine's
 * bf16 plan rounds, those of convolutions and inner products whose input is 4-D with more than one position per
 * plane, and keeps them as float32 values, so that an fp32 engine runs the net with only that rounding. Biases and
 * the weights of the SE excitation and classifier (one position per plane) stay as they are. Run it after the
 * BatchNorm fold, as the bf16 plan rounds the folded weights ({@code verify --bf16-weights}).
 */
public final class RoundWeightsToBf16 implements Pass {
    @Override
    public String name() {
        return "round-weights-bf16";
    }

    @Override
    public String description() {
        return "round the weights a bf16 plan stores in bf16 to bf16 values (a diagnostic)";
    }

    @Override
    public Graph apply(Graph g) throws ModelException {
        Rewrite r = new Rewrite(g);
        boolean changed = false;
        for (Node n : g.nodes()) {
            boolean large = !n.inputs().isEmpty() && storedInBf16(g.shape(n.inputs().get(0)));
            if (large && n.op() instanceof Convolution c) {
                r.add(n.withOp(c.with(rounded(c.weight()), c.bias(), c.activation())));
                changed = true;
            } else if (large && n.op() instanceof InnerProduct ip) {
                r.add(n.withOp(ip.with(rounded(ip.weight()), ip.bias(), ip.activation())));
                changed = true;
            } else {
                r.add(n);
            }
        }
        return changed ? r.build() : g;
    }

    /**
     * 4-D with more than one position per plane: the CPU engine's rule for a value its bf16 plan stores in bf16 (and
     * for the convolutions and inner products whose weights it rounds), kept here so that the plan and this pass share
     * it.
     */
    public static boolean storedInBf16(Shape s) {
        return s.rank() == 4 && (long) s.dim(2) * s.dim(3) > 1;
    }

    private static Tensor rounded(Tensor t) {
        float[] v = t.toArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = toBf16(v[i]);
        }
        return Tensor.of(t.shape(), v);
    }

    /**
     * The bf16 value nearest to {@code f} (ties to even: oneDNN's conversion), as a float: the upper 16 bits of the
     * rounded float. Infinities stay; a NaN stays a NaN; a value rounding past the largest bf16 becomes infinite.
     */
    public static float toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return Float.intBitsToFloat((bits | 0x00400000) & 0xFFFF0000); // quiet, and still a NaN after truncation
        }
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(rounded & 0xFFFF0000);
    }
}
