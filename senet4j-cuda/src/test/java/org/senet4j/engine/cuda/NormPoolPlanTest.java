package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.passes.Passes;
import org.senet4j.verify.InputDistribution;
import org.senet4j.verify.SeededWeights;

/**
 * BatchNorm on batch statistics and STOCHASTIC pooling on the CUDA plan, checked without a GPU: both run as host
 * steps between device steps (float32 and float16 plans), and the emulated float32 plan in both layouts, passes on and
 * off, gives the reference engine's blobs.
 */
class NormPoolPlanTest {
    @TempDir
    Path dir;

    static final String NET = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 9 dim: 7 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "bn" batch_norm_param { use_global_stats: false } }
            layer { name: "relu" type: "ReLU" bottom: "bn" top: "relu" }
            layer { name: "sto" type: "Pooling" bottom: "relu" top: "sto"
                    pooling_param { pool: STOCHASTIC kernel_size: 2 stride: 2 } }
            layer { name: "conv2" type: "Convolution" bottom: "sto" top: "conv2"
                    convolution_param { num_output: 2 kernel_size: 1 } }
            """;

    @Test
    void hostStepsGiveTheReferenceBlobs() throws Exception {
        Path proto = Files.writeString(dir.resolve("n.prototxt"), NET);
        Graph g0 = SeededWeights.fill(CaffeImporter.load(proto, null).graph(), 3);
        float[] x = new float[2 * 3 * 9 * 7];
        InputDistribution.UNIFORM.fill(4, x);
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(2, 3, 9, 7), x));
        List<String> blobs = List.of("conv", "bn", "sto", "conv2");
        for (String passes : List.of("on", "off")) {
            Graph g = Passes.optimize(g0, passes.equals("on") ? List.of() : List.of("all"));
            Map<String, HostTensor> expected;
            try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
                expected = e.run(in, blobs.stream().filter(b -> hasValue(g, b)).toList());
            }
            for (boolean channelsLast : new boolean[] {false, true}) {
                PlanSpec spec = new PlanSpec(g, DType.F32, channelsLast, PlanSpecTest.MAX_BLOCKS);
                PlanSpecTest.checkMemory(spec);
                assertEquals(List.of("bn", "sto"), spec.hostSteps().stream().map(HostStep::layer).toList());
                EmulatedParity.run(spec, in, expected, 1e-5).assertPass("passes " + passes + " nhwc=" + channelsLast,
                        expected.keySet());
            }
        }
        assertEquals(List.of("bn", "sto"), new PlanSpec(Passes.optimize(g0, List.of()), DType.F16, true,
                PlanSpecTest.MAX_BLOCKS).hostSteps().stream().map(HostStep::layer).toList());
    }

    private static boolean hasValue(Graph g, String blob) {
        try {
            g.resolve(blob);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
