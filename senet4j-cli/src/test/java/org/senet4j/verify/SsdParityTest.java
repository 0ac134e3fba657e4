package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.onnx.ExportOptions;
import org.senet4j.onnx.OnnxExporter;
import org.senet4j.verify.caffe.CaffeOracleException;
import org.senet4j.verify.caffe.ForkCaffe;

/**
 * The SSD fork's layers against the fork itself (../shared/fork-caffe, seeded filler weights saved as a caffemodel
 * that senet4j loads), batch 1 and 2, every blob on the reference and CPU engines (passes on and off) and ONNX Runtime
 * (folding on and off), and the detections row for row (image, label, score and box within 1e-4, in the fork's
 * order): PriorBox in every parameter form (min/max sizes, aspect ratios with and without flip and with duplicates,
 * clip, one or four variances, step, step_h/step_w, offset, img_size, img_h/img_w, one bottom, a fractional min size),
 * Permute (full, partial and identity orders, the batch axis moved), Normalize (across_spatial, channel_shared, eps,
 * a 2-D input), Flatten after Permute, and DetectionOutput with each code type, variance in the target or not,
 * shared and per-class locations, background first, last and none, confidence thresholds, top_k, keep_top_k, eta,
 * Softmax and Sigmoid confidences, the empty result and tied scores.
 */
class SsdParityTest {
    @TempDir
    Path dir;

    private static final Map<String, Double> WORST = new TreeMap<>();
    private static int rows;

    @AfterAll
    static void report() {
        System.out.println("SsdParityTest worst relative errors (detections: absolute): " + WORST + "; " + rows
                + " detection rows compared");
    }

    static final String PRIORS = """
            name: "priors"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 30 dim: 40 } } }
            layer { name: "f1" type: "Convolution" bottom: "data" top: "f1"
                    convolution_param { num_output: 2 kernel_size: 3 stride: 4 weight_filler { type: "gaussian" std: 0.3 } } }
            layer { name: "f2" type: "Pooling" bottom: "data" top: "f2" pooling_param { pool: MAX kernel_size: 8 stride: 8 } }
            layer { name: "p_a" type: "PriorBox" bottom: "f1" bottom: "data" top: "p_a"
                    prior_box_param { min_size: 6 max_size: 12 aspect_ratio: 2 aspect_ratio: 3 flip: true
                                      variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 } }
            layer { name: "p_b" type: "PriorBox" bottom: "f1" bottom: "data" top: "p_b"
                    prior_box_param { min_size: 10 aspect_ratio: 2 aspect_ratio: 0.5 flip: false clip: true variance: 0.15 } }
            layer { name: "p_c" type: "PriorBox" bottom: "f2" bottom: "data" top: "p_c"
                    prior_box_param { min_size: 20.7 aspect_ratio: 1.5 img_size: 64 step: 16 offset: 0 } }
            layer { name: "p_d" type: "PriorBox" bottom: "f2" bottom: "data" top: "p_d"
                    prior_box_param { min_size: 8 min_size: 16 max_size: 12 max_size: 30 img_h: 48 img_w: 80
                                      step_h: 12 step_w: 16 clip: true variance: 0.1 variance: 0.2 variance: 0.3 variance: 0.4 } }
            layer { name: "p_e" type: "PriorBox" bottom: "f2" top: "p_e"
                    prior_box_param { min_size: 9 img_size: 50 aspect_ratio: 2 aspect_ratio: 0.5 aspect_ratio: 2 aspect_ratio: 1 } }
            layer { name: "p_f" type: "PriorBox" bottom: "f1" bottom: "data" top: "p_f"
                    prior_box_param { min_size: 4 offset: 0.25 step: 3.5 } }
            layer { name: "priors" type: "Concat" bottom: "p_a" bottom: "p_b" bottom: "p_c" bottom: "p_d" bottom: "p_e"
                    bottom: "p_f" top: "priors" concat_param { axis: 2 } }
            """;

    static final String PERMUTE_NORMALIZE = """
            name: "permute_normalize"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 6 dim: 8 } } }
            layer { name: "c1" type: "Convolution" bottom: "data" top: "c1"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 weight_filler { type: "gaussian" std: 0.3 }
                                        bias_filler { type: "uniform" min: -0.2 max: 0.2 } } }
            layer { name: "n1" type: "Normalize" bottom: "c1" top: "n1"
                    norm_param { across_spatial: false channel_shared: false scale_filler { type: "gaussian" std: 2 } } }
            layer { name: "n2" type: "Normalize" bottom: "c1" top: "n2"
                    norm_param { across_spatial: true channel_shared: true scale_filler { type: "constant" value: 20 } } }
            layer { name: "n3" type: "Normalize" bottom: "c1" top: "n3"
                    norm_param { across_spatial: true channel_shared: false eps: 0.01
                                 scale_filler { type: "uniform" min: 0.5 max: 1.5 } } }
            layer { name: "n4" type: "Normalize" bottom: "c1" top: "n4" norm_param { across_spatial: false eps: 1 } }
            layer { name: "ip" type: "InnerProduct" bottom: "c1" top: "ip"
                    inner_product_param { num_output: 6 weight_filler { type: "gaussian" std: 0.2 } } }
            layer { name: "n5" type: "Normalize" bottom: "ip" top: "n5" norm_param { across_spatial: false } }
            layer { name: "p1" type: "Permute" bottom: "c1" top: "p1" permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "flat1" type: "Flatten" bottom: "p1" top: "flat1" flatten_param { axis: 1 } }
            layer { name: "p2" type: "Permute" bottom: "n1" top: "p2" permute_param { order: 0 order: 3 } }
            layer { name: "flat2" type: "Flatten" bottom: "p2" top: "flat2" flatten_param { axis: 2 } }
            layer { name: "p3" type: "Permute" bottom: "c1" top: "p3" permute_param { order: 1 order: 0 order: 2 order: 3 } }
            layer { name: "p4" type: "Permute" bottom: "c1" top: "p4" permute_param { order: 0 order: 1 order: 2 order: 3 } }
            layer { name: "p5" type: "Permute" bottom: "n3" top: "p5" permute_param { order: 2 } }
            """;

    /**
     * A two-map SSD head on a 32 x 32 input: 16 x 16 with 4 priors per position, 8 x 8 with 3 (1216 priors), {@code C}
     * classes, {@code L} location classes, confidences through {@code activation} (Softmax or Sigmoid).
     */
    static String detectionNet(int classes, boolean share, String activation, String confFiller, String params) {
        int l = share ? 1 : classes;
        String conf = activation.equals("Softmax")
                ? """
                  layer { name: "conf_reshape" type: "Reshape" bottom: "mbox_conf" top: "conf_reshape"
                          reshape_param { shape { dim: 0 dim: -1 dim: %d } } }
                  layer { name: "conf_act" type: "Softmax" bottom: "conf_reshape" top: "conf_act" softmax_param { axis: 2 } }
                  layer { name: "conf_flat" type: "Flatten" bottom: "conf_act" top: "conf_flat" }
                  """.formatted(classes)
                : """
                  layer { name: "conf_flat" type: "Sigmoid" bottom: "mbox_conf" top: "conf_flat" }
                  """;
        return """
                name: "ssd"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } } }
                layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                        convolution_param { num_output: 8 kernel_size: 3 stride: 2 pad: 1
                                            weight_filler { type: "gaussian" std: 0.3 } bias_filler { type: "uniform" min: -0.1 max: 0.1 } } }
                layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
                layer { name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2"
                        convolution_param { num_output: 8 kernel_size: 3 stride: 2 pad: 1
                                            weight_filler { type: "gaussian" std: 0.3 } bias_filler { type: "uniform" min: -0.1 max: 0.1 } } }
                layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }
                %s
                %s
                layer { name: "mbox_loc" type: "Concat" bottom: "conv1_loc_flat" bottom: "conv2_loc_flat" top: "mbox_loc" }
                layer { name: "mbox_conf" type: "Concat" bottom: "conv1_conf_flat" bottom: "conv2_conf_flat" top: "mbox_conf" }
                layer { name: "mbox_priorbox" type: "Concat" bottom: "conv1_priorbox" bottom: "conv2_priorbox" top: "mbox_priorbox"
                        concat_param { axis: 2 } }
                %s
                layer { name: "detection_out" type: "DetectionOutput" bottom: "mbox_loc" bottom: "conf_flat"
                        bottom: "mbox_priorbox" top: "detection_out" include { phase: TEST }
                        detection_output_param { num_classes: %d share_location: %b %s } }
                """.formatted(head("conv1", 4, l, classes, confFiller,
                        "min_size: 4 max_size: 8 aspect_ratio: 2 flip: true variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2"),
                head("conv2", 3, l, classes, confFiller,
                        "min_size: 8 max_size: 16 aspect_ratio: 2 flip: false clip: true variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2"),
                conf, classes, share, params);
    }

    private static String head(String map, int priors, int l, int classes, String confFiller, String priorParams) {
        return """
                layer { name: "%1$s_loc" type: "Convolution" bottom: "%1$s" top: "%1$s_loc"
                        convolution_param { num_output: %2$d kernel_size: 3 pad: 1
                                            weight_filler { type: "gaussian" std: 0.05 } bias_filler { type: "uniform" min: -0.1 max: 0.1 } } }
                layer { name: "%1$s_loc_perm" type: "Permute" bottom: "%1$s_loc" top: "%1$s_loc_perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
                layer { name: "%1$s_loc_flat" type: "Flatten" bottom: "%1$s_loc_perm" top: "%1$s_loc_flat" flatten_param { axis: 1 } }
                layer { name: "%1$s_conf" type: "Convolution" bottom: "%1$s" top: "%1$s_conf"
                        convolution_param { num_output: %3$d kernel_size: 3 pad: 1 %4$s } }
                layer { name: "%1$s_conf_perm" type: "Permute" bottom: "%1$s_conf" top: "%1$s_conf_perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
                layer { name: "%1$s_conf_flat" type: "Flatten" bottom: "%1$s_conf_perm" top: "%1$s_conf_flat" flatten_param { axis: 1 } }
                layer { name: "%1$s_priorbox" type: "PriorBox" bottom: "%1$s" bottom: "data" top: "%1$s_priorbox"
                        prior_box_param { %5$s } }
                """.formatted(map, priors * l * 4, priors * classes, confFiller, priorParams);
    }

    static final String CONF_FILLER = "weight_filler { type: \"gaussian\" std: 0.3 } bias_filler { type: \"uniform\" min: -1 max: 1 }";
    /** Zero weights: each confidence is its channel's bias, the same at every position (ties everywhere). */
    static final String TIED_FILLER = "weight_filler { type: \"constant\" value: 0 } bias_filler { type: \"uniform\" min: -1 max: 1 }";

    /**
     * Runs the fork at batch 1 (seeded fillers) and 2 (the same weights); checks both on every backend.
     *
     * @return the fork's detection counts (rows that are detections), at batch 1 then 2
     */
    private java.util.List<Integer> check(String name, String prototxt, int[] shape, int minBlobs,
                                          DetectionParity.Onnx onnx) throws Exception {
        java.util.List<Integer> counts = new java.util.ArrayList<>();
        Path proto = Files.writeString(dir.resolve(name + ".prototxt"), prototxt);
        DetectionParity parity = new DetectionParity(dir);
        Path weights = null;
        for (int batch : new int[] {1, 2}) {
            ForkCaffe.Result r = parity.forkRun(name, proto, weights, shape, batch);
            weights = r.weights();
            Graph g = CaffeImporter.load(proto, weights).graph();
            ReferenceSet ref = DetectionParity.reference(r);
            parity.engines(name, g, ref, minBlobs, false);
            parity.onnx(name, g, ref, minBlobs, onnx);
            for (String d : DetectionParity.detectionBlobs(g)) {
                int n = DetectionParity.detections(Npy.read(r.blobs().get(d)));
                counts.add(n);
                System.out.printf("SsdParityTest %s batch %d: the fork found %d detections%n", name, batch, n);
            }
        }
        WORST.putAll(parity.worst());
        rows += parity.rows();
        return counts;
    }

    @Test
    void priorBoxInEveryParameterForm() throws Exception {
        check("priors", PRIORS, new int[] {1, 3, 30, 40}, 9, DetectionParity.Onnx.EXACT);
    }

    @Test
    void permuteNormalizeAndFlatten() throws Exception {
        check("permute_normalize", PERMUTE_NORMALIZE, new int[] {1, 3, 6, 8}, 15, DetectionParity.Onnx.EXACT);
    }

    @Test
    void centerSizeSharedLocationsBackgroundFirst() throws Exception {
        check("center", detectionNet(3, true, "Softmax", CONF_FILLER, "background_label_id: 0 code_type: CENTER_SIZE "
                + "nms_param { nms_threshold: 0.45 top_k: 100 } keep_top_k: 60 confidence_threshold: 0.05"),
                new int[] {1, 3, 32, 32}, 24, DetectionParity.Onnx.EXACT);
    }

    @Test
    void cornerPerClassLocationsNoThreshold() throws Exception {
        check("corner", detectionNet(3, false, "Softmax", CONF_FILLER, "background_label_id: 0 code_type: CORNER "
                + "nms_param { nms_threshold: 0.5 top_k: 40 }"), new int[] {1, 3, 32, 32}, 24,
                DetectionParity.Onnx.EXACT);
    }

    @Test
    void cornerSizeVarianceInTargetBackgroundLast() throws Exception {
        check("corner_size", detectionNet(3, true, "Softmax", CONF_FILLER, "background_label_id: 2 "
                + "code_type: CORNER_SIZE variance_encoded_in_target: true nms_param { nms_threshold: 0.3 } "
                + "confidence_threshold: 0.3"), new int[] {1, 3, 32, 32}, 24, DetectionParity.Onnx.EXACT);
    }

    @Test
    void sigmoidConfidencesNoBackgroundPerClassLocations() throws Exception {
        check("sigmoid", detectionNet(3, false, "Sigmoid", CONF_FILLER, "background_label_id: -1 "
                + "code_type: CENTER_SIZE variance_encoded_in_target: true nms_param { nms_threshold: 0.4 top_k: 30 } "
                + "keep_top_k: 25 confidence_threshold: 0.6"), new int[] {1, 3, 32, 32}, 22,
                DetectionParity.Onnx.EXACT);
    }

    @Test
    void noDetectionGivesTheForksEmptyRows() throws Exception {
        java.util.List<Integer> found = check("empty", detectionNet(3, true, "Softmax", CONF_FILLER, "code_type: CENTER_SIZE "
                + "nms_param { nms_threshold: 0.45 top_k: 100 } keep_top_k: 60 confidence_threshold: 1"),
                new int[] {1, 3, 32, 32}, 24, DetectionParity.Onnx.EXACT);
        assertEquals(java.util.List.of(0, 0), found, "only the empty rows, one per image");
    }

    @Test
    void tiedScoresInNmsAndKeepTopK() throws Exception {
        check("ties", detectionNet(3, true, "Softmax", TIED_FILLER, "code_type: CENTER_SIZE "
                + "nms_param { nms_threshold: 0.45 top_k: 200 } keep_top_k: 40 confidence_threshold: 0.01"),
                new int[] {1, 3, 32, 32}, 24, DetectionParity.Onnx.SAME_SCORES);
        // without keep_top_k the export keeps the fork's order of tied scores too
        check("ties_all", detectionNet(3, true, "Softmax", TIED_FILLER, "code_type: CENTER_SIZE "
                + "nms_param { nms_threshold: 0.45 top_k: 200 } confidence_threshold: 0.01"),
                new int[] {1, 3, 32, 32}, 24, DetectionParity.Onnx.EXACT);
    }

    @Test
    void adaptiveNmsOnTheEnginesRefusedByOnnx() throws Exception {
        String net = detectionNet(3, true, "Softmax", CONF_FILLER, "code_type: CENTER_SIZE "
                + "nms_param { nms_threshold: 0.8 top_k: 100 eta: 0.7 } keep_top_k: 60 confidence_threshold: 0.05");
        check("eta", net, new int[] {1, 3, 32, 32}, 24, DetectionParity.Onnx.NONE);
        Graph g = CaffeImporter.load(dir.resolve("eta.prototxt"), dir.resolve("eta_out1").resolve("model.caffemodel"))
                .graph();
        ModelException e = assertThrows(ModelException.class, () -> OnnxExporter.export(g, ExportOptions.DEFAULT));
        assertTrue(e.getMessage().contains("\"detection_out\"") && e.getMessage().contains("eta")
                && e.getMessage().contains("--outputs mbox_loc,conf_flat,mbox_priorbox"), e.getMessage());
    }

    @Test
    void noBackgroundWithSharedLocationsAbortsTheForkAndIsRefused() throws Exception {
        Path home = DetectionParity.forkHome();
        String net = detectionNet(3, true, "Softmax", CONF_FILLER, "background_label_id: -1 code_type: CENTER_SIZE");
        Path proto = Files.writeString(dir.resolve("nobg.prototxt"), net);
        Path in = DetectionParity.input(dir, "nobg", new int[] {1, 3, 32, 32}, 3);
        CaffeOracleException fork = assertThrows(CaffeOracleException.class, () -> ForkCaffe.forward(home, proto,
                null, 1, DetectionParity.inputs("data", in), dir.resolve("nobg_out"), Duration.ofMinutes(2)));
        assertTrue(fork.getMessage().contains("Could not find location predictions for label -1"),
                fork.getMessage() + " / " + fork.fatalMessage() + " / " + fork.outputTail());
        ModelException ours = assertThrows(ModelException.class, () -> CaffeImporter.load(proto, null));
        assertTrue(ours.getMessage().contains("background_label_id") && ours.getMessage().contains("label -1"),
                ours.getMessage());
        // with a location per class the fork decodes every class: the sigmoid case above runs it
    }
}
