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
 * The SSD fork's layers on the CUDA plan, checked without a GPU: Permute, Normalize, PriorBox and DetectionOutput run
 * as host steps between device steps (float32 and float16 plans); the emulated float32 plan in both layouts, passes on
 * and off, gives the reference engine's blobs and, once cut to their real rows as the engine cuts them, its detections.
 */
class SsdPlanTest {
    @TempDir
    Path dir;

    static final String NET = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 16 dim: 16 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 4 kernel_size: 3 stride: 2 pad: 1 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
            layer { name: "norm" type: "Normalize" bottom: "conv" top: "norm" norm_param { across_spatial: false channel_shared: false } }
            layer { name: "loc" type: "Convolution" bottom: "norm" top: "loc" convolution_param { num_output: 8 kernel_size: 1 } }
            layer { name: "loc_perm" type: "Permute" bottom: "loc" top: "loc_perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "loc_flat" type: "Flatten" bottom: "loc_perm" top: "loc_flat" }
            layer { name: "conf" type: "Convolution" bottom: "norm" top: "conf" convolution_param { num_output: 6 kernel_size: 1 } }
            layer { name: "conf_perm" type: "Permute" bottom: "conf" top: "conf_perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "conf_flat" type: "Flatten" bottom: "conf_perm" top: "conf_flat" }
            layer { name: "prior" type: "PriorBox" bottom: "norm" bottom: "data" top: "prior"
                    prior_box_param { min_size: 4 max_size: 8 variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 } }
            layer { name: "det" type: "DetectionOutput" bottom: "loc_flat" bottom: "conf_flat" bottom: "prior" top: "det"
                    detection_output_param { num_classes: 3 code_type: CENTER_SIZE nms_param { nms_threshold: 0.45 top_k: 20 }
                                             keep_top_k: 15 } }
            """;

    @Test
    void hostStepsGiveTheReferenceBlobsAndDetections() throws Exception {
        Path proto = Files.writeString(dir.resolve("ssd.prototxt"), NET);
        Graph g0 = SeededWeights.fill(CaffeImporter.load(proto, null).graph(), 5);
        float[] x = new float[2 * 3 * 16 * 16];
        InputDistribution.UNIFORM.fill(6, x);
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(2, 3, 16, 16), x));
        List<String> blobs = List.of("norm", "loc_perm", "conf_flat", "prior", "det");
        List<String> host = List.of("norm", "loc_perm", "conf_perm", "prior", "det");
        assertEquals(20, HostStepParity.check(g0, in, blobs, host, List.of("det")));
    }
}
