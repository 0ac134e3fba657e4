package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * The mobile forks' layers in CUDA plans: the depthwise convolutions (DepthwiseConvolution, ConvolutionDepthwise) as
 * grouped device convolutions, the leaky ReLU6, HardSwish, HardSigmoid, Mish and ShuffleChannel on the host between
 * device steps, the BN as a per-channel affine; the emulated plan matches the reference engine on every value in each
 * element type and layout.
 */
class MobileOpsPlanTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"F32, false", "F32, true", "F16, true"})
    void mobileLayersBetweenDeviceSteps(DType type, boolean channelsLast) throws Exception {
        Path p = Files.writeString(dir.resolve("net.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 6 dim: 5 } } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                        convolution_param { num_output: 6 kernel_size: 3 pad: 1 } }
                layer { name: "relu6" type: "ReLU6" bottom: "conv" top: "relu6" }
                layer { name: "dw" type: "DepthwiseConvolution" bottom: "relu6" top: "dw"
                        convolution_param { num_output: 6 group: 6 kernel_size: 3 pad: 1 stride: 2 } }
                layer { name: "leaky6" type: "ReLU6" bottom: "dw" top: "leaky6" relu6_param { negative_slope: 0.1 } }
                layer { name: "hswish" type: "HardSwish" bottom: "leaky6" top: "hswish" }
                layer { name: "shuffle" type: "ShuffleChannel" bottom: "hswish" top: "shuffle" shuffle_channel_param { group: 3 } }
                layer { name: "cdw" type: "ConvolutionDepthwise" bottom: "shuffle" top: "cdw"
                        convolution_param { num_output: 6 kernel_h: 3 kernel_w: 1 pad_h: 1 bias_term: false } }
                layer { name: "bn" type: "BN" bottom: "cdw" top: "bn" bn_param { frozen: true } }
                layer { name: "hsig" type: "HardSigmoid" bottom: "bn" top: "hsig" }
                layer { name: "mish" type: "Mish" bottom: "bn" top: "mish" }
                layer { name: "sum" type: "Eltwise" bottom: "hsig" bottom: "mish" top: "sum" }
                layer { name: "conv2" type: "Convolution" bottom: "sum" top: "conv2"
                        convolution_param { num_output: 2 kernel_size: 1 } }
                """);
        Graph g = SeededWeights.fill(CaffeImporter.load(p, null).graph(), 4);
        PlanSpec spec = new PlanSpec(g, type, channelsLast, PlanSpecTest.MAX_BLOCKS);
        PlanSpecTest.checkMemory(spec);
        assertEquals(List.of("relu6", "leaky6", "hswish", "shuffle", "hsig", "mish"),
                spec.hostSteps().stream().map(HostStep::layer).toList(), "the convolutions and BN run on the device");
        float[] x = new float[2 * 3 * 6 * 5];
        InputDistribution.UNIFORM.fill(6, x);
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(2, 3, 6, 5), x));
        List<String> values = List.of("conv", "relu6", "dw", "leaky6", "hswish", "shuffle", "cdw", "bn", "hsig",
                "mish", "sum", "conv2");
        EmulatedParity.run(spec, g, in, values, type == DType.F32 ? 1e-4 : 2e-2)
                .assertPass(type + " nhwc=" + channelsLast, values);
    }
}
