package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.CaffemodelWriter;
import org.senet4j.engine.HostTensor;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.verify.caffe.CaffeOracleException;
import org.senet4j.verify.caffe.ForkCaffe;
import org.senet4j.verify.caffe.OpenCvOracle;

/**
 * The mobile forks' layers against the oracles that run them, every blob within 1e-4 (relative L-infinity) on the
 * reference and CPU engines (passes on and off) and ONNX Runtime (folding on and off), at batch 1 and 2, with seeded
 * weights written as a caffemodel that the oracle loads:
 * <ul>
 *   <li>fork-caffe (eric612/MobileNet-YOLO): ReLU6 with and without {@code negative_slope}, DepthwiseConvolution
 *       (square and rectangular kernels, stride, pad, dilation, channel multiplier 2, with and without bias);</li>
 *   <li>OpenCV dnn: ShuffleChannel (groups 2, 3 and 4), ConvolutionDepthwise (kernel_size or kernel_h/kernel_w,
 *       stride, pad, dilation, with and without bias), ReLU6, in a ShuffleNet v2 style block (Slice, Concat);</li>
 *   <li>layers no oracle here has (HardSwish, HardSigmoid, Mish, both forks' BN): the CPU engine and ONNX Runtime
 *       against the reference kernels, which senet4j-core's MobileLayersTest proves on cases computed by hand from
 *       the forks' sources.</li>
 * </ul>
 */
class MobileOpsParityTest {
    @TempDir
    Path dir;

    private static final Map<String, Double> WORST = new java.util.TreeMap<>();

    @AfterAll
    static void report() {
        System.out.println("MobileOpsParityTest worst relative errors: " + WORST);
    }

    static final String FORK_NET = """
            name: "fork_mobile"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 13 dim: 11 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
            layer { name: "relu1" type: "ReLU6" bottom: "conv1" top: "conv1" }
            layer { name: "dw1" type: "DepthwiseConvolution" bottom: "conv1" top: "dw1"
                    convolution_param { num_output: 8 group: 8 kernel_size: 3 stride: 2 pad: 1 } }
            layer { name: "leaky" type: "ReLU6" bottom: "dw1" top: "leaky" relu6_param { negative_slope: 0.1 } }
            layer { name: "dw2" type: "DepthwiseConvolution" bottom: "conv1" top: "dw2"
                    convolution_param { num_output: 16 group: 8 kernel_h: 3 kernel_w: 5 pad_h: 2 pad_w: 1 dilation: 2
                                        bias_term: false } }
            layer { name: "relu2" type: "ReLU6" bottom: "dw2" top: "dw2" }
            layer { name: "pw" type: "Convolution" bottom: "dw2" top: "pw" convolution_param { num_output: 4 kernel_size: 1 } }
            layer { name: "wide" type: "Power" bottom: "pw" top: "wide" power_param { scale: 6 } }
            layer { name: "relu3" type: "ReLU6" bottom: "wide" top: "relu3" }
            layer { name: "gap" type: "Pooling" bottom: "leaky" top: "gap" pooling_param { pool: AVE global_pooling: true } }
            layer { name: "fc" type: "InnerProduct" bottom: "gap" top: "fc" inner_product_param { num_output: 5 } }
            """;

    static final String OPENCV_NET = """
            name: "opencv_mobile"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 14 dim: 12 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 12 kernel_size: 3 pad: 1 } }
            layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" }
            layer { name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" scale_param { bias_term: true } }
            layer { name: "relu1" type: "ReLU6" bottom: "conv1" top: "conv1" }
            layer { name: "shuffle3" type: "ShuffleChannel" bottom: "conv1" top: "shuffle3" shuffle_channel_param { group: 3 } }
            layer { name: "cdw1" type: "ConvolutionDepthwise" bottom: "shuffle3" top: "cdw1"
                    convolution_param { num_output: 12 kernel_size: 3 stride: 2 pad: 1 bias_term: false } }
            layer { name: "slice" type: "Slice" bottom: "cdw1" top: "half1" top: "half2" slice_param { slice_point: 6 } }
            layer { name: "cdw2" type: "ConvolutionDepthwise" bottom: "half2" top: "cdw2"
                    convolution_param { num_output: 6 kernel_h: 3 kernel_w: 1 pad_h: 1 pad_w: 0 } }
            layer { name: "relu2" type: "ReLU" bottom: "cdw2" top: "cdw2" }
            layer { name: "concat" type: "Concat" bottom: "half1" bottom: "cdw2" top: "concat" }
            layer { name: "shuffle2" type: "ShuffleChannel" bottom: "concat" top: "shuffle2" shuffle_channel_param { group: 2 } }
            layer { name: "cdw3" type: "ConvolutionDepthwise" bottom: "shuffle2" top: "cdw3"
                    convolution_param { num_output: 12 kernel_size: 3 pad: 2 dilation: 2 } }
            layer { name: "shuffle4" type: "ShuffleChannel" bottom: "cdw3" top: "shuffle4" shuffle_channel_param { group: 4 } }
            layer { name: "gap" type: "Pooling" bottom: "shuffle4" top: "gap" pooling_param { pool: AVE global_pooling: true } }
            layer { name: "fc" type: "InnerProduct" bottom: "gap" top: "fc" inner_product_param { num_output: 5 } }
            layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
            """;

    static final String HAND_NET = """
            name: "hand_mobile"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 dim: 9 dim: 7 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 6 kernel_size: 3 pad: 1 } }
            layer { name: "wide" type: "Power" bottom: "conv" top: "wide" power_param { scale: 5 } }
            layer { name: "hswish" type: "HardSwish" bottom: "wide" top: "hswish" }
            layer { name: "hsig" type: "HardSigmoid" bottom: "wide" top: "hsig" }
            layer { name: "mish" type: "Mish" bottom: "wide" top: "mish" }
            layer { name: "leaky6" type: "ReLU6" bottom: "wide" top: "leaky6" relu6_param { negative_slope: 0.25 } }
            layer { name: "bn_segnet" type: "BN" bottom: "hswish" top: "bn_segnet" bn_param { bn_mode: INFERENCE } }
            layer { name: "bn_yjxiong" type: "BN" bottom: "mish" top: "mish" bn_param { frozen: true eps: 0.001 } }
            layer { name: "sum" type: "Eltwise" bottom: "bn_segnet" bottom: "mish" bottom: "hsig" bottom: "leaky6" top: "sum" }
            layer { name: "pw" type: "Convolution" bottom: "sum" top: "pw" convolution_param { num_output: 3 kernel_size: 1 } }
            layer { name: "hswish_out" type: "HardSwish" bottom: "pw" top: "pw" }
            """;

    private void record(BackendParity p) {
        p.worst().forEach((k, v) -> WORST.merge(k, v, Math::max));
    }

    @Test
    void relu6AndDepthwiseConvolutionMatchForkCaffe() throws Exception {
        Path home = ParityNets.forkHome();
        ParityNets.Model m = ParityNets.seeded(dir, "fork", FORK_NET, 21);
        BackendParity parity = new BackendParity(dir);
        for (int batch : new int[] {1, 2}) {
            ForkCaffe.Result r;
            try {
                r = ForkCaffe.forward(home, m.prototxt(), m.weights(), 0,
                        ParityNets.inputs(dir, m.graph(), batch, 5 + batch), dir.resolve("fork" + batch),
                        Duration.ofMinutes(5));
            } catch (CaffeOracleException e) {
                assumeTrue(System.getenv("CI") != null || !e.getMessage().contains("cannot open shared object file"),
                        "fork-caffe's runtime libraries are missing");
                throw e;
            }
            assertTrue(r.blobs().keySet().containsAll(List.of("conv1", "dw1", "leaky", "dw2", "relu3", "fc")),
                    r.blobs().keySet().toString());
            parity.check("fork-caffe", m.graph(), new ReferenceSet(r.dir(), r.inputs(), r.blobs()), 9);
        }
        record(parity);
    }

    @Test
    void shuffleChannelAndConvolutionDepthwiseMatchOpenCv() throws Exception {
        ParityNets.Model m = ParityNets.seeded(dir, "opencv", OPENCV_NET, 22);
        BackendParity parity = new BackendParity(dir);
        for (int batch : new int[] {1, 2}) {
            OpenCvOracle.Result r = OpenCvOracle.forward(m.prototxt(), m.weights(),
                    ParityNets.inputs(dir, m.graph(), batch, 7 + batch), dir.resolve("opencv" + batch),
                    Duration.ofMinutes(5));
            assertTrue(r.blobs().keySet().containsAll(List.of("shuffle3", "cdw1", "half2", "cdw2", "shuffle2",
                    "cdw3", "shuffle4", "prob")), r.blobs().keySet().toString());
            parity.check("opencv", m.graph(), new ReferenceSet(r.dir(), r.inputs(), r.blobs()), 13);
        }
        record(parity);
    }

    @Test
    void layersNoOracleHasAgainstTheReferenceKernels() throws Exception {
        // BN's blobs are folded at import, so this graph's seeded weights stay in memory (no caffemodel)
        Graph seeded = SeededWeights.fill(CaffeImporter.load(Files.writeString(dir.resolve("hand.prototxt"), HAND_NET),
                null).graph(), 23);
        ParityNets.Model m = new ParityNets.Model(null, null, seeded);
        BackendParity parity = new BackendParity(dir);
        List<String> blobs = m.graph().nodes().stream().filter(n -> !n.inputs().isEmpty()).map(Node::outputs)
                .map(o -> o.get(0)).map(v -> v.contains("@") ? v.substring(0, v.indexOf('@')) : v).distinct()
                .filter(v -> m.graph().values().containsKey(v)).toList();
        for (int batch : new int[] {1, 2}) {
            Graph g = m.graph().withBatchSize(batch);
            Map<String, HostTensor> in = new LinkedHashMap<>();
            for (String i : g.inputs()) {
                in.put(i, new HostTensor(g.shape(i), SeededWeights.input(g.shape(i), InputDistribution.UNIFORM,
                        30 + batch)));
            }
            ReferenceSet ref = parity.fromReferenceEngine("hand" + batch, g, in, blobs);
            parity.check("hand", m.graph(), ref, 9);
        }
        record(parity);
    }
}
