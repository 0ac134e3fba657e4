package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.BatchStatNorm;
import org.senet4j.ir.op.Pooling;
import org.senet4j.verify.caffe.CaffeOracle;

/**
 * BatchNorm on batch statistics ({@code use_global_stats: false}) and Scale/Bias over other axes than the channels
 * ({@code num_axes} 0, 2 and -1, axes 2 and -1, two-input forms with a 3-D second input; a learned term over the
 * batch axis is left out, as its shape would change with the batch and Caffe refuses it) against real Caffe, every blob
 * at batch 1 and 2 on the reference engine, the CPU engine (passes on and off) and ONNX Runtime. Test-time STOCHASTIC
 * pooling, which real Caffe runs only on the GPU, is checked on the CPU engine and ONNX Runtime against the reference
 * kernel, whose windows are hand-computed in senet4j-core's StochasticPoolingKernelTest.
 */
class NormScalePoolParityTest {
    @TempDir
    Path dir;

    private static final Map<String, Double> WORST = new java.util.TreeMap<>();

    static final String NET = """
            name: "norm_scale"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 6 dim: 5 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "bn_batch" type: "BatchNorm" bottom: "conv" top: "bn_batch"
                    batch_norm_param { use_global_stats: false } }
            layer { name: "bn_eps" type: "BatchNorm" bottom: "data" top: "bn_eps"
                    batch_norm_param { use_global_stats: false eps: 0.1 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "relu" }
            layer { name: "bn_inplace" type: "BatchNorm" bottom: "relu" top: "relu"
                    batch_norm_param { use_global_stats: false } }
            layer { name: "ip" type: "InnerProduct" bottom: "relu" top: "ip" inner_product_param { num_output: 5 } }
            layer { name: "bn_ip" type: "BatchNorm" bottom: "ip" top: "bn_ip" batch_norm_param { use_global_stats: false } }
            layer { name: "bn_global" type: "BatchNorm" bottom: "conv" top: "bn_global"
                    batch_norm_param { use_global_stats: true } }
            layer { name: "sc_c" type: "Scale" bottom: "bn_batch" top: "sc_c" scale_param { bias_term: true } }
            layer { name: "sc_ch" type: "Scale" bottom: "conv" top: "sc_ch" scale_param { num_axes: 2 bias_term: true } }
            layer { name: "sc_0" type: "Scale" bottom: "conv" top: "sc_0" scale_param { num_axes: 0 bias_term: true } }
            layer { name: "sc_all" type: "Scale" bottom: "conv" top: "sc_all" scale_param { num_axes: -1 } }
            layer { name: "sc_hw" type: "Scale" bottom: "conv" top: "sc_hw" scale_param { axis: 2 num_axes: 2 } }
            layer { name: "sc_last" type: "Scale" bottom: "conv" top: "sc_last"
                    scale_param { axis: -1 bias_term: true } }
            layer { name: "rows" type: "Reduction" bottom: "conv" top: "rows" reduction_param { operation: MEAN axis: 3 } }
            layer { name: "sc_2in" type: "Scale" bottom: "conv" bottom: "rows" top: "sc_2in" scale_param { axis: 0 } }
            layer { name: "b_ch" type: "Bias" bottom: "conv" top: "b_ch" bias_param { num_axes: 2 } }
            layer { name: "b_0" type: "Bias" bottom: "conv" top: "b_0" bias_param { num_axes: 0 } }
            layer { name: "b_all" type: "Bias" bottom: "ip" top: "b_all" bias_param { num_axes: -1 } }
            layer { name: "b_last" type: "Bias" bottom: "conv" top: "b_last" bias_param { axis: -1 } }
            layer { name: "b_2in" type: "Bias" bottom: "conv" bottom: "rows" top: "b_2in" bias_param { axis: 0 } }
            """;

    @AfterAll
    static void report() {
        System.out.println("NormScalePoolParityTest worst relative errors: " + WORST);
    }

    @Test
    void batchStatisticsAndScaleAxesMatchRealCaffe() throws Exception {
        Path proto = Files.writeString(dir.resolve("norm.prototxt"), NET);
        CaffeOracle.ReferenceSet b1 = CaffeOracle.makeReference(proto, dir.resolve("b1"), null, 11, 1,
                InputDistribution.UNIFORM, 12, 1, CaffeOracle.Options.defaults());
        CaffeOracle.ReferenceSet b2 = CaffeOracle.makeReference(proto, dir.resolve("b2"), b1.model(), 11, 2,
                InputDistribution.UNIFORM, 13, 1, CaffeOracle.Options.defaults());
        Graph g = CaffeImporter.load(proto, b1.model()).graph();
        assertTrue(g.node("bn_batch").op() instanceof BatchStatNorm, g.node("bn_batch").op().toString());
        assertTrue(g.node("bn_ip").op() instanceof BatchStatNorm);
        BackendParity parity = new BackendParity(dir);
        try {
            for (CaffeOracle.ReferenceSet r : List.of(b1, b2)) {
                parity.check("norm/scale", g, new ReferenceSet(r.dir(), r.inputs(), r.blobs()), 21);
            }
        } finally {
            WORST.putAll(parity.worst());
        }
    }

    static final String STOCHASTIC = """
            name: "stochastic"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 9 dim: 7 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "relu" }
            layer { name: "sto" type: "Pooling" bottom: "relu" top: "sto"
                    pooling_param { pool: STOCHASTIC kernel_size: 2 stride: 2 } }
            layer { name: "sto_rect" type: "Pooling" bottom: "relu" top: "sto_rect"
                    pooling_param { pool: STOCHASTIC kernel_h: 3 kernel_w: 2 stride_h: 2 stride_w: 3 } }
            layer { name: "sto_big" type: "Pooling" bottom: "relu" top: "sto_big"
                    pooling_param { pool: STOCHASTIC kernel_size: 8 stride: 4 } }
            layer { name: "sto_floor" type: "Pooling" bottom: "relu" top: "sto_floor"
                    pooling_param { pool: STOCHASTIC kernel_size: 2 stride: 2 round_mode: FLOOR } }
            layer { name: "sto_global" type: "Pooling" bottom: "relu" top: "sto_global"
                    pooling_param { pool: STOCHASTIC global_pooling: true } }
            layer { name: "sto_input" type: "Pooling" bottom: "data" top: "sto_input"
                    pooling_param { pool: STOCHASTIC kernel_size: 3 stride: 3 } }
            """;

    @Test
    void stochasticPoolingOnCpuAndOnnxMatchesTheFormula() throws Exception {
        Path proto = Files.writeString(dir.resolve("sto.prototxt"), STOCHASTIC);
        Graph g = SeededWeights.fill(CaffeImporter.load(proto, null).graph(), 9);
        assertEquals(Pooling.Method.STOCHASTIC, ((Pooling) g.node("sto").op()).method());
        assertEquals(Shape.of(2, 4, 5, 4), g.shape("sto"));
        assertEquals(Shape.of(2, 4, 4, 3), g.shape("sto_floor"));
        assertEquals(Shape.of(2, 4, 2, 1), g.shape("sto_big"));
        BackendParity parity = new BackendParity(dir);
        List<String> blobs = List.of("conv", "relu", "sto", "sto_rect", "sto_big", "sto_floor", "sto_global",
                "sto_input");
        try {
            for (int batch : new int[] {1, 2}) {
                Graph gb = g.withBatchSize(batch);
                float[] x = new float[batch * 3 * 9 * 7];
                InputDistribution.UNIFORM.fill(30 + batch, x);
                // a positive input, so that the pooling straight on the data has well-conditioned window sums
                for (int i = 0; i < x.length; i++) {
                    x[i] = Math.abs(x[i]) + 0.01f;
                }
                Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(batch, 3, 9, 7), x));
                ReferenceSet ref = parity.fromReferenceEngine("sto-b" + batch, gb, in, blobs);
                // passes on: the convolution's output is fused with its ReLU and not exposed
                parity.check("stochastic", gb, ref, blobs.size() - 1);
            }
        } finally {
            WORST.putAll(parity.worst());
        }
    }
}
