package org.senet4j.caffe;

import java.util.List;

/** A small CRNN-style OCR net and decoder inputs, shared by the importer tests here and the tests of other modules. */
public final class OcrNets {
    private OcrNets() {
    }

    /** The blobs of {@link #tail}, in net order. */
    public static final List<String> TAIL_BLOBS = List.of("conv", "pool", "trans", "seq", "lstm", "rseq", "rlstm_out",
            "rlstm", "blstm", "fc", "result", "conv2", "ci", "rev_c");

    /**
     * A CRNN-style tail on a {@code batch} x 3 x 2 x {@code width} input: a convolution, ReLU and a pooling to height
     * 1, Transpose to W x H x N x C and a Reshape to T x N x C (T = {@code width}), a bidirectional pair of fork
     * {@code Lstm} layers (the backward one between two Reverse layers), Concat, an inner product over axis 2 without
     * bias and a CTCGreedyDecoder; beside it a ContinuationIndicator on a second convolution's output and a Reverse
     * over the channels of the first.
     */
    public static String tail(int batch, int width) {
        return """
            name: "ocr_tail"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: %d dim: 3 dim: 2 dim: %d } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 6 kernel_size: 3 pad: 1 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
            layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool"
                    pooling_param { pool: AVE kernel_h: 2 kernel_w: 1 stride_h: 2 stride_w: 1 } }
            layer { name: "trans" type: "Transpose" bottom: "pool" top: "trans"
                    transpose_param { dim: 3 dim: 2 dim: 0 dim: 1 } }
            layer { name: "seq" type: "Reshape" bottom: "trans" top: "seq"
                    reshape_param { shape { dim: -1 } axis: 1 num_axes: 2 } }
            layer { name: "lstm" type: "Lstm" bottom: "seq" top: "lstm" lstm_param { num_output: 4 } }
            layer { name: "rev1" type: "Reverse" bottom: "seq" top: "rseq" reverse_param { axis: 0 } }
            layer { name: "rlstm" type: "Lstm" bottom: "rseq" top: "rlstm_out" lstm_param { num_output: 4 } }
            layer { name: "rev2" type: "Reverse" bottom: "rlstm_out" top: "rlstm" }
            layer { name: "blstm" type: "Concat" bottom: "lstm" bottom: "rlstm" top: "blstm" concat_param { axis: 2 } }
            layer { name: "fc" type: "InnerProduct" bottom: "blstm" top: "fc"
                    inner_product_param { num_output: 5 axis: 2 bias_term: false } }
            layer { name: "result" type: "CTCGreedyDecoder" bottom: "fc" top: "result" }
            layer { name: "conv2" type: "Convolution" bottom: "data" top: "conv2"
                    convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "ci" type: "ContinuationIndicator" bottom: "conv2" top: "ci"
                    continuation_indicator_param { time_step: %d axis: 0 } }
            layer { name: "rev_c" type: "Reverse" bottom: "conv" top: "rev_c" reverse_param { axis: 1 } }
            """.formatted(batch, width, width);
    }

    /** T x N x C decoder scores whose argmax at (t, n) is {@code k[n][t]} (score 1 there, 0 elsewhere). */
    public static float[] onehot(int[][] k, int classes) {
        int n = k.length;
        int steps = k[0].length;
        float[] x = new float[steps * n * classes];
        for (int s = 0; s < n; s++) {
            for (int t = 0; t < steps; t++) {
                x[(t * n + s) * classes + k[s][t]] = 1;
            }
        }
        return x;
    }
}
