package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Caffe's BatchNorm with {@code use_global_stats: false}: normalises with the statistics of the batch being run, per
 * channel (axis 1; one channel for a 1-D input): {@code y = (x - mean) / sqrt(var + eps)} with {@code mean} and the
 * biased {@code var = mean((x - mean)^2)} taken over the batch and every axis after the channels. The stored
 * statistics take no part (Caffe updates them as a side effect, which does not change the output), so the op has no
 * weights; the importer still checks the layer's three blobs as Caffe does. The output of one sample depends on the
 * others in its batch.
 */
public record BatchStatNorm(float eps) implements Op {

    public BatchStatNorm {
        if (!(eps > 0)) {
            throw new IllegalArgumentException("eps must be positive, got " + eps);
        }
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Checks.rank(inputs.get(0), 1, 8, "the input of BatchNorm");
        return List.of(inputs.get(0));
    }
}
