package org.senet4j.engine.ref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.Proposal;
import org.senet4j.ir.op.PsRoiPooling;
import org.senet4j.ir.op.RoiPooling;

/**
 * The R-CNN layers on values worked out by hand from the defining sources' formulas: ROIPooling (roi_pooling_layer.cpp
 * of rbgirshick/caffe-fast-rcnn: corners rounded half away from zero after scaling, sizes at least 1, floor/ceil bins,
 * clipping, empty bins 0), PSROIPooling (psroi_pooling_layer.cu of daijifeng001/caffe-rfcn: corners rounded before
 * scaling, +1 on the end, the channel of each bin, averaging) and py-faster-rcnn's proposal layer (generate_anchors,
 * bbox_transform_inv, clipping, the min-size filter, the two sorts and their ties, NMS with +1 and suppression above the
 * threshold, both top-N cuts, fewer boxes than post_nms_topN).
 */
class RcnnKernelsTest {

    private static List<float[]> run(Op op, List<Shape> shapes, List<float[]> in) throws ModelException {
        return ReferenceKernels.run(op, shapes, in, op.outputShapes(shapes));
    }

    /** A 4 x 4 plane per (image, channel): {@code base + 100 * c + 1000 * n + 4h + w}. */
    private static float[] map(int n, int c, float base) {
        float[] x = new float[n * c * 16];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                for (int p = 0; p < 16; p++) {
                    x[(i * c + k) * 16 + p] = base + 1000 * i + 100 * k + p;
                }
            }
        }
        return x;
    }

    /** One ROI pooling op over {@code x} and the region rows (5 values each). */
    private static float[] roi(Op op, Shape xs, float[] x, float... rows) throws ModelException {
        return run(op, List.of(xs, Shape.of(rows.length / 5, 5)), List.of(x, rows)).get(0);
    }

    // ----- ROIPooling ---------------------------------------------------------------------------------------

    @Test
    void roiPoolingWholeMapIntoFourBins() throws ModelException {
        float[] y = roi(new RoiPooling(2, 2, 1f), Shape.of(1, 1, 4, 4), map(1, 1, 0), 0, 0, 0, 3, 3);
        assertArrayEquals(new float[] {5, 7, 13, 15}, y);
    }

    @Test
    void roiPoolingRoundsScaledCornersHalfAwayFromZero() throws ModelException {
        // 1 * 0.5 = 0.5 -> 1 and 5 * 0.5 = 2.5 -> 3 (round half to even would give 0 and 2, pooling rows 0..2)
        float[] y = roi(new RoiPooling(3, 3, 0.5f), Shape.of(1, 1, 4, 4), map(1, 1, 0), 0, 1, 1, 5, 5);
        assertArrayEquals(new float[] {5, 6, 7, 9, 10, 11, 13, 14, 15}, y);
        float[] one = roi(new RoiPooling(1, 1, 0.5f), Shape.of(1, 1, 4, 4), map(1, 1, 0), 0, 1, 1, 5, 5);
        assertArrayEquals(new float[] {15}, one);
    }

    @Test
    void roiPoolingPartlyOutsideTheMapGivesEmptyBinsZeroAndKeepsNegativeMaxima() throws ModelException {
        // corners -3 .. 1: size 5, bins of 2.5 -> rows/cols [-3, 0) (empty after clipping) and [-1, 2) -> [0, 2)
        float[] y = roi(new RoiPooling(2, 2, 1f), Shape.of(1, 1, 4, 4), map(1, 1, -100), 0, -3, -3, 1, 1);
        assertArrayEquals(new float[] {0, 0, 0, -95}, y);
        // wholly outside: every bin empty
        float[] out = roi(new RoiPooling(2, 2, 1f), Shape.of(1, 1, 4, 4), map(1, 1, 5), 0, 6, 6, 9, 9);
        assertArrayEquals(new float[4], out);
    }

    @Test
    void roiPoolingTinyAndInvertedRoisAreOneCell() throws ModelException {
        // 2.2 and 1.9 both round to 2: size 1; an inverted roi (3 .. 1) is size max(-1, 1) = 1 at its start
        float[] tiny = roi(new RoiPooling(2, 2, 1f), Shape.of(1, 1, 4, 4), map(1, 1, 0), 0, 2.2f, 2.2f, 1.9f, 1.9f);
        assertArrayEquals(new float[] {10, 10, 10, 10}, tiny);
        float[] inv = roi(new RoiPooling(2, 2, 1f), Shape.of(1, 1, 4, 4), map(1, 1, 0), 0, 3, 3, 1, 1);
        assertArrayEquals(new float[] {15, 15, 15, 15}, inv);
    }

    @Test
    void roiPoolingBatchTwoChannelsRectangularGridAndPaddingRows() throws ModelException {
        RoiPooling op = new RoiPooling(1, 2, 1f);
        Shape xs = Shape.of(2, 2, 4, 4);
        List<float[]> y = run(op, List.of(xs, Shape.of(3, 5, 1, 1)), List.of(map(2, 2, 0),
                new float[] {1, 0, 0, 3, 1, -1, -1, -1, -1, -1, 0, 2, 2, 3, 3}));
        assertEquals(Shape.of(3, 2, 1, 2), op.outputShapes(List.of(xs, Shape.of(3, 5, 1, 1))).get(0));
        // roi 0 of image 1: rows 0..1, columns [0, 2) and [2, 4); roi 1 is a padding row; roi 2 on image 0
        assertArrayEquals(new float[] {1005, 1007, 1105, 1107, 0, 0, 0, 0, 14, 15, 114, 115}, y.get(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(op,
                List.of(xs, Shape.of(1, 5)), List.of(map(2, 2, 0), new float[] {2, 0, 0, 1, 1})));
        assertTrue(e.getMessage().contains("batch index 2.0"), e.getMessage());
        assertThrows(ModelException.class, () -> op.outputShapes(List.of(xs, Shape.of(3, 4))));
    }

    // ----- PSROIPooling -------------------------------------------------------------------------------------

    @Test
    void psRoiPoolingEachBinAveragesItsOwnChannel() throws ModelException {
        // corners 0 and (3 + 1) * 1: bins of 2; bin (i, j) reads channel i * 2 + j
        float[] y = roi(new PsRoiPooling(1f, 1, 2), Shape.of(1, 4, 4, 4), map(1, 4, 0), 0, 0, 0, 3, 3);
        assertArrayEquals(new float[] {2.5f, 104.5f, 210.5f, 312.5f}, y);
    }

    @Test
    void psRoiPoolingRoundsBeforeScalingAndAddsOneToTheEnd() throws ModelException {
        // round(0.5) = 1, round(2.5) = 3 -> [1, 4): size 3, bins of 1.5 -> [1, 3) and [2, 4)
        float[] y = roi(new PsRoiPooling(1f, 1, 2), Shape.of(1, 4, 4, 4), map(1, 4, 0), 0, 0.5f, 0.5f, 2.5f, 2.5f);
        assertArrayEquals(new float[] {7.5f, 108.5f, 211.5f, 312.5f}, y);
        // scale 0.5: [6 * 0.5, 10 * 0.5) = [3, 5): bins [3, 4) and [4, 5), the second empty after clipping
        float[] e = roi(new PsRoiPooling(0.5f, 1, 2), Shape.of(1, 4, 4, 4), map(1, 4, 0), 0, 6, 6, 9, 9);
        assertArrayEquals(new float[] {15, 0, 0, 0}, e);
    }

    @Test
    void psRoiPoolingOutputDimsTinyRoiBatchTwoAndPadding() throws ModelException {
        PsRoiPooling op = new PsRoiPooling(0.25f, 2, 1);
        // scale 0.25 of [0, 1) is [0, 0.25): the size 0.25, one bin floor(0) .. ceil(0.25) = cell (0, 0)
        float[] y = roi(op, Shape.of(2, 2, 4, 4), map(2, 2, 0), 1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 4, 4, 11, 11);
        // roi 2: [1, 3) in both axes: mean of 5, 6, 9, 10 = 7.5 per channel
        assertArrayEquals(new float[] {1000, 1100, 0, 0, 7.5f, 107.5f}, y);
        ModelException e = assertThrows(ModelException.class, () -> op.outputShapes(List.of(Shape.of(1, 3, 4, 4),
                Shape.of(1, 5))));
        assertTrue(e.getMessage().contains("output_dim"), e.getMessage());
    }

    // ----- Proposal -----------------------------------------------------------------------------------------

    @Test
    void generateAnchorsGivesPyFasterRcnnsNineAnchors() {
        Proposal p = new Proposal(16, 16, List.of(0.5f, 1f, 2f), List.of(8f, 16f, 32f), 6000, 300, 0.7f, 16f, 1);
        double[] want = {-84, -40, 99, 55, -176, -88, 191, 103, -360, -184, 375, 199, -56, -56, 71, 71, -120, -120,
            135, 135, -248, -248, 263, 263, -36, -80, 51, 95, -80, -168, 95, 183, -168, -344, 183, 359};
        assertArrayEquals(want, RcnnKernels.anchors(p), 0);
    }

    /** One anchor per cell ([0, 0, 15, 15] shifted by {@code stride} along a 1 x {@code w} map). */
    private static Proposal one(int stride, int pre, int post, float nms, float minSize, int tops) {
        return new Proposal(stride, 16, List.of(1f), List.of(1f), pre, post, nms, minSize, tops);
    }

    private static List<float[]> propose(Proposal p, float[] fg, float[] deltas, float... imInfo)
            throws ModelException {
        int w = fg.length;
        float[] scores = new float[2 * w];
        System.arraycopy(fg, 0, scores, w, w);
        return run(p, List.of(Shape.of(1, 2, 1, w), Shape.of(1, 4, 1, w), Shape.of(1, 3)),
                List.of(scores, deltas, imInfo));
    }

    @Test
    void proposalDecodesClipsSortsAndPadsFewerBoxesThanPostNmsTopN() throws ModelException {
        // anchors [0,0,15,15] and [16,0,31,15]; the second moved by dx 0.25 and enlarged by exp(ln 2) both ways:
        // centre x 24 + 4 = 28, width 32 -> x1 12, x2 43 clipped to 31; centre y 8, height 32 -> y -8 .. 23, clipped
        // to 0 .. 23 (the image is 32 x 32)
        float[] d = new float[8];
        d[1] = 0.25f;
        d[5] = (float) Math.log(2);
        d[7] = (float) Math.log(2);
        List<float[]> y = propose(one(16, 6000, 300, 0.7f, 16f, 2), new float[] {0.3f, 0.9f}, d, 32, 32, 1);
        assertEquals(10, y.get(0).length); // the bound: 2 candidates
        assertArrayEquals(new float[] {0, 12, 0, 31, 23, 0, 0, 0, 15, 15}, y.get(0), 1e-5f);
        assertArrayEquals(new float[] {0.9f, 0.3f}, y.get(1));
        // min size 16 * 1.1 = 17.6: the plain anchor (16 wide) is dropped, the enlarged one (20 x 24) stays
        List<float[]> z = propose(one(16, 6000, 300, 0.7f, 16f, 2), new float[] {0.3f, 0.9f}, d, 32, 32, 1.1f);
        assertArrayEquals(new float[] {0, 12, 0, 31, 23, -1, -1, -1, -1, -1}, z.get(0), 1e-5f);
        assertArrayEquals(new float[] {0.9f, -1}, z.get(1));
        assertEquals(1, Proposal.rows(z.get(0)));
        // everything filtered: no rows at all
        float[] none = propose(one(16, 6000, 300, 0.7f, 16f, 1), new float[] {0.3f, 0.9f}, new float[8], 16, 32,
                2).get(0);
        assertEquals(0, Proposal.rows(none));
    }

    @Test
    void proposalClipsToTheImageAndFiltersTheClippedBox() throws ModelException {
        // dx -1 moves the first anchor to centre -8: x1 -16 and x2 -1, both clipped to 0: width 1 < 16
        float[] d = new float[8];
        d[0] = -1f;
        float[] y = propose(one(16, 6000, 300, 0.7f, 16f, 1), new float[] {0.9f, 0.3f}, d, 16, 32, 1).get(0);
        assertArrayEquals(new float[] {0, 16, 0, 31, 15, -1, -1, -1, -1, -1}, y);
        // min size 0 keeps it, at [0, 0, 0, 15]
        float[] k = propose(one(16, 6000, 300, 0.7f, 0f, 1), new float[] {0.9f, 0.3f}, d, 16, 32, 1).get(0);
        assertArrayEquals(new float[] {0, 0, 0, 0, 15, 0, 16, 0, 31, 15}, k);
    }

    private static final float[] THREE = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}; // zero deltas for 3 anchors

    @Test
    void proposalNmsUsesPlusOneAreasAndSuppressesOnlyAboveTheThreshold() throws ModelException {
        // stride 4: [0,0,15,15], [4,0,19,15], [8,0,23,15]; IoU(0,1) = IoU(1,2) = 12*16 / (512 - 192) = 0.6,
        // IoU(0,2) = 8*16 / (512 - 128) = 1/3
        float[] fg = {0.5f, 0.9f, 0.7f};
        float[] at06 = propose(one(4, 6000, 300, 0.6f, 0f, 1), fg, THREE, 16, 32, 1).get(0);
        assertEquals(3, Proposal.rows(at06), "an overlap equal to the threshold is kept");
        assertArrayEquals(new float[] {0, 4, 0, 19, 15, 0, 8, 0, 23, 15, 0, 0, 0, 15, 15}, at06);
        float[] at05 = propose(one(4, 6000, 300, 0.5f, 0f, 1), fg, THREE, 16, 32, 1).get(0);
        assertArrayEquals(new float[] {0, 4, 0, 19, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}, at05);
        // post_nms_topN 2 cuts after NMS; pre_nms_topN 2 before it (the 0.5 box never enters)
        assertEquals(2, Proposal.rows(propose(one(4, 6000, 2, 0.7f, 0f, 1), fg, THREE, 16, 32, 1).get(0)));
        float[] pre2 = propose(one(4, 2, 300, 0.3f, 0f, 1), fg, THREE, 16, 32, 1).get(0);
        assertArrayEquals(new float[] {0, 4, 0, 19, 15, -1, -1, -1, -1, -1}, pre2);
    }

    @Test
    void proposalTiesEnterNmsEarlierAnchorFirstAndThePreCutKeepsTheLaterOnes() throws ModelException {
        float[] tie = {0.5f, 0.5f, 0.5f};
        // NMS order 0, 1, 2: 0 kept, 1 suppressed (0.6), 2 kept (1/3); later-first would give 2, then 0
        float[] y = propose(one(4, 6000, 300, 0.5f, 0f, 1), tie, THREE, 16, 32, 1).get(0);
        assertArrayEquals(new float[] {0, 0, 0, 15, 15, 0, 8, 0, 23, 15, -1, -1, -1, -1, -1}, y);
        // pre_nms_topN 2 keeps anchors 2 and 1 (reversed stable argsort); NMS then takes 1 first and drops 2
        float[] cut = propose(one(4, 2, 300, 0.5f, 0f, 1), tie, THREE, 16, 32, 1).get(0);
        assertArrayEquals(new float[] {0, 4, 0, 19, 15, -1, -1, -1, -1, -1}, cut);
    }

    @Test
    void proposalReadsForegroundScoresAndDeltasInCellAnchorOrder() throws ModelException {
        // 2 anchors (scales 1 and 2) on a 1 x 2 map, stride 16; the background half holds high decoys
        Proposal p = new Proposal(16, 16, List.of(1f), List.of(1f, 2f), 6000, 300, 0.99f, 0f, 2);
        float[] scores = {9, 9, 9, 9, 0.1f, 0.2f, 0.4f, 0.3f}; // [bg a0 (x0, x1), bg a1, fg a0 (x0, x1), fg a1]
        List<float[]> y = run(p, List.of(Shape.of(1, 4, 1, 2), Shape.of(1, 8, 1, 2), Shape.of(1, 3)),
                List.of(scores, new float[16], new float[] {64, 64, 1}));
        // anchor 1 (scale 2) is [-8, -8, 23, 23]: at x 0 clipped to [0, 0, 23, 23]; at x 1 [8, 0, 39, 23]
        assertArrayEquals(new float[] {0.4f, 0.3f, 0.2f, 0.1f}, y.get(1));
        assertArrayEquals(new float[] {0, 0, 0, 23, 23, 0, 8, 0, 39, 23, 0, 16, 0, 31, 15, 0, 0, 0, 15, 15},
                y.get(0));
    }

    @Test
    void proposalRefusesBatchTwoAndMismatchedBottoms() {
        Proposal p = one(16, 6000, 300, 0.7f, 16f, 1);
        ModelException e = assertThrows(ModelException.class, () -> p.outputShapes(List.of(Shape.of(2, 2, 3, 3),
                Shape.of(2, 4, 3, 3), Shape.of(2, 3))));
        assertTrue(e.getMessage().contains("only batch 1"), e.getMessage());
        assertThrows(ModelException.class, () -> p.outputShapes(List.of(Shape.of(1, 4, 3, 3), Shape.of(1, 4, 3, 3),
                Shape.of(1, 3))));
        assertThrows(ModelException.class, () -> p.outputShapes(List.of(Shape.of(1, 2, 3, 3), Shape.of(1, 4, 3, 2),
                Shape.of(1, 3))));
        assertThrows(ModelException.class, () -> p.outputShapes(List.of(Shape.of(1, 2, 3, 3), Shape.of(1, 4, 3, 3),
                Shape.of(1, 2))));
        assertEquals(List.of(Shape.of(9, 5)), shapes(p, 3, 3), "the bound: 9 anchors, fewer than both top-N");
    }

    private static List<Shape> shapes(Proposal p, int h, int w) {
        try {
            return p.outputShapes(List.of(Shape.of(1, 2, h, w), Shape.of(1, 4, h, w), Shape.of(1, 3)));
        } catch (ModelException e) {
            throw new AssertionError(e);
        }
    }
}
