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
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Unary;
import org.senet4j.verify.InputDistribution;
import org.senet4j.verify.SeededWeights;

/**
 * The element-wise Unary layers (ELU, AbsVal, Exp, Log, BNLL, Threshold, Clip, Swish) run on the host in CUDA plans
 * (no device kernel): the emulated plan matches the reference engine on every value, between device steps, in each
 * element type and layout.
 */
class UnaryPlanTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"F32, false", "F32, true", "F16, true"})
    void unaryLayersRunOnTheHostBetweenDeviceSteps(DType type, boolean channelsLast) throws Exception {
        Path p = Files.writeString(dir.resolve("net.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 6 dim: 5 } } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                        convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
                layer { name: "elu" type: "ELU" bottom: "conv" top: "elu" elu_param { alpha: 0.5 } }
                layer { name: "abs" type: "AbsVal" bottom: "elu" top: "abs" }
                layer { name: "log" type: "Log" bottom: "abs" top: "log" log_param { base: 10 shift: 1 } }
                layer { name: "exp" type: "Exp" bottom: "log" top: "exp" exp_param { base: 2 scale: 0.5 } }
                layer { name: "bnll" type: "BNLL" bottom: "conv" top: "bnll" }
                layer { name: "thr" type: "Threshold" bottom: "data" top: "thr" threshold_param { threshold: 0.3 } }
                layer { name: "clip" type: "Clip" bottom: "bnll" top: "clip" clip_param { min: 0.2 max: 0.9 } }
                layer { name: "swish" type: "Swish" bottom: "clip" top: "swish" swish_param { beta: 2 } }
                layer { name: "sum" type: "Eltwise" bottom: "swish" bottom: "exp" top: "sum" }
                layer { name: "conv2" type: "Convolution" bottom: "sum" top: "conv2"
                        convolution_param { num_output: 2 kernel_size: 1 } }
                """);
        Graph g = SeededWeights.fill(CaffeImporter.load(p, null).graph(), 4);
        PlanSpec spec = new PlanSpec(g, type, channelsLast, PlanSpecTest.MAX_BLOCKS);
        PlanSpecTest.checkMemory(spec);
        List<String> unary = g.nodes().stream().filter(n -> n.op() instanceof Unary).map(Node::name).toList();
        assertEquals(unary, spec.hostSteps().stream().map(HostStep::layer).toList());
        assertTrue(spec.hostSteps().stream().allMatch(h -> h.why().equals("no device kernel for Unary")));
        float[] x = new float[2 * 3 * 6 * 5];
        InputDistribution.UNIFORM.fill(6, x);
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(2, 3, 6, 5), x));
        List<String> values = List.of("conv", "elu", "abs", "log", "exp", "bnll", "thr", "clip", "swish", "sum",
                "conv2");
        EmulatedParity.run(spec, g, in, values, type == DType.F32 ? 1e-4 : 2e-2)
                .assertPass(type + " nhwc=" + channelsLast, values);
    }
}
