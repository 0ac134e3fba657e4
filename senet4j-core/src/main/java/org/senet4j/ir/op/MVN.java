package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Caffe's mean-variance normalisation: over each channel's plane (or each sample's C x H x W when
 * {@code acrossChannels}), {@code y = x - mean}, then, with {@code normalizeVariance}, divided by
 * {@code sqrt(mean((x - mean)^2)) + eps}.
 */
public record MVN(boolean normalizeVariance, boolean acrossChannels, float eps) implements Op {
    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Checks.rank(inputs.get(0), 2, 8, "the input of MVN");
        return List.of(inputs.get(0));
    }
}
