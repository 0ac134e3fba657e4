package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.Engine;
import org.senet4j.engine.cpu.CpuEngine;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.verify.caffe.CaffeOracle;

/**
 * Deconvolution and Crop against real Caffe (random weights written by Caffe), batch 1 and 2, passes off and on, on
 * the reference engine, the CPU engine and ONNX Runtime running the export: every blob within 1e-4 relative L-inf.
 */
class DeconvCropParityTest {

    @TempDir
    Path dir;

    static final String DECONV = """
            name: "deconv"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 dim: 7 dim: 6 } } }
            layer { name: "d_hw" type: "Deconvolution" bottom: "data" top: "d_hw"
              convolution_param { num_output: 6 kernel_h: 3 kernel_w: 2 stride_h: 2 stride_w: 1 pad_h: 1 pad_w: 0
                                  group: 2 } }
            layer { name: "d_hw_relu" type: "ReLU" bottom: "d_hw" top: "d_hw" }
            layer { name: "d_dil" type: "Deconvolution" bottom: "data" top: "d_dil"
              convolution_param { num_output: 4 kernel_size: 3 dilation: 2 pad: 1 stride: 2 bias_term: false } }
            layer { name: "d_dil_bn" type: "BatchNorm" bottom: "d_dil" top: "d_dil" }
            layer { name: "d_dil_scale" type: "Scale" bottom: "d_dil" top: "d_dil" scale_param { bias_term: true } }
            layer { name: "d_up" type: "Deconvolution" bottom: "data" top: "d_up"
              convolution_param { num_output: 8 kernel_size: 4 stride: 2 pad: 1 group: 4 } }
            layer { name: "d_pair" type: "Deconvolution" bottom: "d_hw" top: "d_pair"
              convolution_param { num_output: 3 kernel_size: 2 kernel_size: 3 stride: 3 stride: 2 pad: 0 pad: 2
                                  dilation: 1 dilation: 2 } }
            layer { name: "d_1x1" type: "Deconvolution" bottom: "d_pair" top: "d_1x1"
              convolution_param { num_output: 2 kernel_size: 1 bias_term: false } }
            layer { name: "up_crop" type: "Crop" bottom: "d_up" bottom: "data" top: "up_crop"
              crop_param { axis: 2 offset: 3 offset: 2 } }
            """;

    static final String CROP = """
            name: "crop"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 10 dim: 9 } } }
            layer { name: "ref" type: "Input" top: "ref" input_param { shape { dim: 1 dim: 2 dim: 6 dim: 5 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
              convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "c_one" type: "Crop" bottom: "conv" bottom: "ref" top: "c_one" crop_param { offset: 2 } }
            layer { name: "c_per" type: "Crop" bottom: "data" bottom: "ref" top: "c_per"
              crop_param { axis: 2 offset: 3 offset: 1 } }
            layer { name: "c_ax1" type: "Crop" bottom: "conv" bottom: "ref" top: "c_ax1" crop_param { axis: 1 offset: 1 } }
            layer { name: "c_ax1_per" type: "Crop" bottom: "data" bottom: "ref" top: "c_ax1_per"
              crop_param { axis: 1 offset: 0 offset: 2 offset: 4 } }
            layer { name: "c_neg" type: "Crop" bottom: "conv" bottom: "ref" top: "c_neg" crop_param { axis: -1 offset: 4 } }
            layer { name: "c_neg2" type: "Crop" bottom: "data" bottom: "ref" top: "c_neg2"
              crop_param { axis: -2 offset: 1 offset: 3 } }
            layer { name: "conv1ch" type: "Convolution" bottom: "data" top: "conv1ch"
              convolution_param { num_output: 1 kernel_size: 1 } }
            layer { name: "c_fewer_channels" type: "Crop" bottom: "conv1ch" bottom: "ref" top: "c_fewer_channels"
              crop_param { offset: 1 } }
            layer { name: "c_zero" type: "Crop" bottom: "conv" bottom: "ref" top: "c_zero" }
            layer { name: "relu" type: "ReLU" bottom: "c_one" top: "c_one" }
            layer { name: "c_again" type: "Crop" bottom: "c_one" bottom: "c_zero" top: "c_again" crop_param { axis: 3 } }
            """;

    @Test
    void deconvolutionMatchesRealCaffe() throws Exception {
        double worst = check("deconv", DECONV, 21);
        System.out.println("Deconvolution worst relative error " + worst);
    }

    @Test
    void cropMatchesRealCaffe() throws Exception {
        double worst = check("crop", CROP, 22);
        System.out.println("Crop worst relative error " + worst);
        Graph g = CaffeImporter.load(Files.writeString(dir.resolve("c.prototxt"), CROP), null).graph();
        assertEquals(Shape.of(1, 2, 6, 5), g.shape("c_ax1"));
        assertEquals(Shape.of(1, 4, 10, 5), g.shape("c_neg"));
        assertEquals(Shape.of(1, 3, 6, 5), g.shape("c_neg2"));
    }

    /**
     * Zoo nets that stop at Deconvolution and Crop (FCN-8s, HED, RetinaFace's mnet), at a smaller input size, whole,
     * with Caffe-written random weights: the CPU engine and ONNX Runtime at batch 1.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "shelhamer_fcn.berkeleyvision.org/voc-fcn8s__deploy.prototxt | dim: 500 | dim: 64",
        "s9xie_hed/examples__hed__deploy.prototxt | input_dim: 500 | input_dim: 96",
        "Charrin_RetinaFace-Cpp/convert_models__mnet__mnet.prototxt | dim: 640 | dim: 160"})
    void zooNetsMatchRealCaffe(String file, String from, String to) throws Exception {
        Path zoo = org.senet4j.TestData.requireShared("caffe-zoo/" + file);
        String name = zoo.getFileName().toString().replace(".prototxt", "");
        double worst = check(name, Files.readString(zoo).replace(from, to), 23, List.of("cpu"), 1);
        System.out.println(file + " worst relative error " + worst);
    }

    private double check(String name, String text, long seed) throws Exception {
        return check(name, text, seed, List.of("reference", "cpu"), 1, 2);
    }

    /** Returns the worst relative error over every engine, pass setting, batch and blob. */
    private double check(String name, String text, long seed, List<String> devices, int... batches)
            throws Exception {
        Path proto = Files.writeString(dir.resolve(name + ".prototxt"), text);
        BackendParity parity = new BackendParity(dir);
        for (int batch : batches) {
            CaffeOracle.ReferenceSet caffe = CaffeOracle.makeReference(proto, dir.resolve(name + batch), null, seed,
                    batch, InputDistribution.UNIFORM, seed + 1, 1, CaffeOracle.Options.defaults());
            Graph g = CaffeImporter.load(proto, caffe.model()).graph();
            parity.check(name + " b" + batch, g, new ReferenceSet(caffe.dir(), caffe.inputs(), caffe.blobs()), 6, devices,
                    true, true, (label, e, r) -> assertDeconvolutionsOnOneDnn(label, g, e, batch));
        }
        return parity.worst().values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    /** On the CPU engine, each Deconvolution of the test nets runs as a oneDNN deconvolution primitive. */
    private static void assertDeconvolutionsOnOneDnn(String label, Graph g, Engine e, int batch) throws Exception {
        assertEquals(label.contains(" cpu "), e instanceof CpuEngine, label);
        if (e instanceof CpuEngine cpu) {
            List<String> steps = cpu.steps(batch);
            for (String deconv : List.of("d_hw", "d_dil", "d_up", "d_pair", "d_1x1")) {
                if (g.nodes().stream().anyMatch(n -> n.name().equals(deconv))) {
                    assertTrue(steps.stream().anyMatch(st -> st.startsWith(deconv + " [deconv ")),
                            label + ": " + deconv + " is not a oneDNN deconvolution: " + steps);
                }
            }
        }
    }
}
