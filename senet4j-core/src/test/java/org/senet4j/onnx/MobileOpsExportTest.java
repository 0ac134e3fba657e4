package org.senet4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.onnx.proto.ModelProto;
import org.senet4j.onnx.proto.NodeProto;

/**
 * The mobile forks' layers in ONNX Runtime against the reference kernels, in standard operators only: ReLU6 as Clip
 * (LeakyRelu + Min with a negative slope), HardSwish (HardSigmoid + Mul before opset 14), HardSigmoid with eric612's
 * constants, Mish as x tanh(softplus(x)), ShuffleChannel as Reshape / Transpose / Reshape to the input's shape,
 * depthwise convolutions as grouped Conv; at every opset the exporter writes, batch 1 and 3 on one model.
 */
class MobileOpsExportTest {
    @TempDir
    Path dir;

    static final String NET = """
            name: "mobile"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 6 dim: 5 dim: 4 } } }
            layer { name: "wide" type: "Power" bottom: "data" top: "wide" power_param { scale: 12 } }
            layer { name: "relu6" type: "ReLU6" bottom: "wide" top: "relu6" }
            layer { name: "relu6_leaky" type: "ReLU6" bottom: "wide" top: "relu6_leaky" relu6_param { negative_slope: 0.2 } }
            layer { name: "hswish" type: "HardSwish" bottom: "wide" top: "hswish" }
            layer { name: "hsig" type: "HardSigmoid" bottom: "wide" top: "hsig" }
            layer { name: "mish" type: "Mish" bottom: "wide" top: "mish" }
            layer { name: "shuffle2" type: "ShuffleChannel" bottom: "hswish" top: "shuffle2" shuffle_channel_param { group: 2 } }
            layer { name: "shuffle3" type: "ShuffleChannel" bottom: "mish" top: "shuffle3" shuffle_channel_param { group: 3 } }
            layer { name: "dw" type: "DepthwiseConvolution" bottom: "shuffle2" top: "dw"
                    convolution_param { num_output: 6 group: 6 kernel_size: 3 pad: 1 } }
            layer { name: "cdw" type: "ConvolutionDepthwise" bottom: "shuffle3" top: "cdw"
                    convolution_param { num_output: 6 kernel_size: 3 stride: 2 pad: 1 bias_term: false } }
            layer { name: "bn" type: "BN" bottom: "cdw" top: "bn" bn_param { slope_filler { type: "constant" value: 1 } } }
            """;

    @Test
    void foldingExposingAndBatchSizes() throws Exception {
        Parity.check(dir, NET, 9, 1, 3);
    }

    @Test
    void everyOpsetInStandardOperators() throws Exception {
        Graph g = OrtSupport.load(dir, NET, 9, 1f);
        for (int opset = ExportOptions.MIN_OPSET; opset <= ExportOptions.MAX_OPSET; opset++) {
            byte[] model = OnnxExporter.export(g, ExportOptions.DEFAULT.withOpset(opset).withFold(false)
                    .withExposeAll(true));
            Set<String> types = new TreeSet<>();
            for (NodeProto n : ModelProto.parseFrom(model).getGraph().getNodeList()) {
                types.add(n.getOpType());
                assertTrue(n.getDomain().isEmpty(), n.getOpType() + " in domain " + n.getDomain());
            }
            assertEquals(opset >= 14, types.contains("HardSwish"), "opset " + opset + ": " + types);
            assertTrue(types.containsAll(List.of("Clip", "LeakyRelu", "Min", "HardSigmoid", "Softplus", "Tanh",
                    "Transpose", "Reshape", "Shape", "Conv")), types.toString());
            try (OrtSession s = OrtSupport.session(model, 1)) {
                for (int batch : new int[] {1, 3}) {
                    Graph gb = g.withBatchSize(batch);
                    Map<String, float[]> in = new LinkedHashMap<>();
                    in.put("data", OrtSupport.uniform(gb.shape("data").count(), 23L * batch + opset));
                    Map<String, float[]> ref = CaffeReference.run(gb, in);
                    OrtSupport.Outputs r = OrtSupport.run(s, in, Map.of("data", gb.shape("data")), null);
                    for (Node n : gb.nodes()) {
                        if (n.inputs().isEmpty()) {
                            continue;
                        }
                        String v = n.outputs().get(0);
                        String what = "opset " + opset + " batch " + batch + " " + v;
                        OrtSupport.assertShape(gb.shape(v), r.shapes().get(v), what);
                        OrtSupport.assertClose(r.values().get(v), ref.get(v), 1e-5, what);
                    }
                }
            }
        }
    }
}
