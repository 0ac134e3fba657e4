package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * R-FCN's position-sensitive ROI pooling (PSROIPooling, daijifeng001/caffe-rfcn): average pooling of each region of
 * interest into a {@code groupSize x groupSize} grid, bin {@code (ph, pw)} of output channel {@code k} reading input
 * channel {@code (k * groupSize + ph) * groupSize + pw}. Bottom 0 is the score map {@code N x (outputDim * groupSize^2)
 * x H x W}, bottom 1 the regions as for {@link RoiPooling}.
 *
 * <p>Per region: {@code x1' = round(x1) * spatialScale}, {@code x2' = (round(x2) + 1) * spatialScale} (rounding half
 * away from zero, in float), the size {@code max(x2' - x1', 0.1)}; bin {@code pw} covers columns
 * {@code floor(pw * w / groupSize + x1') .. ceil((pw + 1) * w / groupSize + x1')} (end exclusive) clipped to
 * {@code [0, W]}, likewise the rows; its value is the mean of those cells, 0 for an empty bin. A row whose batch
 * index is negative (a {@link Proposal}'s padding) pools to 0.
 *
 * <p>Output: {@code R x outputDim x groupSize x groupSize}.
 */
public record PsRoiPooling(float spatialScale, int outputDim, int groupSize) implements Op {
    public PsRoiPooling {
        Checks.positive(outputDim, "output_dim");
        Checks.positive(groupSize, "group_size");
        Checks.finite(spatialScale, "spatial_scale");
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 2, 2);
        Checks.rank(inputs.get(0), 4, 4, "the score map of PSROIPooling (bottom 0)");
        long want = (long) outputDim * groupSize * groupSize;
        if (inputs.get(0).dim(1) != want) {
            throw ModelException.field("psroi_pooling_param.output_dim", "output_dim " + outputDim + " x group_size "
                    + groupSize + "^2 = " + want + " channels expected in bottom 0, got " + inputs.get(0));
        }
        int rois = RoiPooling.roiRows(inputs.get(1), "PSROIPooling");
        return List.of(Shape.of(rois, outputDim, groupSize, groupSize));
    }
}
