package org.senet4j.engine;

import java.util.Objects;
import org.senet4j.ir.Shape;

/**
 * A float32 array in host memory with its shape, row-major (Caffe's N x C x H x W order). Inputs and outputs of
 * engines. The array is not copied: callers must not change it while an engine uses it.
 */
public record HostTensor(Shape shape, float[] data) {
    public HostTensor {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        if (data.length != shape.count()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.count() + " values, got "
                    + data.length);
        }
    }

    public static HostTensor zeros(Shape shape) {
        return new HostTensor(shape, new float[Math.toIntExact(shape.count())]);
    }
}
