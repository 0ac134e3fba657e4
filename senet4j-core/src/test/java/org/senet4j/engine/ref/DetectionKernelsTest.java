package org.senet4j.engine.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.DetectionOutput;
import org.senet4j.ir.op.DetectionOutput.CodeType;
import org.senet4j.ir.op.Normalize;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.Permute;
import org.senet4j.ir.op.PriorBox;

/**
 * The SSD fork's layers on values worked out by hand from its formulas: PriorBox boxes and their order on a 2x2 map
 * (sizes truncated to integers, steps, offsets, clip, variances), Permute, Normalize (eps inside the square root,
 * across the plane or per position, shared or per-channel scale), and DetectionOutput's decoding (the three codes,
 * with and without variance in the target, shared and per-class locations), greedy NMS (ties: the lower prior wins),
 * eta, top_k, keep_top_k across classes, the row order and the empty-result rows; libstdc++'s sort emulation.
 */
class DetectionKernelsTest {

    private static float[] run(Op op, List<Shape> shapes, List<float[]> in) throws ModelException {
        return ReferenceKernels.run(op, shapes, in, op.outputShapes(shapes)).get(0);
    }

    private static void assertClose(float[] expected, float[] actual, int from, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[from + i], 1e-6, what + " [" + (from + i) + "]");
        }
    }

    // ----- PriorBox -------------------------------------------------------------------------------------------

    @Test
    void priorBoxOnA2x2MapEmitsMinMaxThenAspectRatiosPerPosition() throws ModelException {
        PriorBox pb = new PriorBox(List.of(4f), List.of(9f), PriorBox.aspectRatios(List.of(2f), true), false,
                List.of(0.1f, 0.1f, 0.2f, 0.2f), 0, 0, 0, 0, 0.5f);
        assertEquals(4, pb.numPriors());
        Shape feat = Shape.of(1, 8, 2, 2);
        Shape image = Shape.of(1, 3, 20, 20);
        assertEquals(Shape.of(1, 2, 64), pb.outputShapes(List.of(feat, image)).get(0));
        float[] y = run(pb, List.of(feat, image), List.of(new float[32], new float[1200]));
        float r2 = (float) Math.sqrt(2);
        float hw = 4 * r2 / 2;
        float hh = 4 / r2 / 2;
        // (h 0, w 0), centre (5, 5), step 20 / 2 = 10
        assertClose(new float[] {0.15f, 0.15f, 0.35f, 0.35f,            // min size 4
            0.1f, 0.1f, 0.4f, 0.4f,                                         // sqrt(4 * 9) = 6
            (5 - hw) / 20, (5 - hh) / 20, (5 + hw) / 20, (5 + hh) / 20,    // aspect ratio 2
            (5 - hh) / 20, (5 - hw) / 20, (5 + hh) / 20, (5 + hw) / 20},   // its flip, 1/2
                y, 0, "position (0, 0)");
        assertClose(new float[] {0.65f, 0.15f, 0.85f, 0.35f}, y, 16, "position (0, 1): centre (15, 5)");
        assertClose(new float[] {0.15f, 0.65f, 0.35f, 0.85f}, y, 32, "position (1, 0): centre (5, 15)");
        assertClose(new float[] {0.65f, 0.65f, 0.85f, 0.85f}, y, 48, "position (1, 1)");
        for (int i = 0; i < 64; i++) {
            assertEquals(i % 4 < 2 ? 0.1f : 0.2f, y[64 + i], "variance " + i);
        }
    }

    @Test
    void priorBoxOwnImageSizeStepOffsetClipAndTruncatedSize() throws ModelException {
        // min_size 4.9 is used as 4 (the fork assigns it to an int); the image is 32 wide, 16 high
        PriorBox pb = new PriorBox(List.of(4.9f), List.of(), PriorBox.aspectRatios(List.of(), true), true,
                List.of(0.3f), 16, 32, 8, 16, 0f);
        Shape feat = Shape.of(2, 3, 2, 2);
        float[] y = run(pb, List.of(feat), List.of(new float[24]));
        assertEquals(2 * 16, y.length);
        assertClose(new float[] {0, 0, 2f / 32, 2f / 16,                     // centre (0, 0), clipped at 0
            14f / 32, 0, 18f / 32, 2f / 16,                                   // centre (16, 0)
            0, 6f / 16, 2f / 32, 10f / 16,                                    // centre (0, 8)
            14f / 32, 6f / 16, 18f / 32, 10f / 16}, y, 0, "boxes");
        for (int i = 16; i < 32; i++) {
            assertEquals(0.3f, y[i], "one variance for all four coordinates");
        }
        // without its own size the layer needs the image
        PriorBox fromImage = new PriorBox(List.of(4f), List.of(), List.of(1f), false, List.of(0.1f), 0, 0, 0, 0,
                0.5f);
        assertThrows(ModelException.class, () -> fromImage.outputShapes(List.of(feat)));
    }

    @Test
    void faceBoxesDensifiesMinSizes32And64() throws ModelException {
        PriorBox pb = new PriorBox(List.of(32f, 64f, 128f), List.of(), List.of(1f), false, List.of(0.1f, 0.1f, 0.2f,
                0.2f), 0, 0, 32, 32, 0.5f, PriorBox.Dialect.FACEBOXES);
        assertEquals(21, pb.numPriors());
        float[] y = run(pb, List.of(Shape.of(1, 4, 1, 1), Shape.of(1, 3, 32, 32)), List.of(new float[4],
                new float[3072]));
        assertEquals(2 * 84, y.length);
        // centre (16, 16); min size 32: a 4 x 4 grid, rows first, shifted by 8j, 8i for i, j = -2..1, half 15.5
        int k = 0;
        for (int i = -2; i < 2; i++) {
            for (int j = -2; j < 2; j++) {
                float x = 16 + 8 * j;
                float yy = 16 + 8 * i;
                assertClose(new float[] {(x - 15.5f) / 32, (yy - 15.5f) / 32, (x + 15.5f) / 32, (yy + 15.5f) / 32}, y,
                        4 * k++, "min 32, i " + i + " j " + j);
            }
        }
        // min size 64: 2 x 2, shifted by 16, half 31.5
        assertClose(new float[] {-31.5f / 32, -31.5f / 32, 31.5f / 32, 31.5f / 32,
            -15.5f / 32, -31.5f / 32, 47.5f / 32, 31.5f / 32,
            -31.5f / 32, -15.5f / 32, 31.5f / 32, 47.5f / 32,
            -15.5f / 32, -15.5f / 32, 47.5f / 32, 47.5f / 32}, y, 64, "min 64");
        // min size 128: one box, half 63.5 (size - 1, unlike the SSD fork)
        assertClose(new float[] {-47.5f / 32, -47.5f / 32, 79.5f / 32, 79.5f / 32}, y, 80, "min 128");
        // three min sizes that do not give 21 boxes would make that fork write past its blob
        assertThrows(IllegalArgumentException.class, () -> new PriorBox(List.of(16f, 32f, 48f), List.of(),
                List.of(1f), false, List.of(0.1f), 0, 0, 0, 0, 0.5f, PriorBox.Dialect.FACEBOXES));
    }

    @Test
    void aspectRatiosAreDeduplicatedAndFlippedAsTheForkDoes() {
        assertEquals(List.of(1f, 2f, 0.5f, 3f, (float) (1.0 / 3)),
                PriorBox.aspectRatios(List.of(2f, 0.5f, 2f, 1f, 3f), true));
        assertEquals(List.of(1f, 2f, 0.5f), PriorBox.aspectRatios(List.of(2f, 0.5f), false));
    }

    // ----- Permute and Normalize ------------------------------------------------------------------------------

    @Test
    void permuteMovesAxes() throws ModelException {
        Permute p = new Permute(Permute.complete(List.of(2, 0), 3));
        assertEquals(List.of(2, 0, 1), p.order());
        Shape in = Shape.of(2, 3, 4);
        assertEquals(Shape.of(4, 2, 3), p.outputShapes(List.of(in)).get(0));
        float[] x = new float[24];
        for (int i = 0; i < 24; i++) {
            x[i] = i;
        }
        float[] y = run(p, List.of(in), List.of(x));
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(x[(i * 3 + j) * 4 + k], y[(k * 2 + i) * 3 + j]);
                }
            }
        }
        assertThrows(ModelException.class, () -> Permute.complete(List.of(3), 3));
        assertThrows(ModelException.class, () -> Permute.complete(List.of(1, 1), 3));
    }

    @Test
    void normalizePutsEpsInsideTheRoot() throws ModelException {
        Shape in = Shape.of(1, 2, 1, 2);
        float[] x = {1, 3, 0, 4};   // channel 0: 1, 3; channel 1: 0, 4
        // per position, per-channel scale: position 0 sqrt(3 + 1) = 2, position 1 sqrt(3 + 25)
        Normalize perPosition = new Normalize(false, false, 3f, Tensor.of(Shape.of(2), new float[] {2, 10}));
        float n1 = (float) Math.sqrt(28);
        assertClose(new float[] {0.5f * 2, 3 / n1 * 2, 0, 4 / n1 * 10}, run(perPosition, List.of(in), List.of(x)),
                0, "across_spatial false");
        // across the plane, one shared scale: sqrt(1 + 9 + 16 + 6)
        Normalize across = new Normalize(true, true, 6f, Tensor.of(Shape.of(), new float[] {0.5f}));
        float n = (float) Math.sqrt(32);
        assertClose(new float[] {1 / n * 0.5f, 3 / n * 0.5f, 0, 4 / n * 0.5f}, run(across, List.of(in), List.of(x)),
                0, "across_spatial true");
        // each item of a batch has its own norm
        Shape two = Shape.of(2, 2, 1, 2);
        float[] y = run(across, List.of(two), List.of(new float[] {1, 3, 0, 4, 2, 6, 0, 8}));
        float n2 = (float) Math.sqrt(104 + 6);
        assertClose(new float[] {1 / n * 0.5f, 3 / n * 0.5f, 0, 4 / n * 0.5f, 2 / n2 * 0.5f, 6 / n2 * 0.5f, 0,
            8 / n2 * 0.5f}, y, 0, "batch of 2");
    }

    // ----- DetectionOutput ------------------------------------------------------------------------------------

    /** A DetectionOutput with shared locations, background 0. */
    private static DetectionOutput det(int classes, CodeType code, boolean vet, float nms, int topK, float eta,
                                       int keepTopK, float threshold) {
        return new DetectionOutput(classes, true, 0, code, vet, nms, topK, eta, keepTopK, threshold);
    }

    /** Priors {@code 1 x 2 x 4P}: the boxes, then the same variances for each. */
    private static float[] priors(float[][] boxes, float... variance) {
        int p = boxes.length;
        float[] v = new float[8 * p];
        for (int i = 0; i < p; i++) {
            System.arraycopy(boxes[i], 0, v, 4 * i, 4);
            System.arraycopy(variance, 0, v, 4 * (p + i), 4);
        }
        return v;
    }

    /** Runs {@code d} on N images; {@code conf} holds {@code N x P x C} values, loc {@code N x P x L x 4}. */
    private static float[][] detect(DetectionOutput d, int n, float[] loc, float[] conf, float[] priors)
            throws ModelException {
        int p = priors.length / 8;
        List<Shape> shapes = List.of(Shape.of(n, p * d.locClasses() * 4), Shape.of(n, p * d.numClasses()),
                Shape.of(1, 2, 4 * p));
        Shape out = d.outputShapes(shapes).get(0);
        assertEquals(d.maxRows(n, p), out.dim(2));
        float[] y = run(d, shapes, List.of(loc, conf, priors));
        int rows = DetectionOutput.rows(y);
        for (int i = rows * 7; i < y.length; i++) {
            assertEquals(-1f, y[i], "padding after the " + rows + " rows");
        }
        float[][] r = new float[rows][];
        for (int i = 0; i < rows; i++) {
            r[i] = Arrays.copyOfRange(y, 7 * i, 7 * i + 7);
        }
        return r;
    }

    private static void assertRows(float[][] expected, float[][] actual) {
        assertEquals(expected.length, actual.length, "rows " + Arrays.deepToString(actual));
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < 7; j++) {
                assertEquals(expected[i][j], actual[i][j], 1e-6, "row " + i + " column " + j + ": "
                        + Arrays.toString(actual[i]));
            }
        }
    }

    private static final float[] UNIT_VARIANCE = {1, 1, 1, 1};

    /** Scores for 2 classes (background first) with these foreground scores. */
    private static float[] twoClass(float... fg) {
        float[] c = new float[2 * fg.length];
        for (int i = 0; i < fg.length; i++) {
            c[2 * i] = 1 - fg[i];
            c[2 * i + 1] = fg[i];
        }
        return c;
    }

    @Test
    void nmsKeepsTheBestAndDropsOverlapsAboveTheThreshold() throws ModelException {
        float[] pr = priors(new float[][] {{0, 0, 1, 1}, {0, 0, 1, 1}, {0.5f, 0.5f, 1, 1}}, UNIT_VARIANCE);
        DetectionOutput d = det(2, CodeType.CORNER, true, 0.45f, -1, 1f, -1, 0.1f);
        // B equals A (overlap 1): suppressed; C overlaps A by 0.25: kept
        assertRows(new float[][] {{0, 1, 0.9f, 0, 0, 1, 1}, {0, 1, 0.7f, 0.5f, 0.5f, 1, 1}},
                detect(d, 1, new float[12], twoClass(0.9f, 0.8f, 0.7f), pr));
        // at overlap exactly the threshold a box stays (<=): C vs A is 0.25
        DetectionOutput at = det(2, CodeType.CORNER, true, 0.25f, -1, 1f, -1, 0.1f);
        assertEquals(2, detect(at, 1, new float[12], twoClass(0.9f, 0.8f, 0.7f), pr).length);
    }

    @Test
    void tiedScoresKeepTheLowerPrior() throws ModelException {
        DetectionOutput d = det(2, CodeType.CORNER, true, 0.45f, -1, 1f, -1, 0.1f);
        float[][] a = detect(d, 1, new float[8], twoClass(0.5f, 0.5f),
                priors(new float[][] {{0, 0, 1, 1}, {0.1f, 0, 1, 1}}, UNIT_VARIANCE));
        assertRows(new float[][] {{0, 1, 0.5f, 0, 0, 1, 1}}, a);
        float[][] b = detect(d, 1, new float[8], twoClass(0.5f, 0.5f),
                priors(new float[][] {{0.1f, 0, 1, 1}, {0, 0, 1, 1}}, UNIT_VARIANCE));
        assertRows(new float[][] {{0, 1, 0.5f, 0.1f, 0, 1, 1}}, b);
    }

    @Test
    void noDetectionGivesOneRowPerImageOnlyWhenTheWholeBatchHasNone() throws ModelException {
        float[] pr = priors(new float[][] {{0, 0, 1, 1}, {0.5f, 0.5f, 1, 1}}, UNIT_VARIANCE);
        DetectionOutput d = det(2, CodeType.CORNER, true, 0.45f, -1, 1f, -1, 0.5f);
        float[] low = twoClass(0.2f, 0.3f);
        float[] conf2 = new float[8];
        System.arraycopy(low, 0, conf2, 0, 4);
        System.arraycopy(low, 0, conf2, 4, 4);
        assertRows(new float[][] {{0, -1, -1, -1, -1, -1, -1}, {1, -1, -1, -1, -1, -1, -1}},
                detect(d, 2, new float[16], conf2, pr));
        // the second image finds one box: the first image has no row
        System.arraycopy(twoClass(0.2f, 0.6f), 0, conf2, 4, 4);
        assertRows(new float[][] {{1, 1, 0.6f, 0.5f, 0.5f, 1, 1}}, detect(d, 2, new float[16], conf2, pr));
    }

    @Test
    void etaShrinksTheThresholdAfterEachKeptBoxWhileAboveOneHalf() throws ModelException {
        float[] pr = priors(new float[][] {{0, 0, 1, 1}, {0, 0, 1, 0.6f}, {0, 0, 1, 0.3f}}, UNIT_VARIANCE);
        float[] conf = twoClass(0.9f, 0.8f, 0.7f);
        // overlaps: B-A 0.6, C-A 0.3, C-B 0.5
        assertEquals(2, detect(det(2, CodeType.CORNER, true, 0.55f, -1, 1f, -1, 0f), 1, new float[12], conf, pr)
                .length, "eta 1: A and C");
        float[][] shrunk = detect(det(2, CodeType.CORNER, true, 0.55f, -1, 0.5f, -1, 0f), 1, new float[12], conf,
                pr);
        assertRows(new float[][] {{0, 1, 0.9f, 0, 0, 1, 1}}, shrunk);   // 0.55 -> 0.275 after A: C (0.3) goes
        assertEquals(3, detect(det(2, CodeType.CORNER, true, 0.9f, -1, 1f, -1, 0f), 1, new float[12], conf, pr)
                .length, "eta 1, threshold 0.9: all three");
        // 0.9 -> 0.45 after A: B (0.6) goes, C (0.3) stays, and 0.45 no longer shrinks
        assertEquals(2, detect(det(2, CodeType.CORNER, true, 0.9f, -1, 0.5f, -1, 0f), 1, new float[12], conf, pr)
                .length, "eta 0.5, threshold 0.9");
    }

    @Test
    void keepTopKChoosesOverAllClassesAndRowsGoByLabel() throws ModelException {
        float[] pr = priors(new float[][] {{0, 0, 0.2f, 0.2f}, {0.4f, 0.4f, 0.6f, 0.6f}, {0.8f, 0.8f, 1, 1}},
                UNIT_VARIANCE);
        float[] conf = {0, 0.9f, 0.8f, 0, 0.3f, 0.7f, 0, 0.5f, 0.1f};   // per prior: background, class 1, class 2
        assertRows(new float[][] {{0, 1, 0.9f, 0, 0, 0.2f, 0.2f}, {0, 2, 0.8f, 0, 0, 0.2f, 0.2f},
            {0, 2, 0.7f, 0.4f, 0.4f, 0.6f, 0.6f}},
                detect(det(3, CodeType.CORNER, true, 0.45f, -1, 1f, 3, 0.05f), 1, new float[12], conf, pr));
        // top_k 1 before NMS: the best of each class
        assertRows(new float[][] {{0, 1, 0.9f, 0, 0, 0.2f, 0.2f}, {0, 2, 0.8f, 0, 0, 0.2f, 0.2f}},
                detect(det(3, CodeType.CORNER, true, 0.45f, 1, 1f, -1, 0.05f), 1, new float[12], conf, pr));
        // no keep_top_k: every class's boxes, scores descending within a label
        assertRows(new float[][] {{0, 1, 0.9f, 0, 0, 0.2f, 0.2f}, {0, 1, 0.5f, 0.8f, 0.8f, 1, 1},
            {0, 1, 0.3f, 0.4f, 0.4f, 0.6f, 0.6f}, {0, 2, 0.8f, 0, 0, 0.2f, 0.2f}, {0, 2, 0.7f, 0.4f, 0.4f, 0.6f, 0.6f},
            {0, 2, 0.1f, 0.8f, 0.8f, 1, 1}},
                detect(det(3, CodeType.CORNER, true, 0.45f, -1, 1f, -1, 0.05f), 1, new float[12], conf, pr));
    }

    @Test
    void centerSizeDecodingWithVariancesAndPerClassLocations() throws ModelException {
        // two classes, no background (-1), a location per class
        DetectionOutput d = new DetectionOutput(2, false, -1, CodeType.CENTER_SIZE, false, 0.45f, -1, 1f, -1, 0f);
        float[] pr = priors(new float[][] {{0.2f, 0.2f, 0.6f, 0.6f}}, 0.1f, 0.1f, 0.2f, 0.2f);
        float[] loc = {1, -1, 0, 0, 0, 0, (float) (Math.log(2) / 0.2), 0};
        assertRows(new float[][] {{0, 0, 0.6f, 0.24f, 0.16f, 0.64f, 0.56f}, {0, 1, 0.7f, 0, 0.2f, 0.8f, 0.6f}},
                detect(d, 1, loc, new float[] {0.6f, 0.7f}, pr));
    }

    @Test
    void cornerCodesWithAndWithoutVarianceInTheTarget() throws ModelException {
        float[] pr = priors(new float[][] {{0.2f, 0.2f, 0.6f, 0.6f}}, 0.1f, 0.1f, 0.2f, 0.2f);
        float[] loc = {1, 1, -1, -1};
        float[] conf = twoClass(0.9f);
        assertRows(new float[][] {{0, 1, 0.9f, 0.24f, 0.24f, 0.52f, 0.52f}},
                detect(det(2, CodeType.CORNER_SIZE, false, 0.45f, -1, 1f, -1, 0f), 1, loc, conf, pr));
        assertRows(new float[][] {{0, 1, 0.9f, 0.6f, 0.6f, 0.2f, 0.2f}},
                detect(det(2, CodeType.CORNER_SIZE, true, 0.45f, -1, 1f, -1, 0f), 1, loc, conf, pr));
        assertRows(new float[][] {{0, 1, 0.9f, 0.3f, 0.3f, 0.4f, 0.4f}},
                detect(det(2, CodeType.CORNER, false, 0.45f, -1, 1f, -1, 0f), 1, loc, conf, pr));
        assertRows(new float[][] {{0, 1, 0.9f, 1.2f, 1.2f, -0.4f, -0.4f}},
                detect(det(2, CodeType.CORNER, true, 0.45f, -1, 1f, -1, 0f), 1, loc, conf, pr));
    }

    @Test
    void insideOutBoxesNeverSuppressEachOther() throws ModelException {
        float[] pr = priors(new float[][] {{0.2f, 0.2f, 0.6f, 0.6f}, {0.2f, 0.2f, 0.6f, 0.6f}}, UNIT_VARIANCE);
        float[] loc = {0.5f, 0, -0.3f, 0, 0.5f, 0, -0.3f, 0};   // xmin 0.7 > xmax 0.3: size 0
        assertEquals(2, detect(det(2, CodeType.CORNER, true, 0.45f, -1, 1f, -1, 0f), 1, loc,
                twoClass(0.9f, 0.8f), pr).length);
    }

    @Test
    void aPriorWithoutWidthCannotBeDecodedBySize() {
        float[] pr = priors(new float[][] {{0.2f, 0.2f, 0.2f, 0.6f}}, UNIT_VARIANCE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> detect(
                det(2, CodeType.CENTER_SIZE, false, 0.45f, -1, 1f, -1, 0f), 1, new float[4], twoClass(0.9f), pr));
        assertTrue(e.getMessage().contains("CHECK_GT(prior_width, 0)"), e.getMessage());
    }

    @Test
    void outputBoundAndChecks() throws ModelException {
        DetectionOutput d = det(21, CodeType.CENTER_SIZE, false, 0.45f, 100, 1f, 100, 0.25f);
        assertEquals(100, d.maxPerImage(1917));
        assertEquals(200, d.maxRows(2, 1917));
        assertEquals(20 * 3, det(21, CodeType.CENTER_SIZE, false, 0.45f, 100, 1f, -1, 0f).maxPerImage(3));
        assertEquals(2, det(2, CodeType.CORNER, false, 0.45f, 0, 1f, -1, 0f).maxRows(2, 10), "top_k 0: the empty rows");
        assertThrows(ModelException.class, () -> d.outputShapes(List.of(Shape.of(1, 4 * 10), Shape.of(1, 21 * 11),
                Shape.of(1, 2, 40))), "confidences for 11 priors");
        assertThrows(ModelException.class, () -> d.outputShapes(List.of(Shape.of(1, 4 * 10), Shape.of(1, 21 * 10),
                Shape.of(1, 1, 40))), "priors without variances");
        assertThrows(IllegalArgumentException.class, () -> new DetectionOutput(2, true, -1, CodeType.CORNER, false,
                0.45f, -1, 1f, -1, 0f), "the fork aborts with shared locations and no background");
    }

    // ----- std::sort ------------------------------------------------------------------------------------------

    @Test
    void stdSortSortsAndIsStableOnlyUpTo16Elements() {
        SplittableRandom r = new SplittableRandom(3);
        for (int n : new int[] {0, 1, 2, 5, 16, 17, 40, 300, 5000}) {
            float[] key = new float[n];
            for (int i = 0; i < n; i++) {
                key[i] = r.nextInt(7);   // many ties
            }
            int[] v = new int[n];
            for (int i = 0; i < n; i++) {
                v[i] = i;
            }
            StdSort.sort(v, (a, b) -> key[a] > key[b]);
            int[] sorted = v.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) {
                assertEquals(i, sorted[i], "a permutation");
            }
            boolean stable = true;
            for (int i = 1; i < n; i++) {
                assertTrue(key[v[i - 1]] >= key[v[i]], "descending at " + i + " of " + n);
                stable &= key[v[i - 1]] != key[v[i]] || v[i - 1] < v[i];
            }
            if (n <= 16) {
                assertTrue(stable, "insertion sort keeps ties in order for " + n);
            }
        }
    }
}
