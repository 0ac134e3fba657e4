package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.verify.InputDistribution;
import org.senet4j.verify.SeededWeights;

/**
 * The YOLO fork's layers on the CUDA plan, checked without a GPU: Reorg (both ways) and the YOLOv2 and YOLOv3 heads
 * run as host steps between device steps (float32 and float16 plans); the emulated float32 plan in both layouts,
 * passes on and off, gives the reference engine's blobs and, cut to their real rows as the engine cuts them, its
 * detections.
 */
class YoloPlanTest {
    @TempDir
    Path dir;

    static final String NET = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 16 dim: 16 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 8 kernel_size: 3 stride: 2 pad: 1 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
            layer { name: "reorg" type: "Reorg" bottom: "conv" top: "reorg" reorg_param { stride: 2 } }
            layer { name: "up" type: "Reorg" bottom: "reorg" top: "up" reorg_param { stride: 2 reverse: true } }
            layer { name: "head2" type: "Convolution" bottom: "reorg" top: "head2" convolution_param { num_output: 16 kernel_size: 1 } }
            layer { name: "head3" type: "Convolution" bottom: "up" top: "head3" convolution_param { num_output: 8 kernel_size: 1 } }
            layer { name: "det2" type: "YoloDetectionOutput" bottom: "head2" top: "det2"
                    yolo_detection_output_param { num_classes: 3 num_box: 2 confidence_threshold: 0.1 biases: 1 biases: 2 biases: 3 biases: 1 } }
            layer { name: "det3" type: "Yolov3DetectionOutput" bottom: "head3" top: "det3"
                    yolov3_detection_output_param { num_classes: 3 num_box: 1 confidence_threshold: 0.1 biases: 10 biases: 14
                                                    mask: 0 mask_group_num: 1 anchors_scale: 2 } }
            """;

    @Test
    void hostStepsGiveTheReferenceBlobsAndDetections() throws Exception {
        Path proto = Files.writeString(dir.resolve("yolo.prototxt"), NET);
        Graph g0 = SeededWeights.fill(CaffeImporter.load(proto, null).graph(), 5);
        float[] x = new float[2 * 3 * 16 * 16];
        InputDistribution.UNIFORM.fill(6, x);
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(2, 3, 16, 16), x));
        List<String> blobs = List.of("reorg", "up", "head2", "head3", "det2", "det3");
        List<String> host = List.of("reorg", "up", "det2", "det3");
        assertEquals(24, HostStepParity.check(g0, in, blobs, host, List.of("det2", "det3")));
    }
}
