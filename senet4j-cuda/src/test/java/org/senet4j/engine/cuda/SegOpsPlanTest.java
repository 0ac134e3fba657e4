package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.verify.InputDistribution;
import org.senet4j.verify.SeededWeights;

/**
 * The segmentation layers in CUDA plans: Interp, both Upsample forms and the MAX Pooling with a mask top run on the
 * host between device steps; the emulated plan matches the reference engine on every value, in both layouts (float32:
 * in float16 two window values may round to one, which can move a mask's index). A float16 plan refuses a mask top
 * whose indices float16 cannot hold exactly.
 */
class SegOpsPlanTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"F32, false", "F32, true"})
    void segmentationLayersBetweenDeviceSteps(DType type, boolean channelsLast) throws Exception {
        Path p = Files.writeString(dir.resolve("net.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 8 dim: 6 } } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                        convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
                layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool" top: "mask"
                        pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
                layer { name: "conv2" type: "Convolution" bottom: "pool" top: "conv2"
                        convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
                layer { name: "unpool" type: "Upsample" bottom: "conv2" bottom: "mask" top: "unpool"
                        upsample_param { scale: 2 } }
                layer { name: "interp" type: "Interp" bottom: "conv2" top: "interp" interp_param { zoom_factor: 2 pad_beg: -1 } }
                layer { name: "near" type: "Upsample" bottom: "interp" top: "near" upsample_param { scale: 2 } }
                layer { name: "conv3" type: "Convolution" bottom: "unpool" top: "conv3"
                        convolution_param { num_output: 2 kernel_size: 1 } }
                """);
        Graph g = SeededWeights.fill(CaffeImporter.load(p, null).graph(), 5);
        PlanSpec spec = new PlanSpec(g, type, channelsLast, PlanSpecTest.MAX_BLOCKS);
        PlanSpecTest.checkMemory(spec);
        assertEquals(List.of("pool", "unpool", "interp", "near"),
                spec.hostSteps().stream().map(HostStep::layer).toList(), "the convolutions run on the device");
        float[] x = new float[2 * 3 * 8 * 6];
        InputDistribution.UNIFORM.fill(7, x);
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(2, 3, 8, 6), x));
        List<String> values = List.of("conv", "pool", "mask", "conv2", "unpool", "interp", "near", "conv3");
        EmulatedParity.run(spec, g, in, values, 1e-4).assertPass(type + " nhwc=" + channelsLast, values);
    }

    @org.junit.jupiter.api.Test
    void float16PlansRefuseMasksTheyCannotHold() throws Exception {
        Path p = Files.writeString(dir.resolve("big.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 64 dim: 48 } } }
                layer { name: "pool" type: "Pooling" bottom: "data" top: "pool" top: "mask"
                        pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
                """);
        Graph g = CaffeImporter.load(p, null).graph();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new PlanSpec(g, DType.F16, false, PlanSpecTest.MAX_BLOCKS));
        assertTrue(e.getMessage().contains("pool") && e.getMessage().contains("float32"), e.getMessage());
        assertEquals(1, new PlanSpec(g, DType.F32, false, PlanSpecTest.MAX_BLOCKS).hostSteps().size());
    }
}
