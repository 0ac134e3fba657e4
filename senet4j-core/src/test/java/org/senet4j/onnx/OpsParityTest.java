package org.senet4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.ir.Graph;
import org.senet4j.onnx.proto.ModelProto;
import org.senet4j.onnx.proto.NodeProto;

/**
 * Every op against the plain-loop Caffe reference through ONNX Runtime: folding on and off, every intermediate value,
 * batch sizes 1 and 3 on the same exported model.
 */
class OpsParityTest {
    @TempDir
    Path dir;

    private static final String INPUT = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 dim: 9 dim: 8 } } }
            """;

    @Test
    void convolutionsWithFusedActivations() throws Exception {
        Parity.check(dir, "name: \"conv\"\n" + INPUT + """
                layer { name: "conv_hw" type: "Convolution" bottom: "data" top: "conv_hw"
                  convolution_param { num_output: 6 kernel_h: 3 kernel_w: 2 stride_h: 2 stride_w: 1 pad_h: 1 pad_w: 0 } }
                layer { name: "relu_hw" type: "ReLU" bottom: "conv_hw" top: "conv_hw" }
                layer { name: "conv_dil" type: "Convolution" bottom: "data" top: "conv_dil"
                  convolution_param { num_output: 6 kernel_size: 3 dilation: 2 pad: 2 pad: 1 group: 2 stride: 2 stride: 1
                                      bias_term: false } }
                layer { name: "leaky" type: "ReLU" bottom: "conv_dil" top: "conv_dil" relu_param { negative_slope: 0.1 } }
                layer { name: "dw" type: "Convolution" bottom: "data" top: "dw"
                  convolution_param { num_output: 8 kernel_size: 3 group: 4 stride: 3 } }
                layer { name: "pw" type: "Convolution" bottom: "dw" top: "pw" convolution_param { num_output: 5 kernel_size: 1 } }
                layer { name: "relu_pw" type: "ReLU" bottom: "pw" top: "pw_relu" }
                layer { name: "pw_tap" type: "TanH" bottom: "pw" top: "pw_tanh" }
                """, 1, 1, 3);
    }

    @Test
    void batchNormAndScale() throws Exception {
        Graph g = Parity.check(dir, "name: \"bn\"\n" + INPUT + """
                layer { name: "bn_in" type: "BatchNorm" bottom: "data" top: "bn_in" }
                layer { name: "conv" type: "Convolution" bottom: "bn_in" top: "conv"
                  convolution_param { num_output: 6 kernel_size: 3 pad: 1 bias_term: false } }
                layer { name: "conv/bn" type: "BatchNorm" bottom: "conv" top: "conv" batch_norm_param { eps: 0.001 } }
                layer { name: "conv/scale" type: "Scale" bottom: "conv" top: "conv" scale_param { bias_term: true } }
                layer { name: "conv/relu" type: "ReLU" bottom: "conv" top: "conv" }
                layer { name: "bn2" type: "BatchNorm" bottom: "conv" top: "bn2" }
                layer { name: "scale2" type: "Scale" bottom: "bn2" top: "scale2" }
                layer { name: "scale_hw" type: "Scale" bottom: "scale2" top: "scale_hw" scale_param { axis: 2 num_axes: 2 bias_term: true } }
                layer { name: "scale_all" type: "Scale" bottom: "scale_hw" top: "scale_all" scale_param { axis: 1 num_axes: -1 } }
                layer { name: "bias_c" type: "Bias" bottom: "scale_all" top: "bias_c" }
                layer { name: "bias_w" type: "Bias" bottom: "bias_c" top: "bias_w" bias_param { axis: 3 } }
                """, 2, 1, 3);
        // folding off: a BatchNorm whose output only feeds a per-channel Scale becomes one BatchNormalization
        ModelProto m = ModelProto.parseFrom(OnnxExporter.export(g, ExportOptions.DEFAULT.withFold(false)));
        List<NodeProto> bns = m.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("BatchNormalization")).toList();
        assertEquals(List.of("bn_in", "conv/bn", "bn2"), bns.stream().map(NodeProto::getName).toList());
        assertEquals(List.of("conv@conv/scale"), bns.get(1).getOutputList());
        assertEquals("Caffe layer conv/bn (BatchNorm) + conv/scale (Scale)", bns.get(1).getDocString());
        assertEquals(List.of("conv@conv", "conv/scale/scale", "conv/scale/bias", "conv/bn/mean", "conv/bn/variance"),
                bns.get(1).getInputList());
        assertEquals(List.of("conv", "scale2/scale", "scale2/bias", "bn2/mean", "bn2/variance"),
                bns.get(2).getInputList());
        // folding on: no BatchNormalization after the convolution
        ModelProto f = ModelProto.parseFrom(OnnxExporter.export(g, ExportOptions.DEFAULT));
        assertEquals(List.of("bn_in", "bn2"), f.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("BatchNormalization")).map(NodeProto::getName).toList());
    }

    @Test
    void innerProducts() throws Exception {
        Parity.check(dir, "name: \"ip\"\n" + INPUT + """
                layer { name: "ip4d" type: "InnerProduct" bottom: "data" top: "ip4d" inner_product_param { num_output: 7 } }
                layer { name: "relu" type: "ReLU" bottom: "ip4d" top: "ip4d" relu_param { negative_slope: 0.2 } }
                layer { name: "ip2d" type: "InnerProduct" bottom: "ip4d" top: "ip2d"
                  inner_product_param { num_output: 5 transpose: true } }
                layer { name: "ip_ax2" type: "InnerProduct" bottom: "data" top: "ip_ax2"
                  inner_product_param { num_output: 3 axis: 2 } }
                layer { name: "ip_ax2t" type: "InnerProduct" bottom: "data" top: "ip_ax2t"
                  inner_product_param { num_output: 3 axis: -2 transpose: true bias_term: false } }
                layer { name: "ip_ax1_nb" type: "InnerProduct" bottom: "data" top: "ip_ax1_nb"
                  inner_product_param { num_output: 4 bias_term: false } }
                layer { name: "ip_relu" type: "ReLU" bottom: "ip_ax1_nb" top: "ip_ax1_nb" }
                """, 3, 1, 3);
    }

    @Test
    void innerProductOnAxisZeroHasAFixedBatch() throws Exception {
        Graph g = Parity.check(dir, """
                name: "ip0"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 2 } } }
                layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" inner_product_param { num_output: 4 axis: 0 } }
                """, 4, 2);
        ModelProto m = ModelProto.parseFrom(OnnxExporter.export(g, ExportOptions.DEFAULT));
        assertEquals(2, m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimValue());
    }

    @Test
    void activationsSoftmaxAndPower() throws Exception {
        Parity.check(dir, "name: \"act\"\n" + INPUT + """
                layer { name: "prelu" type: "PReLU" bottom: "data" top: "prelu" }
                layer { name: "prelu_shared" type: "PReLU" bottom: "data" top: "prelu_shared" prelu_param { channel_shared: true } }
                layer { name: "relu" type: "ReLU" bottom: "data" top: "relu" }
                layer { name: "leaky" type: "ReLU" bottom: "data" top: "leaky" relu_param { negative_slope: -0.3 } }
                layer { name: "sig" type: "Sigmoid" bottom: "data" top: "sig" }
                layer { name: "tanh" type: "TanH" bottom: "data" top: "tanh" }
                layer { name: "sm1" type: "Softmax" bottom: "data" top: "sm1" }
                layer { name: "sm2" type: "Softmax" bottom: "data" top: "sm2" softmax_param { axis: 2 } }
                layer { name: "sm_last" type: "Softmax" bottom: "data" top: "sm_last" softmax_param { axis: -1 } }
                layer { name: "pow_all" type: "Power" bottom: "data" top: "pow_all" power_param { power: 2 scale: 0.5 shift: 1 } }
                layer { name: "pow_lin" type: "Power" bottom: "data" top: "pow_lin" power_param { scale: -2 } }
                layer { name: "pow_sqrt" type: "Power" bottom: "data" top: "pow_sqrt" power_param { power: 0.5 shift: 2 } }
                layer { name: "pow_id" type: "Power" bottom: "data" top: "pow_id" }
                layer { name: "pow_zero" type: "Power" bottom: "data" top: "pow_zero" power_param { power: 3 scale: 0 shift: 1.5 } }
                layer { name: "pow_inplace" type: "Power" bottom: "sig" top: "sig" power_param { power: 3 } }
                """, 4, 1, 3);
    }

    @Test
    void unaryElementwiseLayers() throws Exception {
        Graph g = Parity.check(dir, "name: \"unary\"\n" + INPUT + """
                layer { name: "wide" type: "Power" bottom: "data" top: "wide" power_param { scale: 30 } }
                layer { name: "elu" type: "ELU" bottom: "data" top: "elu" }
                layer { name: "elu_half" type: "ELU" bottom: "wide" top: "elu_half" elu_param { alpha: 0.5 } }
                layer { name: "abs" type: "AbsVal" bottom: "data" top: "abs" }
                layer { name: "exp" type: "Exp" bottom: "data" top: "exp" }
                layer { name: "exp2" type: "Exp" bottom: "data" top: "exp2" exp_param { base: 2 scale: 1.5 shift: -0.5 } }
                layer { name: "exp_sh" type: "Exp" bottom: "data" top: "exp_sh" exp_param { shift: 0.7 } }
                layer { name: "pos" type: "Power" bottom: "abs" top: "pos" power_param { shift: 0.01 } }
                layer { name: "log" type: "Log" bottom: "pos" top: "log" }
                layer { name: "log10" type: "Log" bottom: "pos" top: "log10" log_param { base: 10 scale: 2 shift: 0.5 } }
                layer { name: "bnll" type: "BNLL" bottom: "wide" top: "bnll" }
                layer { name: "thr" type: "Threshold" bottom: "data" top: "thr" }
                layer { name: "thr3" type: "Threshold" bottom: "data" top: "thr3" threshold_param { threshold: 0.3 } }
                layer { name: "clip" type: "Clip" bottom: "data" top: "clip" clip_param { min: -0.4 max: 0.6 } }
                layer { name: "swish" type: "Swish" bottom: "wide" top: "swish" }
                layer { name: "swish_b" type: "Swish" bottom: "data" top: "swish_b" swish_param { beta: 2.5 } }
                layer { name: "elu_inplace" type: "ELU" bottom: "swish_b" top: "swish_b" elu_param { alpha: 2 } }
                """, 5, 1, 3);
        ModelProto m = ModelProto.parseFrom(OnnxExporter.export(g, ExportOptions.DEFAULT));
        List<String> types = m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
        for (String t : List.of("Elu", "Abs", "Exp", "Log", "Softplus", "Greater", "Cast", "Clip", "Sigmoid")) {
            assertTrue(types.contains(t), t + " in " + types);
        }
    }

    @Test
    void eltwiseConcatSliceSplitAndIdentities() throws Exception {
        Parity.check(dir, "name: \"combine\"\n" + INPUT + """
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 6 kernel_size: 1 } }
                layer { name: "split" type: "Split" bottom: "conv" top: "a" top: "b" top: "c" }
                layer { name: "tanh" type: "TanH" bottom: "b" top: "bt" }
                layer { name: "sum3" type: "Eltwise" bottom: "a" bottom: "bt" bottom: "c" top: "sum3"
                  eltwise_param { operation: SUM coeff: 0.5 coeff: -1.5 coeff: 1 } }
                layer { name: "sum2" type: "Eltwise" bottom: "a" bottom: "bt" top: "sum2" }
                layer { name: "prod3" type: "Eltwise" bottom: "a" bottom: "bt" bottom: "c" top: "prod3" eltwise_param { operation: PROD } }
                layer { name: "max3" type: "Eltwise" bottom: "sum3" bottom: "prod3" bottom: "sum2" top: "max3" eltwise_param { operation: MAX } }
                layer { name: "drop" type: "Dropout" bottom: "max3" top: "max3" dropout_param { dropout_ratio: 0.3 } }
                layer { name: "slice" type: "Slice" bottom: "max3" top: "s1" top: "s2" top: "s3" slice_param { slice_point: 1 slice_point: 4 } }
                layer { name: "slice_eq" type: "Slice" bottom: "data" top: "e1" top: "e2" slice_param { axis: 3 } }
                layer { name: "slice_h" type: "Slice" bottom: "data" top: "h1" top: "h2" slice_param { axis: 2 slice_point: 2 } }
                layer { name: "concat" type: "Concat" bottom: "s3" bottom: "s1" bottom: "s2" bottom: "data" top: "concat" }
                layer { name: "concat_w" type: "Concat" bottom: "e2" bottom: "e1" top: "concat_w" concat_param { axis: 3 } }
                layer { name: "concat_one" type: "Concat" bottom: "h2" top: "concat_one" }
                layer { name: "silence" type: "Silence" bottom: "h1" }
                """, 5, 1, 3);
    }

    @Test
    void reshapesAndFlatten() throws Exception {
        Parity.check(dir, "name: \"reshape\"\n" + INPUT + """
                layer { name: "r_copy" type: "Reshape" bottom: "data" top: "r_copy" reshape_param { shape { dim: 0 dim: -1 dim: 4 } } }
                layer { name: "r_mid" type: "Reshape" bottom: "data" top: "r_mid"
                  reshape_param { shape { dim: 2 dim: -1 } axis: 1 num_axes: 1 } }
                layer { name: "r_tail" type: "Reshape" bottom: "data" top: "r_tail"
                  reshape_param { shape { dim: 8 dim: 9 } axis: 2 } }
                layer { name: "r_end" type: "Reshape" bottom: "data" top: "r_end"
                  reshape_param { shape { dim: 1 dim: 1 } axis: -1 num_axes: 0 } }
                layer { name: "r_front" type: "Reshape" bottom: "data" top: "r_front"
                  reshape_param { shape { dim: 1 } axis: 0 num_axes: 0 } }
                layer { name: "r_all" type: "Reshape" bottom: "data" top: "r_all" reshape_param { shape { dim: -1 } } }
                layer { name: "flat" type: "Flatten" bottom: "data" top: "flat" }
                layer { name: "flat_mid" type: "Flatten" bottom: "data" top: "flat_mid" flatten_param { axis: 1 end_axis: 2 } }
                layer { name: "flat_hw" type: "Flatten" bottom: "data" top: "flat_hw" flatten_param { axis: 2 } }
                """, 6, 1, 3);
    }

    @Test
    void squeezeExcitationForms() throws Exception {
        // SE-BN-Inception (Reshape to N x C, two-input Scale on axis 0), SE-ResNet (Axpy with N x C x 1 x 1 and
        // N x C scales), two-input Bias
        Parity.check(dir, "name: \"se\"\n" + INPUT + """
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "gp" type: "Pooling" bottom: "conv" top: "gp" pooling_param { pool: AVE global_pooling: true } }
                layer { name: "down" type: "Convolution" bottom: "gp" top: "down" convolution_param { num_output: 2 kernel_size: 1 } }
                layer { name: "down/relu" type: "ReLU" bottom: "down" top: "down" }
                layer { name: "up" type: "Convolution" bottom: "down" top: "up" convolution_param { num_output: 8 kernel_size: 1 } }
                layer { name: "prob" type: "Sigmoid" bottom: "up" top: "up" }
                layer { name: "prob_reshape" type: "Reshape" bottom: "up" top: "prob_nc" reshape_param { shape { dim: 0 dim: 0 } } }
                layer { name: "se_scale" type: "Scale" bottom: "conv" bottom: "prob_nc" top: "se_scale" scale_param { axis: 0 } }
                layer { name: "shortcut" type: "Convolution" bottom: "data" top: "shortcut" convolution_param { num_output: 8 kernel_size: 1 } }
                layer { name: "axpy4" type: "Axpy" bottom: "up" bottom: "conv" bottom: "shortcut" top: "axpy4" }
                layer { name: "axpy2" type: "Axpy" bottom: "prob_nc" bottom: "conv" bottom: "shortcut" top: "axpy2" }
                layer { name: "bias2" type: "Bias" bottom: "conv" bottom: "prob_nc" top: "bias2" bias_param { axis: 0 } }
                layer { name: "bias_c" type: "Bias" bottom: "axpy4" bottom: "prob_nc" top: "bias_c" bias_param { axis: 0 } }
                """, 7, 1, 3);
    }

    @Test
    void twoInputScaleWithBiasHasAFixedBatch() throws Exception {
        // Caffe's bias blob of a two-input Scale has the second input's shape, batch included
        Graph g = Parity.check(dir, """
                name: "scale_bias"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 4 dim: 5 } } }
                layer { name: "gp" type: "Pooling" bottom: "data" top: "gp" pooling_param { pool: MAX global_pooling: true } }
                layer { name: "nc" type: "Reshape" bottom: "gp" top: "nc" reshape_param { shape { dim: 0 dim: 0 } } }
                layer { name: "scale" type: "Scale" bottom: "data" bottom: "nc" top: "scale"
                  scale_param { axis: 0 bias_term: true } }
                """, 9, 2);
        ModelProto m = ModelProto.parseFrom(OnnxExporter.export(g, ExportOptions.DEFAULT));
        assertEquals(2, m.getGraph().getOutput(0).getType().getTensorType().getShape().getDim(0).getDimValue());
        assertEquals(List.of(2L, 3L, 1L, 1L), m.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals("scale/bias")).findFirst().orElseThrow().getDimsList());
    }

    @Test
    void deconvolutionAndCrop() throws Exception {
        Parity.check(dir, "name: \"deconv_crop\"\n" + INPUT + """
                layer { name: "up" type: "Deconvolution" bottom: "data" top: "up"
                  convolution_param { num_output: 6 kernel_h: 4 kernel_w: 3 stride_h: 2 stride_w: 3 pad_h: 1 pad_w: 2
                                      dilation: 1 dilation: 2 group: 2 } }
                layer { name: "relu" type: "ReLU" bottom: "up" top: "up" }
                layer { name: "up_nb" type: "Deconvolution" bottom: "data" top: "up_nb"
                  convolution_param { num_output: 4 kernel_size: 2 stride: 2 bias_term: false } }
                layer { name: "crop" type: "Crop" bottom: "up" bottom: "data" top: "crop" crop_param { offset: 3 offset: 1 } }
                layer { name: "crop_c" type: "Crop" bottom: "up_nb" bottom: "data" top: "crop_c"
                  crop_param { axis: 1 offset: 0 offset: 2 offset: 5 } }
                layer { name: "crop_0" type: "Crop" bottom: "up_nb" bottom: "data" top: "crop_0"
                  crop_param { axis: 0 offset: 0 offset: 0 offset: 1 offset: 1 } }
                layer { name: "crop_last" type: "Crop" bottom: "up" bottom: "data" top: "crop_last" crop_param { axis: -1 } }
                """, 5, 1, 3);
    }

    @Test
    void bundledModels() throws Exception {
        for (String name : List.of("ops_zoo", "se_resnet_mini", "se_resnext_mini", "se_inception_mini")) {
            String text = Files.readString(TestData.testdata().resolve(name + ".prototxt"));
            Graph g = Parity.check(dir, text, 8 + name.hashCode(), 1, 3);
            assertTrue(g.nodes().size() > 5, name);
        }
    }
}
