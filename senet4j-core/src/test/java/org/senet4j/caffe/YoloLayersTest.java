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
import org.senet4j.ir.op.Reorg;
import org.senet4j.ir.op.YoloDetectionOutput;
import org.senet4j.verify.SeededWeights;

/**
 * The YOLO fork's layers in the importer: parameters and defaults as the fork's LayerSetUp reads them, its checks as
 * errors naming layer, type and field, the static bound of the heads' rows and the engines' cut to the real rows,
 * the YOLO nets of ../shared/caffe-zoo.
 */
class YoloLayersTest {
    @TempDir
    Path dir;

    static final String NET = """
            name: "yolo"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 16 dim: 16 } } }
            layer { name: "a" type: "Convolution" bottom: "data" top: "a" convolution_param { num_output: 16 kernel_size: 3 stride: 2 pad: 1 } }
            layer { name: "b" type: "Convolution" bottom: "data" top: "b" convolution_param { num_output: 16 kernel_size: 3 stride: 4 pad: 1 } }
            """;

    private Graph load(String text) throws Exception {
        return CaffeImporter.load(Fixtures.write(dir, "net.prototxt", text), null).graph();
    }

    private ModelException refused(String layers) {
        return assertThrows(ModelException.class, () -> load(NET + layers));
    }

    private static void mentions(ModelException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "\"" + p + "\" in: " + e.getMessage());
        }
    }

    @Test
    void parametersAndDefaults() throws Exception {
        Graph g = load(NET + """
                layer { name: "r" type: "Reorg" bottom: "a" top: "r" reorg_param { stride: 2 } }
                layer { name: "rb" type: "Reorg" bottom: "a" top: "rb" reorg_param { stride: 2 reverse: true } }
                layer { name: "v2" type: "YoloDetectionOutput" bottom: "a" bottom: "b" top: "v2"
                        yolo_detection_output_param { num_classes: 3 num_box: 2 biases: 1 biases: 2 biases: 3 biases: 4 side: 99 coords: 9 } }
                layer { name: "v3" type: "Yolov3DetectionOutput" bottom: "a" bottom: "b" top: "v3"
                        yolov3_detection_output_param { num_classes: 3 num_box: 2 biases: 1 biases: 2 biases: 3 biases: 4
                                                        mask: 0 mask: 1 mask: 1 mask: 0 anchors_scale: 2 anchors_scale: 4 } }
                """);
        assertEquals(new Reorg(2, false), g.node("r").op());
        assertEquals(Shape.of(1, 64, 4, 4), g.shape("r"));
        assertEquals(Shape.of(1, 4, 16, 16), g.shape("rb"));
        YoloDetectionOutput v2 = (YoloDetectionOutput) g.node("v2").op();
        assertEquals(0.01f, v2.confidenceThreshold());
        assertEquals(0.45f, v2.nmsThreshold());
        // bound: (8 x 8 + 4 x 4) cells, 2 boxes, one detection each
        assertEquals(Shape.of(1, 1, 160, 7), g.shape("v2"));
        YoloDetectionOutput v3 = (YoloDetectionOutput) g.node("v3").op();
        assertEquals(2, v3.maskGroupNum(), "mask_group_num defaults to 2");
        assertEquals(2, v3.groupSize());
        assertEquals(Shape.of(1, 1, 160 * 3, 7), g.shape("v3"));
        Graph defaults = load((NET + """
                layer { name: "v2" type: "YoloDetectionOutput" bottom: "a" top: "v2"
                        yolo_detection_output_param { num_classes: 2 biases: 1 biases: 1 biases: 1 biases: 1 biases: 1
                                                      biases: 1 biases: 1 biases: 1 biases: 1 biases: 1 } }
                """).replace("num_output: 16 kernel_size: 3 stride: 2", "num_output: 35 kernel_size: 3 stride: 2"));
        assertEquals(5, ((YoloDetectionOutput) defaults.node("v2").op()).numBox(), "num_box defaults to 5");
    }

    @Test
    void theForksChecksNameLayerTypeAndField() {
        mentions(refused("layer { name: \"r\" type: \"Reorg\" bottom: \"a\" top: \"r\" }"),
                "\"r\"", "Reorg", "reorg_param.stride", "missing");
        mentions(refused("layer { name: \"r\" type: \"Reorg\" bottom: \"a\" top: \"r\" reorg_param { stride: 0 } }"),
                "reorg_param.stride", "greater than 0");
        mentions(refused("layer { name: \"r\" type: \"Reorg\" bottom: \"a\" top: \"a\" reorg_param { stride: 2 } }"),
                "\"r\"", "Reorg", "in place");
        mentions(refused("layer { name: \"r\" type: \"Reorg\" bottom: \"a\" top: \"r\" reorg_param { stride: 3 } }"),
                "\"r\"", "reorg_param.stride", "multiple of stride^2");
        mentions(refused("layer { name: \"y\" type: \"YoloDetectionOutput\" bottom: \"a\" top: \"y\" "
                + "yolo_detection_output_param { num_box: 2 biases: 1 biases: 1 biases: 1 biases: 1 } }"),
                "\"y\"", "YoloDetectionOutput", "yolo_detection_output_param.num_classes", "missing");
        mentions(refused("layer { name: \"y\" type: \"YoloDetectionOutput\" bottom: \"a\" bottom: \"b\" bottom: \"b\" "
                + "top: \"y\" yolo_detection_output_param { num_classes: 3 num_box: 2 biases: 1 biases: 1 biases: 1 "
                + "biases: 1 } }"), "\"y\"", "bottom", "1 or 2");
        mentions(refused("layer { name: \"y\" type: \"YoloDetectionOutput\" bottom: \"a\" top: \"y\" "
                + "yolo_detection_output_param { num_classes: 3 num_box: 2 biases: 1 biases: 1 } }"),
                "yolo_detection_output_param.biases");
        mentions(refused("layer { name: \"y\" type: \"YoloDetectionOutput\" bottom: \"a\" top: \"y\" "
                + "yolo_detection_output_param { num_classes: 4 num_box: 2 biases: 1 biases: 1 biases: 1 biases: 1 } }"),
                "yolo_detection_output_param.num_classes", "5 + num_classes");
        mentions(refused("layer { name: \"y\" type: \"Yolov3DetectionOutput\" bottom: \"a\" top: \"y\" "
                + "yolov3_detection_output_param { num_classes: 3 num_box: 2 biases: 1 biases: 1 mask: 0 mask: 0 "
                + "anchors_scale: 2 } }"), "\"y\"", "Yolov3DetectionOutput", "mask_group_num", "2 groups, got 1");
        mentions(refused("layer { name: \"y\" type: \"Yolov3DetectionOutput\" bottom: \"a\" bottom: \"b\" top: \"y\" "
                + "yolov3_detection_output_param { num_classes: 3 num_box: 2 biases: 1 biases: 1 mask: 0 mask: 1 "
                + "mask: 0 mask: 0 anchors_scale: 2 anchors_scale: 4 } }"),
                "yolov3_detection_output_param.mask", "no bias pair");
        mentions(refused("layer { name: \"y\" type: \"Yolov3DetectionOutput\" bottom: \"a\" bottom: \"b\" top: \"y\" "
                + "yolov3_detection_output_param { num_classes: 3 num_box: 2 biases: 1 biases: 1 mask: 0 mask: 0 "
                + "mask: 0 mask: 0 anchors_scale: 2 } }"), "yolov3_detection_output_param.anchors_scale");
        mentions(refused("layer { name: \"y\" type: \"Yolov3DetectionOutput\" bottom: \"a\" bottom: \"b\" top: \"y\" "
                + "yolov3_detection_output_param { num_classes: 3 num_box: 2 gaussian_box: true } }"),
                "yolov3_detection_output_param.gaussian_box");
        mentions(refused("layer { name: \"y\" type: \"Yolov3DetectionOutput\" bottom: \"a\" bottom: \"b\" top: \"y\" "
                + "yolov3_detection_output_param { num_classes: 3 num_box: 2 biases: 1 biases: 1 mask: 0 mask: 0 "
                + "mask: 0 mask: 0 anchors_scale: 2 anchors_scale: 4 } }\n"
                + "layer { name: \"after\" type: \"Power\" bottom: \"y\" top: \"after\" }"),
                "\"after\"", "Yolov3DetectionOutput", "only as a net output");
    }

    @Test
    void enginesReturnTheRealRows() throws Exception {
        Graph g = SeededWeights.fill(load(NET + """
                layer { name: "v3" type: "Yolov3DetectionOutput" bottom: "a" bottom: "b" top: "v3"
                        yolov3_detection_output_param { num_classes: 3 num_box: 2 biases: 1 biases: 2 biases: 3 biases: 4
                                                        mask: 0 mask: 1 mask: 1 mask: 0 anchors_scale: 2 anchors_scale: 4
                                                        confidence_threshold: 0.2 } }
                """), 3);
        float[] x = new float[3 * 16 * 16];
        org.senet4j.verify.InputDistribution.UNIFORM.fill(4, x);
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            HostTensor t = e.run(Map.of("data", new HostTensor(Shape.of(1, 3, 16, 16), x)), List.of("v3")).get("v3");
            int k = t.shape().dim(2);
            assertTrue(k >= 1 && k < 480, t.shape().toString());
            for (int i = 0; i < k; i++) {
                assertEquals(0f, t.data()[7 * i], "image id");
                assertTrue(t.data()[7 * i + 1] == -1 || t.data()[7 * i + 1] >= 1, "label from 1");
            }
        }
    }

    @Test
    void theZoosYoloNetsImport() throws Exception {
        Path zoo = TestData.requireShared("caffe-zoo/eric612_MobileNet-YOLO");
        Graph tiny = CaffeImporter.load(zoo.resolve("models__darknet_yolov3__yolov3-tiny.prototxt"), null).graph();
        assertEquals(Shape.of(1, 1, (13 * 13 + 26 * 26) * 3 * 80, 7), tiny.shape("layer24-yolo"));
        Graph v2 = CaffeImporter.load(zoo.resolve("models__yolov2__mobilenet_yolo_deploy.prototxt"), null).graph();
        assertEquals(Shape.of(1, 1, (26 * 26 + 13 * 13) * 5, 7), v2.shape("detection_out"));
        Graph voc = CaffeImporter.load(zoo.resolve("models__mobilenetv3_voc__test.prototxt"), null,
                new CaffeImporter.Options(false, Map.of("data", Shape.of(1, 3, 416, 416)))).graph();
        assertTrue(voc.node("detection_out").op() instanceof YoloDetectionOutput);
    }
}
