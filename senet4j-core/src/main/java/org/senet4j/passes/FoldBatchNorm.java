package org.senet4j.passes;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Set;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.BatchNorm;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.InnerProduct;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.Scale;

/**
 * Folds BatchNorm (its scale factor and eps included) and one-input per-channel Scale layers into the Convolution or
 * InnerProduct that feeds them, when that layer's output feeds nothing else. With per-channel
 * {@code y = a[c] x + b[c]} for the folded chain, the new weight is {@code a[c] W[c]} and the new bias
 * {@code a[c] bias[c] + b[c]}: {@code a} and {@code b} and the new bias computed in double precision, the new weight as
 * float products of each weight and its {@code a[c]} rounded to float (one rounding more than a double product would
 * have, at most one unit in the last place; a loop the JIT vectorises, where a float-double-float product runs a
 * conversion chain on JDK 17 at about 2 ns a value). The folded layer's output takes the name of the chain's
 * last value.
 *
 * <p>By default the new weights are computed when the pass runs, on all cores. A {@link #deferred() deferred} fold
 * gives them as {@link Tensor#computed computed} tensors instead, each chunk scaled from the original weights when it is
 * read: a writer that streams them (the ONNX export) reads each original weight once and holds no folded copy. The
 * values are the same either way.
 */
public final class FoldBatchNorm implements Pass {
    /** Values scaled per chunk by a deferred fold (256 KB of floats: the chunk stays in the core's cache). */
    private static final int CHUNK = 1 << 16;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[CHUNK]);

    private final boolean deferred;

    public FoldBatchNorm() {
        this(false);
    }

    private FoldBatchNorm(boolean deferred) {
        this.deferred = deferred;
    }

    /** The fold with its weights computed on demand ({@link Tensor#computed}); the same values as the default. */
    public static FoldBatchNorm deferred() {
        return new FoldBatchNorm(true);
    }

    @Override
    public String name() {
        return "fold-batchnorm";
    }

    @Override
    public String description() {
        return "fold BatchNorm and Scale into the preceding Convolution or InnerProduct";
    }

    @Override
    public Graph apply(Graph g) throws ModelException {
        if (!g.hasWeights()) {
            return g;
        }
        Rewrite r = new Rewrite(g);
        Set<Node> absorbed = new HashSet<>();
        Map<Node, double[][]> chains = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (absorbed.contains(n) || !(n.op() instanceof Convolution || n.op() instanceof InnerProduct)) {
                continue;
            }
            int channels = n.op() instanceof Convolution c ? c.numOutput() : ((InnerProduct) n.op()).numOutput();
            double[] a = null;
            double[] b = null;
            String out = n.outputs().get(0);
            while (true) {
                Node next = soleConsumer(g, out);
                if (next == null || !foldable(g, next, n.op(), out)) {
                    break;
                }
                double[][] ab = affine(next.op(), channels);
                if (a == null) {
                    a = ab[0];
                    b = ab[1];
                } else {
                    for (int i = 0; i < channels; i++) {
                        a[i] *= ab[0][i];
                        b[i] = b[i] * ab[0][i] + ab[1][i];
                    }
                }
                absorbed.add(next);
                r.rename(out, next.outputs().get(0));
                out = next.outputs().get(0);
            }
            if (a != null) {
                chains.put(n, new double[][] {a, b});
            }
        }
        if (chains.isEmpty()) {
            return g;
        }
        // The weight arithmetic, the costly part for large nets, runs on all cores (or when the weights are read).
        Map<Node, Op> folded = new ConcurrentHashMap<>();
        (deferred ? chains.entrySet().stream() : chains.entrySet().parallelStream()).forEach(e -> folded.put(
                e.getKey(), fold(e.getKey().op(), e.getValue()[0], e.getValue()[1], deferred)));
        for (Node n : g.nodes()) {
            if (!absorbed.contains(n)) {
                r.add(folded.containsKey(n) ? n.withOp(folded.get(n)) : n);
            }
        }
        return r.build();
    }

    private static Node soleConsumer(Graph g, String value) {
        List<Node> c = g.consumers(value);
        if (c.size() != 1 || g.outputs().contains(value)) {
            return null;
        }
        return c.get(0);
    }

    /** Whether {@code next} is a per-channel affine layer over the channels of {@code producer}'s output. */
    private static boolean foldable(Graph g, Node next, Op producer, String value) {
        Shape s = g.shape(value);
        if (s.rank() < 2) {
            return false;
        }
        if (producer instanceof InnerProduct ip && (ip.axis() != 1 || s.rank() != 2)) {
            return false;
        }
        if (next.op() instanceof BatchNorm) {
            return true;
        }
        return next.op() instanceof Scale sc && !sc.twoInputs() && sc.axis() == 1 && sc.scale().shape().rank() == 1
                && sc.scale().count() == s.dim(1);
    }

    /** Per-channel {a, b} of y = a x + b for a BatchNorm or one-input Scale. */
    private static double[][] affine(Op op, int channels) {
        if (op instanceof BatchNorm bn) {
            return bn.affine();
        }
        Scale sc = (Scale) op;
        double[] a = new double[channels];
        double[] b = new double[channels];
        for (int i = 0; i < channels; i++) {
            a[i] = sc.scale().get(i);
            b[i] = sc.bias() == null ? 0 : sc.bias().get(i);
        }
        return new double[][] {a, b};
    }

    private static Op fold(Op op, double[] a, double[] b, boolean deferred) {
        if (op instanceof Convolution c) {
            return c.with(scaled(c.weight(), a, false, deferred), bias(c.bias(), a, b), c.activation());
        }
        InnerProduct ip = (InnerProduct) op;
        return ip.with(scaled(ip.weight(), a, ip.transpose(), deferred), bias(ip.bias(), a, b), ip.activation());
    }

    /**
     * {@code w} with row {@code o} (or, for {@code columns}, column {@code o}) times {@code a[o]} rounded to float:
     * now (one bulk copy, then the scaling loop) or, when {@code deferred}, chunk by chunk when read, with the same
     * products.
     */
    private static Tensor scaled(Tensor w, double[] a, boolean columns, boolean deferred) {
        long per = w.count() / a.length;
        float[] factors = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            factors[i] = (float) a[i];
        }
        if (!deferred) {
            float[] v = w.toArray();
            scale(v, v.length, 0, factors, per, columns);
            return Tensor.of(w.shape(), v);
        }
        return Tensor.computed(w.shape(), (from, dst) -> {
            int start = dst.position();
            w.fill(from, dst);
            FloatBuffer f = dst.slice(start, dst.position() - start).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] v = SCRATCH.get();
            long at = from;
            for (int done = 0, total = f.remaining(); done < total; ) {
                int n = Math.min(v.length, total - done);
                f.get(done, v, 0, n);
                scale(v, n, at, factors, per, columns);
                f.put(done, v, 0, n);
                done += n;
                at += n;
            }
        });
    }

    /**
     * Scales {@code v[0..n)}, the weight's values from index {@code at} on: rows of {@code per} values times
     * {@code factors[row]}, or, for {@code columns}, rows of {@code factors.length} values times
     * {@code factors[column]}.
     */
    private static void scale(float[] v, int n, long at, float[] factors, long per, boolean columns) {
        int i = 0;
        if (columns) {
            int cols = factors.length;
            for (int j = (int) (at % cols); i < n; j = 0) {
                for (int end = Math.min(n, i + cols - j); i < end; i++, j++) {
                    v[i] *= factors[j];
                }
            }
            return;
        }
        while (i < n) {
            long row = (at + i) / per;
            int end = (int) Math.min(n, (row + 1) * per - at);
            float f = factors[(int) row];
            for (; i < end; i++) {
                v[i] *= f;
            }
        }
    }

    private static Tensor bias(Tensor old, double[] a, double[] b) {
        float[] v = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            double o = old == null ? 0 : old.get(i);
            v[i] = (float) (a[i] * o + b[i]);
        }
        return Tensor.of(Shape.of(a.length), v);
    }
}
