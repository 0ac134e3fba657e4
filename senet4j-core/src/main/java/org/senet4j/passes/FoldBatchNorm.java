package org.senet4j.passes;

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
 * {@code a[c] bias[c] + b[c]}, computed in double precision. The folded layer's output takes the name of the chain's
 * last value.
 */
public final class FoldBatchNorm implements Pass {
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
        // The weight arithmetic, the costly part for large nets, runs on all cores.
        Map<Node, Op> folded = new ConcurrentHashMap<>();
        chains.entrySet().parallelStream().forEach(e -> folded.put(e.getKey(),
                fold(e.getKey().op(), e.getValue()[0], e.getValue()[1])));
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

    private static Op fold(Op op, double[] a, double[] b) {
        if (op instanceof Convolution c) {
            Tensor w = scaleRows(c.weight(), a);
            return c.with(w, bias(c.bias(), a, b), c.activation());
        }
        InnerProduct ip = (InnerProduct) op;
        Tensor w = ip.transpose() ? scaleColumns(ip.weight(), a) : scaleRows(ip.weight(), a);
        return ip.with(w, bias(ip.bias(), a, b), ip.activation());
    }

    /** Row {@code o} times {@code a[o]} (rounded to float as Caffe's arithmetic would be, from double). */
    private static Tensor scaleRows(Tensor w, double[] a) {
        float[] v = w.toArray(); // one bulk copy, then a loop the JIT vectorises
        int per = v.length / a.length;
        for (int o = 0; o < a.length; o++) {
            double f = a[o];
            for (int i = o * per, end = i + per; i < end; i++) {
                v[i] = (float) (v[i] * f);
            }
        }
        return Tensor.of(w.shape(), v);
    }

    private static Tensor scaleColumns(Tensor w, double[] a) {
        float[] v = w.toArray();
        int cols = a.length;
        for (int row = 0; row < v.length; row += cols) {
            for (int j = 0; j < cols; j++) {
                v[row + j] = (float) (v[row + j] * a[j]);
            }
        }
        return Tensor.of(w.shape(), v);
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
