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
 * The OCR layers in CUDA plans: a CRNN-style tail (Transpose, the Reshape to T x N x C, a bidirectional pair of fork
 * Lstm layers with Reverse around the backward one, Concat, an inner product over axis 2, CTCGreedyDecoder) and a
 * ContinuationIndicator after a device convolution. The Transpose (Permute), Reverse, Lstm, ContinuationIndicator
 * and decoder run on the host between device steps; the emulated plan matches the reference engine on every value
 * (decoded sequences exactly), at batch 1 and 2, in both layouts.
 */
class OcrOpsPlanTest {
    @TempDir
    Path dir;

    static final String NET = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: B dim: 3 dim: 2 dim: 7 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
            layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool"
                    pooling_param { pool: AVE kernel_h: 2 kernel_w: 1 stride_h: 2 stride_w: 1 } }
            layer { name: "trans" type: "Transpose" bottom: "pool" top: "trans"
                    transpose_param { dim: 3 dim: 2 dim: 0 dim: 1 } }
            layer { name: "seq" type: "Reshape" bottom: "trans" top: "seq"
                    reshape_param { shape { dim: -1 } axis: 1 num_axes: 2 } }
            layer { name: "lstm" type: "Lstm" bottom: "seq" top: "lstm" lstm_param { num_output: 3 } }
            layer { name: "rev1" type: "Reverse" bottom: "seq" top: "rseq" reverse_param { axis: 0 } }
            layer { name: "rlstm" type: "Lstm" bottom: "rseq" top: "rlstm_out" lstm_param { num_output: 3 } }
            layer { name: "rev2" type: "Reverse" bottom: "rlstm_out" top: "rlstm" }
            layer { name: "blstm" type: "Concat" bottom: "lstm" bottom: "rlstm" top: "blstm" concat_param { axis: 2 } }
            layer { name: "fc" type: "InnerProduct" bottom: "blstm" top: "fc"
                    inner_product_param { num_output: 5 axis: 2 } }
            layer { name: "result" type: "CTCGreedyDecoder" bottom: "fc" top: "result" }
            layer { name: "ci" type: "ContinuationIndicator" bottom: "conv2" top: "ci"
                    continuation_indicator_param { time_step: 7 axis: 0 } }
            layer { name: "conv2" type: "Convolution" bottom: "data" top: "conv2"
                    convolution_param { num_output: 2 kernel_size: 1 } }
            """;

    @ParameterizedTest
    @CsvSource({"1, false", "1, true", "2, false", "2, true"})
    void ocrLayersBetweenDeviceSteps(int batch, boolean channelsLast) throws Exception {
        // ContinuationIndicator reads conv2's shape: list conv2 first, as Caffe requires
        String text = NET.replace("dim: B", "dim: " + batch);
        int ci = text.indexOf("layer { name: \"ci\"");
        int conv2 = text.indexOf("layer { name: \"conv2\"");
        text = text.substring(0, ci) + text.substring(conv2) + text.substring(ci, conv2);
        Path p = Files.writeString(dir.resolve("net.prototxt"), text);
        Graph g = SeededWeights.fill(CaffeImporter.load(p, null).graph(), 9);
        assertEquals(Shape.of(batch, 7, 1, 1), g.shape("result"));
        assertEquals(Shape.of(7, batch), g.shape("ci"));
        PlanSpec spec = new PlanSpec(g, DType.F32, channelsLast, PlanSpecTest.MAX_BLOCKS);
        PlanSpecTest.checkMemory(spec);
        assertEquals(List.of("trans", "lstm", "rev1", "rlstm", "rev2", "result", "ci"),
                spec.hostSteps().stream().map(HostStep::layer).filter(l -> !l.equals("seq") && !l.equals("blstm")
                        && !l.equals("fc")).toList(), "the OCR layers run on the host");
        float[] x = new float[batch * 3 * 2 * 7];
        InputDistribution.UNIFORM.fill(3 + batch, x);
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(batch, 3, 2, 7), x));
        List<String> blobs = List.of("conv", "pool", "trans", "seq", "lstm", "rseq", "rlstm_out", "rlstm", "blstm",
                "fc", "result", "conv2", "ci");
        EmulatedParity.run(spec, g, in, blobs, 1e-4).assertPass("b" + batch + " nhwc=" + channelsLast, blobs);
        EmulatedParity.run(spec, g, in, List.of("result", "ci"), 0).assertPass("decoded exactly", 2);
    }
}
