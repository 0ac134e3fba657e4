package org.senet4j.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * Caffe's BatchNorm at inference, over axis 1 of the input: {@code y = (x - mean[c]/s) / sqrt(variance[c]/s + eps)}
 * with {@code s} the single value of {@code scaleFactor} (both divided terms are 0 when {@code s} is 0). No affine part:
 * a following Scale layer brings gamma and beta. Only the stored statistics are supported (use_global_stats).
 */
public record BatchNorm(float eps, Tensor mean, Tensor variance, Tensor scaleFactor) implements Op {

    public BatchNorm {
        if (mean == null || variance == null || scaleFactor == null) {
            throw new IllegalArgumentException("BatchNorm needs mean, variance and scale factor tensors");
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("eps must be positive, got " + eps);
        }
    }

    public static Shape statisticsShape(Shape input) {
        return Shape.of(input.rank() > 1 ? input.dim(1) : 1);
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        Checks.rank(in, 1, 8, "the input of BatchNorm");
        Shape stats = statisticsShape(in);
        Checks.weight(mean, stats, "blobs[0] (mean)");
        Checks.weight(variance, stats, "blobs[1] (variance)");
        Checks.weight(scaleFactor, Shape.of(1), "blobs[2] (scale factor)");
        return List.of(in);
    }

    /** The multiplier of the stored statistics: 1/s, or 0 when s is 0 (Caffe's rule). */
    public float statisticsMultiplier() {
        float s = scaleFactor.get(0);
        return s == 0f ? 0f : 1f / s;
    }

    /** Per-channel {@code a, b} with {@code y = a x + b}, computed in double precision. */
    public double[][] affine() {
        float m = statisticsMultiplier();
        int c = (int) mean.count();
        double[] a = new double[c];
        double[] b = new double[c];
        for (int i = 0; i < c; i++) {
            double mu = (double) (mean.get(i) * m);
            double var = (double) (variance.get(i) * m);
            a[i] = 1.0 / Math.sqrt(var + eps);
            b[i] = -mu * a[i];
        }
        return new double[][] {a, b};
    }

    @Override
    public Map<String, Tensor> weights() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("mean", mean);
        m.put("variance", variance);
        m.put("scale_factor", scaleFactor);
        return m;
    }

    @Override
    public long parameterCount() {
        return 0;
    }

    @Override
    public BatchNorm withWeights(Map<String, Tensor> w) {
        return new BatchNorm(eps, Checks.replace(w, "mean", mean), Checks.replace(w, "variance", variance),
                Checks.replace(w, "scale_factor", scaleFactor));
    }
}
