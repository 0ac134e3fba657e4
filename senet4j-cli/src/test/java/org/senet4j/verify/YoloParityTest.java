package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.verify.caffe.ForkCaffe;

/**
 * eric612/MobileNet-YOLO's YOLO layers against the fork itself (../shared/fork-caffe, seeded filler weights saved as
 * a caffemodel that senet4j loads), batch 1 and 2, every blob on the reference and CPU engines (passes on and off),
 * and the detections row for row: Reorg (stride 2 and 3, forward and reverse; ONNX Runtime too), YoloDetectionOutput
 * (one and two bottoms, num_box, biases, confidence and NMS thresholds) and Yolov3DetectionOutput (two and three
 * bottoms, a non-square grid, mask, mask_group_num, anchors_scale, num_box, num_classes, thresholds), the empty result
 * and tied scores (zero weights: every cell scores the same). The heads' ONNX export is refused naming the layer and
 * the cut; the cut graph's ONNX export is checked on every blob it has.
 *
 * <p>The fork's Reorg keeps the shapes it was set up with when its input is reshaped, so each batch size gets its
 * own prototxt ({@code %1$d} is the batch).
 */
class YoloParityTest {
    @TempDir
    Path dir;

    private static final Map<String, Double> WORST = new TreeMap<>();
    private static final Map<String, String> FOUND = new TreeMap<>();
    private static int rows;

    @AfterAll
    static void report() {
        System.out.println("YoloParityTest worst relative errors (detections: absolute): " + WORST + "; " + rows
                + " detection rows compared; detections found by the fork: " + FOUND);
    }

    static final String REORG = """
            name: "reorg"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: %1$d dim: 3 dim: 6 dim: 6 } } }
            layer { name: "c1" type: "Convolution" bottom: "data" top: "c1"
                    convolution_param { num_output: 36 kernel_size: 3 pad: 1 weight_filler { type: "gaussian" std: 0.3 }
                                        bias_filler { type: "uniform" min: -0.2 max: 0.2 } } }
            layer { name: "r2" type: "Reorg" bottom: "c1" top: "r2" reorg_param { stride: 2 } }
            layer { name: "r3" type: "Reorg" bottom: "c1" top: "r3" reorg_param { stride: 3 } }
            layer { name: "r2b" type: "Reorg" bottom: "c1" top: "r2b" reorg_param { stride: 2 reverse: true } }
            layer { name: "r3b" type: "Reorg" bottom: "c1" top: "r3b" reorg_param { stride: 3 reverse: true } }
            layer { name: "r1" type: "Reorg" bottom: "c1" top: "r1" reorg_param { stride: 1 } }
            layer { name: "back" type: "Reorg" bottom: "r2" top: "back" reorg_param { stride: 2 reverse: true } }
            layer { name: "c2" type: "Convolution" bottom: "r2" top: "c2"
                    convolution_param { num_output: 4 kernel_size: 1 weight_filler { type: "gaussian" std: 0.1 } } }
            """;

    /** A YOLOv2 head: 16 x 16 input, bottom a 8 x 8, bottom b 4 x 4 (used when {@code two}). */
    static String v2(boolean two, int boxes, int classes, String filler, String params) {
        int c = boxes * (5 + classes);
        return """
                name: "yolo2"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: %%1$d dim: 3 dim: 16 dim: 16 } } }
                layer { name: "f" type: "Convolution" bottom: "data" top: "f"
                        convolution_param { num_output: 8 kernel_size: 3 stride: 2 pad: 1
                                            weight_filler { type: "gaussian" std: 0.3 } } }
                layer { name: "head_a" type: "Convolution" bottom: "f" top: "head_a"
                        convolution_param { num_output: %1$d kernel_size: 1 %2$s } }
                layer { name: "fp" type: "Pooling" bottom: "f" top: "fp" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
                layer { name: "head_b" type: "Convolution" bottom: "fp" top: "head_b"
                        convolution_param { num_output: %1$d kernel_size: 1 %2$s } }
                layer { name: "detection_out" type: "YoloDetectionOutput" bottom: "head_a" %3$s top: "detection_out"
                        yolo_detection_output_param { num_classes: %4$d num_box: %5$d %6$s } }
                """.formatted(c, filler, two ? "bottom: \"head_b\"" : "", classes, boxes, params);
    }

    /**
     * A YOLOv3 head on a {@code h x w} input: bottoms at strides 2, 4 (and 8 with {@code three}), each
     * {@code boxes * (5 + classes)} channels (plus {@code extra}, which the fork skips).
     */
    static String v3(int h, int w, boolean three, int boxes, int classes, int extra, String filler, String params) {
        int c = boxes * (5 + classes) + extra;
        return """
                name: "yolo3"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: %%1$d dim: 3 dim: %1$d dim: %2$d } } }
                layer { name: "f" type: "Convolution" bottom: "data" top: "f"
                        convolution_param { num_output: 8 kernel_size: 3 stride: 2 pad: 1
                                            weight_filler { type: "gaussian" std: 0.3 } } }
                layer { name: "head_a" type: "Convolution" bottom: "f" top: "head_a"
                        convolution_param { num_output: %3$d kernel_size: 1 %4$s } }
                layer { name: "fp" type: "Pooling" bottom: "f" top: "fp" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
                layer { name: "head_b" type: "Convolution" bottom: "fp" top: "head_b"
                        convolution_param { num_output: %3$d kernel_size: 1 %4$s } }
                layer { name: "fq" type: "Pooling" bottom: "fp" top: "fq" pooling_param { pool: AVE kernel_size: 2 stride: 2 } }
                layer { name: "head_c" type: "Convolution" bottom: "fq" top: "head_c"
                        convolution_param { num_output: %3$d kernel_size: 1 %4$s } }
                layer { name: "detection_out" type: "Yolov3DetectionOutput" bottom: "head_b" bottom: "head_a" %5$s
                        top: "detection_out" yolov3_detection_output_param { num_classes: %6$d num_box: %7$d %8$s } }
                """.formatted(h, w, c, filler, three ? "bottom: \"head_c\"" : "", classes, boxes, params);
    }

    static final String FILLER = "weight_filler { type: \"gaussian\" std: 0.3 } bias_filler { type: \"uniform\" min: -1 max: 1 }";
    /** Zero weights: each prediction is its channel's bias, the same in every cell (tied scores everywhere). */
    static final String TIED = "weight_filler { type: \"constant\" value: 0 } bias_filler { type: \"uniform\" min: -1 max: 1 }";

    /** Runs the fork at batch 1 (seeded fillers) and 2 (the same weights); returns its detection counts. */
    private List<Integer> check(String name, String template, int[] shape, int minBlobs, boolean onnx)
            throws Exception {
        List<Integer> counts = new ArrayList<>();
        DetectionParity parity = new DetectionParity(dir);
        Path weights = null;
        for (int batch : new int[] {1, 2}) {
            Path proto = Files.writeString(dir.resolve(name + "_b" + batch + ".prototxt"), template.formatted(batch));
            ForkCaffe.Result r = parity.forkRun(name, proto, weights, shape, batch);
            weights = r.weights();
            Graph g = CaffeImporter.load(proto, weights).graph();
            ReferenceSet ref = DetectionParity.reference(r);
            parity.engines(name, g, ref, minBlobs, false);
            List<String> dets = DetectionParity.detectionBlobs(g);
            if (onnx) {
                parity.onnx(name, g, ref, minBlobs, DetectionParity.Onnx.EXACT);
            } else {
                parity.onnxRefusedThenCut(name, g, ref, Math.min(minBlobs, 3));
            }
            for (String d : dets) {
                int n = DetectionParity.detections(Npy.read(r.blobs().get(d)));
                counts.add(n);
                FOUND.merge(name, "b" + batch + ": " + n, (a, b) -> a + ", " + b);
            }
        }
        WORST.putAll(parity.worst());
        rows += parity.rows();
        return counts;
    }

    @Test
    void reorgStridesAndReverse() throws Exception {
        check("reorg", REORG, new int[] {1, 3, 6, 6}, 9, true);
    }

    @Test
    void yoloV2OneBottom() throws Exception {
        List<Integer> n = check("v2_one", v2(false, 2, 3, FILLER, "confidence_threshold: 0.2 nms_threshold: 0.45 "
                + "biases: 1.08 biases: 1.19 biases: 3.42 biases: 4.41"), new int[] {1, 3, 16, 16}, 4, false);
        assertTrue(n.get(0) > 0 && n.get(1) > n.get(0), n.toString());
    }

    @Test
    void yoloV2TwoBottomsDefaults() throws Exception {
        // num_box 5 and the thresholds at their defaults (0.01, 0.45); 4 classes
        List<Integer> n = check("v2_two", v2(true, 5, 4, FILLER, "biases: 1.08 biases: 1.19 biases: 3.42 biases: 4.41 "
                + "biases: 6.63 biases: 11.38 biases: 9.42 biases: 5.11 biases: 16.62 biases: 10.52"),
                new int[] {1, 3, 16, 16}, 6, false);
        assertTrue(n.get(0) > 0, n.toString());
    }

    @Test
    void yoloV2TiesAndLooseNms() throws Exception {
        check("v2_ties", v2(true, 2, 3, TIED, "confidence_threshold: 0.05 nms_threshold: 0.2 "
                + "biases: 2 biases: 3 biases: 5 biases: 1.5"), new int[] {1, 3, 16, 16}, 6, false);
    }

    @Test
    void yoloV2Empty() throws Exception {
        List<Integer> n = check("v2_empty", v2(true, 2, 3, FILLER, "confidence_threshold: 1 biases: 1 biases: 1 "
                + "biases: 2 biases: 2"), new int[] {1, 3, 16, 16}, 6, false);
        assertEquals(List.of(0, 0), n, "only the empty rows, one per image");
    }

    @Test
    void yoloV3TwoBottomsNonSquare() throws Exception {
        List<Integer> n = check("v3_two", v3(16, 24, false, 3, 3, 0, FILLER, "confidence_threshold: 0.3 "
                + "nms_threshold: 0.45 biases: 10 biases: 14 biases: 23 biases: 27 biases: 37 biases: 58 biases: 81 "
                + "biases: 82 biases: 135 biases: 169 biases: 344 biases: 319 mask: 3 mask: 4 mask: 5 mask: 0 mask: 1 "
                + "mask: 2 mask_group_num: 2 anchors_scale: 4 anchors_scale: 2"), new int[] {1, 3, 16, 24}, 6, false);
        assertTrue(n.get(0) > 0 && n.get(1) > n.get(0), n.toString());
    }

    @Test
    void yoloV3ThreeBottomsExtraChannelsMaskOrder() throws Exception {
        check("v3_three", v3(16, 16, true, 2, 2, 3, FILLER, "confidence_threshold: 0.5 nms_threshold: 0.3 "
                + "biases: 4 biases: 6 biases: 12 biases: 9 biases: 20 biases: 30 biases: 7 biases: 7 "
                + "mask: 2 mask: 0 mask: 1 mask: 3 mask: 0 mask: 0 mask_group_num: 3 anchors_scale: 4 "
                + "anchors_scale: 2 anchors_scale: 8"), new int[] {1, 3, 16, 16}, 7, false);
    }

    @Test
    void yoloV3TiesDefaults() throws Exception {
        // thresholds, num_box 3 and mask_group_num 2 at their defaults
        check("v3_ties", v3(16, 16, false, 3, 2, 0, TIED, "biases: 3 biases: 4 biases: 8 biases: 5 biases: 6 "
                + "biases: 12 mask: 0 mask: 1 mask: 2 mask: 2 mask: 1 mask: 0 anchors_scale: 4 anchors_scale: 2"),
                new int[] {1, 3, 16, 16}, 6, false);
    }

    @Test
    void yoloV3Empty() throws Exception {
        List<Integer> n = check("v3_empty", v3(16, 16, false, 1, 3, 0, FILLER, "confidence_threshold: 0.999 "
                + "biases: 3 biases: 4 mask: 0 mask: 0 anchors_scale: 4 anchors_scale: 2"),
                new int[] {1, 3, 16, 16}, 6, false);
        assertEquals(List.of(0, 0), n, "only the empty rows, one per image");
    }
}
