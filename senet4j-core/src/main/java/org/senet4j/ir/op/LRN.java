package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Caffe's local response normalisation of an N x C x H x W input. ACROSS_CHANNELS:
 * {@code y = x (k + alpha/size * sum x^2)^-beta} with the sum over channels {@code [c - (size-1)/2, c - (size-1)/2 +
 * size)} (zero outside). WITHIN_CHANNEL: {@code y = x (1 + alpha/size^2 * sum x^2)^-beta} with the sum over a
 * {@code size x size} window centred on the pixel (zero padded); {@code k} is not used there.
 */
public record LRN(int localSize, float alpha, float beta, float k, Region region) implements Op {
    public enum Region { ACROSS_CHANNELS, WITHIN_CHANNEL }

    public LRN {
        Checks.positive(localSize, "localSize");
        if (region == null) {
            throw new IllegalArgumentException("region");
        }
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Checks.rank(inputs.get(0), 4, 4, "the input of LRN");
        if (localSize % 2 == 0 && region == Region.WITHIN_CHANNEL) {
            throw ModelException.field("lrn_param.local_size", "must be odd for WITHIN_CHANNEL, got " + localSize);
        }
        return List.of(inputs.get(0));
    }
}
