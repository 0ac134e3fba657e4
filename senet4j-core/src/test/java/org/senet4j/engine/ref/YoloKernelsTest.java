package org.senet4j.engine.ref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.DetectionRows;
import org.senet4j.ir.op.Reorg;
import org.senet4j.ir.op.YoloDetectionOutput;

/** Reorg and the YOLO heads on inputs small enough to compute by hand from the fork's formulas. */
class YoloKernelsTest {
    private static float[] iota(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }

    @Test
    void reorgForwardIsDarknetsOrderNotSpaceToDepth() throws ModelException {
        Reorg r = new Reorg(2, false);
        Shape in = Shape.of(1, 4, 2, 2);
        assertEquals(List.of(Shape.of(1, 16, 1, 1)), r.outputShapes(List.of(in)));
        float[] y = new float[16];
        r.apply(in, iota(16), y);
        // output (c, h, w) over the input's 4 x 2 x 2 reads the input seen as 1 x 4 x 4 at (h 2 + c / 2, w 2 + c % 2)
        assertArrayEquals(new float[] {0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15}, y);
        // ONNX SpaceToDepth (blocksize 2) of this 1 x 4 x 2 x 2 input would give the channels 0, 4, 8, 12 first
    }

    @Test
    void reorgReverseAndBatch() throws ModelException {
        Reorg r = new Reorg(2, true);
        Shape in = Shape.of(2, 4, 1, 1);
        assertEquals(List.of(Shape.of(2, 1, 2, 2)), r.outputShapes(List.of(in)));
        float[] y = new float[8];
        r.apply(in, iota(8), y);
        assertArrayEquals(iota(8), y);
        float[] z = new float[16];
        new Reorg(2, true).apply(Shape.of(1, 4, 2, 2), iota(16), z);
        // input (c, h, w) goes to (h 2 + c / 2, w 2 + c % 2) of the 1 x 4 x 4 output
        assertArrayEquals(new float[] {0, 4, 1, 5, 8, 12, 9, 13, 2, 6, 3, 7, 10, 14, 11, 15}, z);
        assertThrows(ModelException.class, () -> new Reorg(3, false).outputShapes(List.of(Shape.of(1, 8, 3, 3))));
        assertThrows(ModelException.class, () -> new Reorg(2, false).outputShapes(List.of(Shape.of(1, 4, 3, 2))));
    }

    private static YoloDetectionOutput v3(float nms, float threshold) {
        return new YoloDetectionOutput(YoloDetectionOutput.Version.V3, 1, 1, threshold, nms, List.of(16f, 8f),
                List.of(0), List.of(8), 1);
    }

    /** One image, 1 x 6 x 1 x 2: t_x, t_y, t_w, t_h, objectness, class per cell (planes of 2). */
    private static float[] v3Input() {
        return new float[] {0, 0, 0, 0, 0, 0, 0, 0, 10, 10, 0, 2};
    }

    @Test
    void yoloV3HandComputed() throws ModelException {
        Shape s = Shape.of(1, 6, 1, 2);
        YoloDetectionOutput d = v3(0.45f, 0.3f);
        assertEquals(List.of(Shape.of(1, 1, 2, 7)), d.outputShapes(List.of(s)));
        float[] out = new float[14];
        YoloKernels.detect(d, List.of(s), List.of(v3Input()), out);
        float obj = (float) (1 / (1 + Math.exp(-10)));
        float s1 = (float) (1 / (1 + Math.exp(-2))) * obj;
        float s0 = 0.5f * obj;
        // cell 1 (x = 1.5 / 2, w = 16 / (2 * 8)) first, then cell 0 (IoU 1/3 < 0.45 keeps it); labels from 1
        assertRows(new float[] {0, 1, s1, 0.25f, 0, 1.25f, 1, 0, 1, s0, -0.25f, 0, 0.75f, 1}, out);
        // NMS at 0.3 drops cell 0
        YoloKernels.detect(v3(0.3f, 0.3f), List.of(s), List.of(v3Input()), out);
        assertRows(new float[] {0, 1, s1, 0.25f, 0, 1.25f, 1, -1, -1, -1, -1, -1, -1, -1}, out);
        assertEquals(1, DetectionRows.rows(out));
    }

    @Test
    void yoloV3PoolsTheBatchIntoOneNms() throws ModelException {
        Shape s = Shape.of(2, 6, 1, 2);
        float[] x = new float[24];
        System.arraycopy(v3Input(), 0, x, 0, 12);
        System.arraycopy(v3Input(), 0, x, 12, 12);
        YoloDetectionOutput d = v3(0.45f, 0.3f);
        float[] out = new float[(int) d.maxRows(List.of(s)) * 7];
        YoloKernels.detect(d, List.of(s), List.of(x), out);
        // image 1's boxes are image 0's (IoU 1): suppressed; every row says image 0
        assertEquals(2, DetectionRows.rows(out));
        assertEquals(0f, out[0]);
        assertEquals(0f, out[7]);
        // nothing above the threshold: one row per image, [i, -1, ...]
        YoloKernels.detect(v3(0.45f, 0.99f), List.of(s), List.of(x), out);
        assertEquals(2, DetectionRows.rows(out));
        assertArrayEquals(new float[] {0, -1, -1, -1, -1, -1, -1, 1, -1, -1, -1, -1, -1, -1},
                Arrays.copyOf(out, 14));
    }

    private static YoloDetectionOutput v2(float threshold) {
        return new YoloDetectionOutput(YoloDetectionOutput.Version.V2, 2, 1, threshold, 0.45f, List.of(2f, 3f),
                List.of(), List.of(), 0);
    }

    @Test
    void yoloV2HandComputed() throws ModelException {
        Shape s = Shape.of(1, 7, 1, 1);
        float[] x = {0, 0, (float) Math.log(2), 0, 0, 0, (float) Math.log(3)};
        float[] out = new float[7];
        YoloKernels.detect(v2(0.37f), List.of(s), List.of(x), out);
        // softmax (1/4, 3/4): class 1, label 2, score sigmoid(0) 3/4; box centre (0.5, 0.5), size exp(ln 2) 2 = 4 by 3
        assertRows(new float[] {0, 2, 0.375f, -1.5f, -1, 2.5f, 2}, out);
        // tied classes: the first wins; score exactly 0.5 * 0.5, kept at a threshold equal to it (>=)
        float[] tied = {0, 0, 0, 0, 0, 0, 0};
        YoloKernels.detect(v2(0.25f), List.of(s), List.of(tied), out);
        assertArrayEquals(new float[] {0, 1, 0.25f, -0.5f, -1, 1.5f, 2}, out);
        YoloKernels.detect(v2(0.2501f), List.of(s), List.of(tied), out);
        assertArrayEquals(new float[] {0, -1, -1, -1, -1, -1, -1}, out);
    }

    @Test
    void headsCheckTheirBottoms() {
        YoloDetectionOutput v2 = new YoloDetectionOutput(YoloDetectionOutput.Version.V2, 2, 1, 0.3f, 0.45f,
                List.of(2f, 3f), List.of(), List.of(), 0);
        ModelException square = assertThrows(ModelException.class, () -> v2.outputShapes(List.of(Shape.of(1, 7, 2, 3))));
        assertTrue(square.getMessage().contains("square"), square.getMessage());
        assertThrows(ModelException.class, () -> v2.outputShapes(List.of(Shape.of(1, 6, 2, 2))));
        ModelException groups = assertThrows(ModelException.class,
                () -> v3(0.45f, 0.3f).outputShapes(List.of(Shape.of(1, 6, 1, 2), Shape.of(1, 6, 1, 2))));
        assertTrue(groups.getMessage().contains("mask_group_num"), groups.getMessage());
        YoloDetectionOutput badMask = new YoloDetectionOutput(YoloDetectionOutput.Version.V3, 1, 1, 0.3f, 0.45f,
                List.of(16f, 8f), List.of(1), List.of(8), 1);
        ModelException mask = assertThrows(ModelException.class,
                () -> badMask.outputShapes(List.of(Shape.of(1, 6, 1, 2))));
        assertTrue(mask.getMessage().contains("yolov3_detection_output_param.mask"), mask.getMessage());
    }

    private static void assertRows(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6, "element " + i + " of " + Arrays.toString(actual));
        }
    }
}
