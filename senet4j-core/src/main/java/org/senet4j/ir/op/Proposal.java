package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * py-faster-rcnn's region proposal layer ({@code rpn.proposal_layer.ProposalLayer}, a Caffe {@code Python} layer),
 * built in. Bottoms: the objectness {@code 1 x 2A x H x W} (background scores for the {@code A} anchors, then the
 * foreground ones, which are read), the box deltas {@code 1 x 4A x H x W} and {@code im_info}, one row
 * {@code [image height, image width, image scale]}. Only one image is supported, as by py-faster-rcnn.
 *
 * <p>Steps, as {@code proposal_layer.py} (TEST configuration): the {@code A = |ratios| * |scales|} anchors of
 * {@code generate_anchors} (base box {@code [0, 0, baseSize-1, baseSize-1]}, ratios outer, scales inner, numpy's
 * round-half-to-even) shifted by {@code featStride} to every cell, in {@code (h, w, a)} order; deltas applied as
 * {@code bbox_transform_inv} (widths {@code x2 - x1 + 1}, centres {@code x1 + w/2}, {@code x2 = cx + w'/2 - 1}); boxes
 * clipped to {@code [0, width-1] x [0, height-1]}; boxes narrower or lower than {@code minSize * im_info[2]} (sides
 * {@code x2 - x1 + 1}) dropped; the rest sorted by score, the first {@code preNmsTopN} kept (all when not positive);
 * greedy NMS (areas with +1; a box is suppressed when its overlap with a kept box is above {@code nmsThresh}, as
 * py-faster-rcnn's GPU and Python NMS); the first {@code postNmsTopN} kept (all when not positive).
 *
 * <p><b>Ties.</b> py-faster-rcnn sorts twice ({@code argsort()[::-1]} before the cut and again inside NMS); with a
 * stable argsort (numpy's quicksort is stable below 17 elements, not in general) equal scores enter NMS in anchor
 * order, earlier anchor first, and the {@code preNmsTopN} cut keeps the later anchors of a tie at the boundary. This
 * op always does exactly that.
 *
 * <p><b>Shape.</b> Top 0 holds rows {@code [0, x1, y1, x2, y2]}, top 1 (optional) the scores, {@code K x 1}, with
 * {@code K} known only after the forward pass. The IR gives the static bound {@link #maxRows}: the real rows, then
 * padding rows of -1 (batch index -1, which ROI pooling reads as empty). Engines return only the real rows of this op's
 * tops and of every value computed row by row from them (see {@code engine.DataDependentRows}).
 */
public record Proposal(int featStride, int baseSize, List<Float> ratios, List<Float> scales, int preNmsTopN,
                       int postNmsTopN, float nmsThresh, float minSize, int tops) implements Op {
    public Proposal {
        Checks.positive(featStride, "feat_stride");
        Checks.positive(baseSize, "base_size");
        ratios = List.copyOf(ratios);
        scales = List.copyOf(scales);
        if (ratios.isEmpty() || scales.isEmpty()) {
            throw new IllegalArgumentException("ratios and scales must not be empty");
        }
        for (float v : ratios) {
            if (!(v > 0) || !Float.isFinite(v)) {
                throw new IllegalArgumentException("ratios must be positive, got " + ratios);
            }
        }
        for (float v : scales) {
            if (!(v > 0) || !Float.isFinite(v)) {
                throw new IllegalArgumentException("scales must be positive, got " + scales);
            }
        }
        if (!(nmsThresh >= 0) || !Float.isFinite(nmsThresh)) {
            throw new IllegalArgumentException("nms_thresh must be a non-negative number, got " + nmsThresh);
        }
        Checks.finite(minSize, "min_size");
        if (tops != 1 && tops != 2) {
            throw new IllegalArgumentException("a Proposal has 1 or 2 tops, got " + tops);
        }
    }

    /** The anchor count per cell. */
    public int anchors() {
        return ratios.size() * scales.size();
    }

    /** The row bound for {@code candidates} anchors in all: no more than either top-N cut. */
    public int maxRows(int candidates) {
        int k = candidates;
        if (preNmsTopN > 0) {
            k = Math.min(k, preNmsTopN);
        }
        if (postNmsTopN > 0) {
            k = Math.min(k, postNmsTopN);
        }
        return k;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 3, 3);
        Shape s = inputs.get(0);
        Shape d = inputs.get(1);
        Shape info = inputs.get(2);
        Checks.rank(s, 4, 4, "the scores of the proposal layer (bottom 0)");
        Checks.rank(d, 4, 4, "the box deltas of the proposal layer (bottom 1)");
        if (s.dim(0) != 1) {
            throw ModelException.field("bottom[0]", "py-faster-rcnn's proposal layer supports only batch 1 (it "
                    + "asserts a single image), got " + s);
        }
        int a = anchors();
        if (s.dim(1) != 2 * a) {
            throw ModelException.field("bottom[0]", "expected 2 x " + a + " anchors = " + 2 * a
                    + " score channels (background, then foreground), got " + s);
        }
        if (!d.equals(Shape.of(1, 4 * a, s.dim(2), s.dim(3)))) {
            throw ModelException.field("bottom[1]", "expected box deltas " + Shape.of(1, 4 * a, s.dim(2), s.dim(3))
                    + " for scores " + s + ", got " + d);
        }
        if (info.rank() < 2 || info.dim(0) != 1 || info.count() / info.dim(0) < 3) {
            throw ModelException.field("bottom[2]", "im_info must be one row [height, width, scale] (1 x 3), got "
                    + info);
        }
        int rows = maxRows(s.dim(2) * s.dim(3) * a);
        return tops == 1 ? List.of(Shape.of(rows, 5)) : List.of(Shape.of(rows, 5), Shape.of(rows, 1));
    }

    /** The real rows of top 0 (or of top 1, by its shape): those before the padding. */
    public static int rows(float[] rois) {
        int k = 0;
        while (k * 5 < rois.length && rois[k * 5] >= 0) {
            k++;
        }
        return k;
    }
}
