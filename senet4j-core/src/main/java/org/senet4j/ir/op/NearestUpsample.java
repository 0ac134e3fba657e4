package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * The YOLOv3 forks' single-input Upsample (eric612/MobileNet-YOLO, {@code upsample_param.scale}): nearest-neighbour
 * enlargement of an N x C x H x W input by an integer factor, {@code y[n, c, i, j] = x[n, c, i / scale, j / scale]}
 * (integer division), output N x C x (H scale) x (W scale). Scale 1 copies the input.
 */
public record NearestUpsample(int scale) implements Op {
    public NearestUpsample {
        Checks.positive(scale, "scale");
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        Checks.rank(in, 4, 4, "the input of Upsample");
        long oh = (long) in.dim(2) * scale;
        long ow = (long) in.dim(3) * scale;
        if (oh * ow * in.dim(0) * in.dim(1) > Integer.MAX_VALUE) {
            throw ModelException.field("upsample_param.scale", "output plane " + oh + "x" + ow + " is too large");
        }
        return List.of(Shape.of(in.dim(0), in.dim(1), (int) oh, (int) ow));
    }

    /** The forward pass on row-major data of shape {@code in}. */
    public void apply(Shape in, float[] x, float[] y) {
        int planes = in.dim(0) * in.dim(1);
        int h = in.dim(2);
        int w = in.dim(3);
        int ow = w * scale;
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < h * scale; i++) {
                int src = (p * h + i / scale) * w;
                int dst = (p * h * scale + i) * ow;
                for (int j = 0; j < ow; j++) {
                    y[dst + j] = x[src + j / scale];
                }
            }
        }
    }
}
