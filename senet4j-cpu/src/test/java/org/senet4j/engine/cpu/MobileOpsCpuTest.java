package org.senet4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.global.dnnl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Unary;
import org.senet4j.passes.Passes;
import org.senet4j.verify.BlobResult;
import org.senet4j.verify.SeededWeights;

/**
 * The mobile forks' layers on the CPU engine against the reference engine: HardSwish, HardSigmoid and Mish as oneDNN
 * eltwise primitives with the forks' constants (leaky ReLU6 on its Java kernel), ShuffleChannel, and both depthwise
 * convolutions as grouped oneDNN convolutions; inputs from -100 to 100 and finely around the kinks, passes on and off.
 */
class MobileOpsCpuTest {
    @TempDir
    Path dir;

    @Test
    void oneDnnWhereItsFormulaIsTheForks() {
        assertEquals(dnnl.algorithm.eltwise_hardswish, Plan.eltwise(Unary.hardSwish()));
        assertEquals(dnnl.algorithm.eltwise_hardsigmoid, Plan.eltwise(Unary.hardSigmoid()));
        assertEquals(dnnl.algorithm.eltwise_mish, Plan.eltwise(Unary.mish()));
        assertEquals(dnnl.algorithm.eltwise_clip, Plan.eltwise(Unary.clip(0f, 6f)));
        assertNull(Plan.eltwise(Unary.relu6(0.1f)));
    }

    @Test
    void everyMobileLayerMatchesTheReferenceEngine() throws Exception {
        Path p = Files.writeString(dir.resolve("net.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 6 dim: 10 dim: 10 } } }
                layer { name: "near" type: "Power" bottom: "data" top: "near" power_param { scale: 0.08 } }
                layer { name: "relu6" type: "ReLU6" bottom: "data" top: "relu6" }
                layer { name: "relu6_leaky" type: "ReLU6" bottom: "data" top: "relu6_leaky" relu6_param { negative_slope: 0.1 } }
                layer { name: "hswish" type: "HardSwish" bottom: "data" top: "hswish" }
                layer { name: "hswish_near" type: "HardSwish" bottom: "near" top: "hswish_near" }
                layer { name: "hsig" type: "HardSigmoid" bottom: "data" top: "hsig" }
                layer { name: "hsig_near" type: "HardSigmoid" bottom: "near" top: "hsig_near" }
                layer { name: "mish" type: "Mish" bottom: "data" top: "mish" }
                layer { name: "mish_near" type: "Mish" bottom: "near" top: "mish_near" }
                layer { name: "shuffle" type: "ShuffleChannel" bottom: "near" top: "shuffle" shuffle_channel_param { group: 3 } }
                layer { name: "dw" type: "DepthwiseConvolution" bottom: "shuffle" top: "dw"
                        convolution_param { num_output: 6 group: 6 kernel_size: 3 pad: 1 stride: 2 } }
                layer { name: "dw_relu" type: "ReLU6" bottom: "dw" top: "dw" }
                layer { name: "cdw" type: "ConvolutionDepthwise" bottom: "shuffle" top: "cdw"
                        convolution_param { num_output: 6 kernel_h: 3 kernel_w: 5 pad_h: 1 pad_w: 2 stride_h: 1 stride_w: 1
                                            dilation: 2 bias_term: false } }
                layer { name: "bn" type: "BN" bottom: "cdw" top: "bn" bn_param { frozen: true } }
                """);
        Graph g = SeededWeights.fill(CaffeImporter.load(p, null).graph(), 4);
        float[] x = new float[1200];
        for (int i = 0; i < x.length; i++) {
            x[i] = -100f + 200f * i / (x.length - 1);
        }
        x[7] = 0f;
        x[8] = -0f;
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(2, 6, 10, 10), x));
        List<String> outs = g.nodes().stream().filter(n -> !n.inputs().isEmpty()).map(Node::outputs)
                .map(o -> o.get(0)).distinct().toList();
        Map<String, HostTensor> ref;
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            ref = e.run(in, outs);
        }
        for (List<String> disabled : List.of(List.<String>of(), List.of("all"))) {
            Graph opt = Passes.optimize(g, disabled);
            List<String> kept = outs.stream().filter(o -> opt.values().containsKey(o)).toList();
            assertTrue(kept.size() >= 10, kept.toString());
            try (Engine e = Engines.create("cpu", opt, EngineOptions.DEFAULT.withThreads(2))) {
                Map<String, HostTensor> cpu = e.run(in, kept);
                for (String o : kept) {
                    BlobResult c = BlobResult.compare(o, ref.get(o).shape(), cpu.get(o).data(), ref.get(o).data(),
                            1e-5);
                    assertTrue(c.pass(), "passes " + disabled + ": " + c);
                }
            }
        }
    }
}
