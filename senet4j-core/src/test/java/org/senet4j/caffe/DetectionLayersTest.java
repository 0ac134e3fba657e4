package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.TestData;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.DetectionOutput;
import org.senet4j.ir.op.Normalize;
import org.senet4j.ir.op.Permute;
import org.senet4j.ir.op.PriorBox;
import org.senet4j.verify.SeededWeights;

/**
 * The SSD fork's layers in the importer: parameters and defaults as the fork's LayerSetUp reads them, its checks as
 * errors naming layer, type and field, the static bound of DetectionOutput's rows and the engines' cut to the real
 * rows, the SSD nets of ../shared/caffe-zoo.
 */
class DetectionLayersTest {
    @TempDir
    Path dir;

    static final String HEAD = """
            name: "ssd_head"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 24 dim: 32 } } }
            layer { name: "feat" type: "Convolution" bottom: "data" top: "feat"
                    convolution_param { num_output: 4 kernel_size: 3 stride: 8 } }
            layer { name: "norm" type: "Normalize" bottom: "feat" top: "norm" norm_param { across_spatial: false channel_shared: false } }
            layer { name: "loc" type: "Convolution" bottom: "norm" top: "loc" convolution_param { num_output: 12 kernel_size: 1 } }
            layer { name: "loc_perm" type: "Permute" bottom: "loc" top: "loc_perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "loc_flat" type: "Flatten" bottom: "loc_perm" top: "loc_flat" }
            layer { name: "conf" type: "Convolution" bottom: "norm" top: "conf" convolution_param { num_output: 9 kernel_size: 1 } }
            layer { name: "conf_perm" type: "Permute" bottom: "conf" top: "conf_perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "conf_flat" type: "Flatten" bottom: "conf_perm" top: "conf_flat" }
            layer { name: "prior" type: "PriorBox" bottom: "norm" bottom: "data" top: "prior"
                    prior_box_param { min_size: 6 aspect_ratio: 2 variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 } }
            """;

    static final String DETECT = """
            layer { name: "det" type: "DetectionOutput" bottom: "loc_flat" bottom: "conf_flat" bottom: "prior" top: "det"
                    detection_output_param { num_classes: 3 %s } }
            """;

    private Graph load(String text) throws Exception {
        return CaffeImporter.load(Fixtures.write(dir, "net.prototxt", text), null).graph();
    }

    private Graph head(String detectionParams) throws Exception {
        return load(HEAD + DETECT.formatted(detectionParams));
    }

    private ModelException refused(String text) {
        return assertThrows(ModelException.class, () -> load(text));
    }

    private static void mentions(ModelException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "\"" + p + "\" in: " + e.getMessage());
        }
    }

    @Test
    void parametersAndDefaults() throws Exception {
        Graph g = head("nms_param { nms_threshold: 0.4 top_k: 7 } code_type: CENTER_SIZE keep_top_k: 5");
        Permute p = (Permute) g.node("loc_perm").op();
        assertEquals(List.of(0, 2, 3, 1), p.order());
        Normalize n = (Normalize) g.node("norm").op();
        assertEquals(false, n.acrossSpatial());
        assertEquals(1e-10f, n.eps());
        assertEquals(Shape.of(4), n.scale().shape());
        PriorBox pb = (PriorBox) g.node("prior").op();
        assertEquals(List.of(1f, 2f, 0.5f), pb.aspectRatios(), "flip is on by default");
        assertEquals(0.5f, pb.offset());
        assertEquals(3, pb.numPriors());
        assertEquals(Shape.of(1, 2, 3 * 4 * 3 * 4), g.shape("prior"));
        DetectionOutput d = (DetectionOutput) g.node("det").op();
        assertEquals(DetectionOutput.CodeType.CENTER_SIZE, d.codeType());
        assertEquals(7, d.topK());
        assertEquals(-Float.MAX_VALUE, d.confidenceThreshold(), "no threshold: every box is a candidate");
        assertEquals(Shape.of(1, 1, 5, 7), g.shape("det"));
        DetectionOutput defaults = (DetectionOutput) head("").node("det").op();
        assertEquals(DetectionOutput.CodeType.CORNER, defaults.codeType());
        assertEquals(0.3f, defaults.nmsThreshold());
        assertEquals(-1, defaults.topK());
        assertEquals(-1, defaults.keepTopK());
        assertEquals(1f, defaults.eta());
        assertTrue(defaults.shareLocation());
        assertEquals(Shape.of(1, 1, 2 * 36, 7), head("").shape("det"), "every prior of both foreground classes");
        // a shared Normalize scale is a scalar blob, as in the fork
        Graph shared = load(HEAD.replace("channel_shared: false", "channel_shared: true") + DETECT.formatted(""));
        assertEquals(Shape.of(), ((Normalize) shared.node("norm").op()).scale().shape());
    }

    @Test
    void enginesReturnTheRealRows() throws Exception {
        Graph g = SeededWeights.fill(head("nms_param { nms_threshold: 0.45 } keep_top_k: 20 confidence_threshold: 0.3"),
                4);
        assertEquals(Shape.of(1, 1, 20, 7), g.shape("det"));
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            float[] x = SeededWeights.input(Shape.of(1, 3, 24, 32), org.senet4j.verify.InputDistribution.UNIFORM, 1);
            HostTensor t = e.run(Map.of("data", new HostTensor(Shape.of(1, 3, 24, 32), x)), List.of("det")).get("det");
            int rows = t.shape().dim(2);
            assertTrue(rows >= 1 && rows <= 20, t.shape().toString());
            for (int i = 0; i < rows; i++) {
                assertTrue(t.data()[7 * i] >= 0, "row " + i);
            }
        }
    }

    @Test
    void theForksChecksNameTheField() {
        mentions(refused(HEAD.replace("min_size: 6", "max_size: 8") + DETECT.formatted("")), "\"prior\"",
                "(PriorBox)", "prior_box_param.min_size");
        mentions(refused(HEAD.replace("min_size: 6", "min_size: 6 max_size: 6") + DETECT.formatted("")),
                "prior_box_param.max_size", "greater");
        mentions(refused(HEAD.replace("variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2",
                "variance: 0.1 variance: 0.2") + DETECT.formatted("")), "prior_box_param.variance");
        mentions(refused(HEAD.replace("min_size: 6", "min_size: 6 img_w: 30") + DETECT.formatted("")),
                "prior_box_param.img_h");
        mentions(refused(HEAD.replace("min_size: 6", "min_size: 6 img_size: 30 img_h: 30 img_w: 30")
                + DETECT.formatted("")), "prior_box_param.img_size");
        mentions(refused(HEAD.replace("min_size: 6", "min_size: 6 step: 8 step_h: 8 step_w: 8")
                + DETECT.formatted("")), "prior_box_param.step");
        mentions(refused(HEAD.replace("bottom: \"norm\" bottom: \"data\" top: \"prior\"", "bottom: \"norm\" top: \"prior\"")
                + DETECT.formatted("")), "(PriorBox)", "bottom 1");
        mentions(refused(HEAD.replace("order: 0 order: 2 order: 3 order: 1", "order: 0 order: 2 order: 2")
                + DETECT.formatted("")), "\"loc_perm\"", "permute_param.order", "twice");
        mentions(refused(HEAD.replace("order: 0 order: 2 order: 3 order: 1", "order: 4")
                + DETECT.formatted("")), "permute_param.order");
        mentions(refused(HEAD + DETECT.formatted("").replace("num_classes: 3", "")),
                "detection_output_param.num_classes", "missing");
        mentions(refused(HEAD + DETECT.formatted("num_classes: 4").replace("num_classes: 3 ", "")),
                "detection_output_param.num_classes", "confidences");
        mentions(refused(HEAD + DETECT.formatted("nms_param { eta: 0 }")), "detection_output_param.nms_param.eta");
        mentions(refused(HEAD + DETECT.formatted("nms_param { nms_threshold: -0.1 }")),
                "detection_output_param.nms_param.nms_threshold");
        mentions(refused(HEAD + DETECT.formatted("background_label_id: -1")),
                "detection_output_param.background_label_id", "abort");
        mentions(refused(HEAD + DETECT.formatted("side: 13 num_box: 5")), "gklz1982");
    }

    @Test
    void aLayerReadingTheDetectionsIsRefused() {
        mentions(refused(HEAD + DETECT.formatted("keep_top_k: 4") + """
                layer { name: "after" type: "Power" bottom: "det" top: "after" }
                """), "\"after\"", "(Power)", "bottom[0]", "DetectionOutput");
    }

    @Test
    void theZoosSsdNetsImport() throws Exception {
        Path zoo = TestData.requireShared("caffe-zoo/CATALOGUE.tsv").getParent();
        for (String f : List.of("chuanqi305_MobileNet-SSD/deploy.prototxt",
                "chuanqi305_MobileNet-SSD/voc__MobileNetSSD_deploy.prototxt",
                "chuanqi305_MobileNetv2-SSDLite/coco__deploy.prototxt", "sfzhang15_FaceBoxes/models__faceboxes__deploy.prototxt")) {
            Graph g = CaffeImporter.load(zoo.resolve(f), null).graph();
            String det = g.resolve("detection_out");
            assertTrue(g.producer(det).op() instanceof DetectionOutput, f);
            assertEquals(List.of(det), g.outputs(), f);
        }
        // FaceBoxes' loc layers predict its fork's densified anchors: read so, with a warning
        CaffeModel fb = CaffeImporter.load(zoo.resolve("sfzhang15_FaceBoxes/models__faceboxes__deploy.prototxt"), null);
        PriorBox dense = (PriorBox) fb.graph().node("inception_a3_concat_mbox_priorbox").op();
        assertEquals(PriorBox.Dialect.FACEBOXES, dense.dialect());
        assertEquals(21, dense.numPriors());
        assertTrue(fb.report().warnings().stream().anyMatch(w -> w.contains("sfzhang15/FaceBoxes")
                && w.contains("detection_out")), fb.report().warnings().toString());
        Graph ssd = CaffeImporter.load(zoo.resolve("chuanqi305_MobileNet-SSD/deploy.prototxt"), null).graph();
        assertTrue(ssd.nodes().stream().filter(n -> n.op() instanceof PriorBox)
                .allMatch(n -> ((PriorBox) n.op()).dialect() == PriorBox.Dialect.SSD));
    }

    @Test
    void aMismatchNoDialectExplainsStaysAnError() {
        mentions(refused(HEAD.replace("num_output: 12", "num_output: 16") + DETECT.formatted("")),
                "\"det\"", "(DetectionOutput)", "location predictions");
    }
}
