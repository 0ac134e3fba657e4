package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * YOLOv2's Reorg (eric612/MobileNet-YOLO, {@code reorg_param.stride} and {@code reverse}), in darknet's element order,
 * which is not ONNX's SpaceToDepth. With {@code s = stride}, on an {@code N x C x H x W} input:
 *
 * <ul>
 *   <li>forward ({@code reverse: false}): the output is {@code N x C s^2 x H/s x W/s}; its element at flat position
 *       {@code (c, h, w)} counted over the <em>input's</em> dims {@code C x H x W} is the input seen as
 *       {@code C' x H s x W s} at {@code (c mod C', h s + (c / C') / s, w s + (c / C') mod s)}, with
 *       {@code C' = C / s^2}. In axes: Reshape to
 *       {@code N, C', H, s, W, s}, Transpose {@code (0, 3, 5, 1, 2, 4)}, Reshape to the output.</li>
 *   <li>reverse: the output is {@code N x C/s^2 x H s x W s}; input {@code (c, h, w)} goes to
 *       {@code (c mod C', h s + (c / C') / s, w s + (c / C') mod s)}. In axes: Reshape to {@code N, s, s, C', H, W},
 *       Transpose {@code (0, 3, 4, 1, 5, 2)}, Reshape to the output.</li>
 * </ul>
 *
 * The fork writes or reads every input element with no bound check, so C must be a multiple of {@code s^2} and,
 * forward, H and W multiples of {@code s} (otherwise it overruns its output).
 */
public record Reorg(int stride, boolean reverse) implements Op {
    public Reorg {
        Checks.positive(stride, "stride");
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        Checks.rank(in, 4, 4, "the input of Reorg");
        int s = stride;
        int c = in.dim(1);
        int h = in.dim(2);
        int w = in.dim(3);
        if (c % (s * s) != 0) {
            throw ModelException.field("reorg_param.stride", "input channels " + c + " are not a multiple of stride^2 = "
                    + s * s + " (the fork reads the input as C / stride^2 channels)");
        }
        if (reverse) {
            if ((long) h * s > Integer.MAX_VALUE || (long) w * s > Integer.MAX_VALUE) {
                throw ModelException.field("reorg_param.stride", "output too large for " + in);
            }
            return List.of(Shape.of(in.dim(0), c / (s * s), h * s, w * s));
        }
        if (h % s != 0 || w % s != 0) {
            throw ModelException.field("reorg_param.stride", "input height " + h + " and width " + w
                    + " must be multiples of the stride " + s + " (the fork would write past its output)");
        }
        return List.of(Shape.of(in.dim(0), c * s * s, h / s, w / s));
    }

    /** The fork's forward pass on row-major data of shape {@code in}. */
    public void apply(Shape in, float[] x, float[] y) {
        int n = in.dim(0);
        int c = in.dim(1);
        int h = in.dim(2);
        int w = in.dim(3);
        int s = stride;
        int oc = c / (s * s);
        int ow = w * s;
        int oh = h * s;
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < c; k++) {
                int c2 = k % oc;
                int offset = k / oc;
                for (int j = 0; j < h; j++) {
                    int h2 = j * s + offset / s;
                    for (int i = 0; i < w; i++) {
                        int w2 = i * s + offset % s;
                        int small = i + w * (j + h * (k + c * b));
                        int large = w2 + ow * (h2 + oh * (c2 + oc * b));
                        if (reverse) {
                            y[large] = x[small];
                        } else {
                            y[small] = x[large];
                        }
                    }
                }
            }
        }
    }
}
