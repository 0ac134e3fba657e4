package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Fast R-CNN's ROIPooling (rbgirshick/caffe-fast-rcnn): max pooling of each region of interest into a fixed
 * {@code pooledH x pooledW} grid. Bottom 0 is the feature map {@code N x C x H x W}, bottom 1 the regions, {@code R}
 * rows of {@code [batch index, x1, y1, x2, y2]} in image coordinates ({@code R x 5}, or {@code R x 5 x 1 x 1}).
 *
 * <p>Per region: its corners are scaled and rounded half away from zero, {@code x1' = round(x1 * spatialScale)} and so
 * on; its size is {@code max(x2' - x1' + 1, 1)} (likewise the height); bin {@code (ph, pw)} covers rows
 * {@code floor(ph * h / pooledH) .. ceil((ph + 1) * h / pooledH)} (end exclusive, the bin size a float) offset by
 * {@code y1'} and clipped to {@code [0, H]}, likewise the columns; its value is the maximum of the map there, 0 for an
 * empty bin. A row whose batch index is negative is a padding row of a {@link Proposal} bound and pools to 0.
 *
 * <p>Output: {@code R x C x pooledH x pooledW}.
 */
public record RoiPooling(int pooledH, int pooledW, float spatialScale) implements Op {
    public RoiPooling {
        Checks.positive(pooledH, "pooled_h");
        Checks.positive(pooledW, "pooled_w");
        Checks.finite(spatialScale, "spatial_scale");
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 2, 2);
        Checks.rank(inputs.get(0), 4, 4, "the feature map of ROIPooling (bottom 0)");
        int rois = roiRows(inputs.get(1), "ROIPooling");
        Shape x = inputs.get(0);
        return List.of(Shape.of(rois, x.dim(1), pooledH, pooledW));
    }

    /** The region count of a rois bottom: {@code R x 5} or {@code R x 5 x 1 x 1}. */
    static int roiRows(Shape rois, String type) throws ModelException {
        boolean ok = (rois.rank() == 2 && rois.dim(1) == 5)
                || (rois.rank() == 4 && rois.dim(1) == 5 && rois.dim(2) == 1 && rois.dim(3) == 1);
        if (!ok) {
            throw ModelException.field("bottom[1]", "the regions of " + type + " must be R x 5 (or R x 5 x 1 x 1) rows "
                    + "of [batch index, x1, y1, x2, y2], got " + rois);
        }
        return rois.dim(0);
    }
}
