package org.senet4j.verify.caffe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.io.Npy;
import org.senet4j.ir.Shape;
import org.senet4j.verify.BlobResult;
import org.senet4j.verify.InputDistribution;

/**
 * The OpenCV dnn oracle on small BVLC nets, where real Caffe is the judge: with Caffe-written random weights, every
 * blob OpenCV reports (read from the last layer that wrote it: in-place BatchNorm, Scale and ReLU; both tops of a
 * Slice; a repeated layer name) matches real Caffe; a net OpenCV refuses fails naming the prototxt with OpenCV's
 * message; a net with Axpy is refused before OpenCV runs.
 */
class OpenCvOracleTest {
    @TempDir
    Path dir;

    static final String NET = """
            name: "opencv_check"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 11 dim: 9 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 8 kernel_size: 3 pad: 1 stride: 2 } }
            layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" }
            layer { name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" scale_param { bias_term: true } }
            layer { name: "act" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "dw" type: "Convolution" bottom: "conv1" top: "dw"
                    convolution_param { num_output: 8 group: 8 kernel_size: 3 pad: 1 } }
            layer { name: "slice" type: "Slice" bottom: "dw" top: "left" top: "right" slice_param { slice_point: 3 } }
            layer { name: "act" type: "ReLU" bottom: "right" top: "right_relu" }
            layer { name: "concat" type: "Concat" bottom: "right_relu" bottom: "left" top: "concat" }
            layer { name: "sum" type: "Eltwise" bottom: "concat" bottom: "conv1" top: "sum" }
            layer { name: "pool" type: "Pooling" bottom: "sum" top: "pool" pooling_param { pool: AVE kernel_size: 3 stride: 2 } }
            layer { name: "fc" type: "InnerProduct" bottom: "pool" top: "fc" inner_product_param { num_output: 5 } }
            layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
            """;

    @Test
    void blobsMatchRealCaffeOnABvlcNet() throws Exception {
        Path proto = Files.writeString(dir.resolve("net.prototxt"), NET);
        Path model = dir.resolve("net.caffemodel");
        CaffeOracle.writeRandomWeights(proto, model, 3);
        for (int batch : new int[] {1, 2}) {
            Path input = CaffeOracleTest.randomInput(dir.resolve("data" + batch + ".npy"), new int[] {batch, 3, 11, 9},
                    batch);
            Map<String, Path> caffe = CaffeOracle.forward(proto, model, Map.of("data", input), dir.resolve("caffe" + batch),
                    null, 1);
            OpenCvOracle.Result cv = OpenCvOracle.forward(proto, model, Map.of("data", input),
                    dir.resolve("opencv" + batch), Duration.ofMinutes(5));
            assertEquals(List.of("conv1", "dw", "left", "right", "right_relu", "concat", "sum", "pool", "fc", "prob"),
                    new ArrayList<>(cv.blobs().keySet()), "OpenCV blobs");
            List<String> failed = new ArrayList<>();
            double worst = 0;
            for (Map.Entry<String, Path> e : cv.blobs().entrySet()) {
                Npy.NpyArray want = Npy.read(caffe.get(e.getKey()));
                Npy.NpyArray got = Npy.read(e.getValue());
                assertEquals(Shape.of(want.shape()), Shape.of(got.shape()), e.getKey());
                BlobResult r = BlobResult.compare(e.getKey(), Shape.of(got.shape()), got.data(), want.data(), 1e-4);
                worst = Math.max(worst, r.relError());
                if (!r.pass()) {
                    failed.add(r.toString());
                }
            }
            System.out.printf("OpenCvOracleTest batch %d: worst relative error against real Caffe %.3e%n", batch,
                    worst);
            assertTrue(failed.isEmpty(), failed.toString());
        }
    }

    @Test
    void outputsComeFromTheLastLayerThatWroteEachBlob() throws Exception {
        Path proto = Files.writeString(dir.resolve("net.prototxt"), NET);
        Map<String, String> from = new LinkedHashMap<>();
        for (OpenCvOracle.Output o : OpenCvOracle.outputs(OpenCvOracle.read(proto))) {
            from.put(o.blob(), o.layer() + "#" + o.index());
        }
        assertEquals("act#0", from.get("conv1"));        // after bn1, scale1 and the ReLU, all in place
        assertEquals("slice#1", from.get("right"));
        assertEquals("act_1#0", from.get("right_relu")); // OpenCV's name for the second layer named act
        assertTrue(!from.containsKey("data"));
    }

    @Test
    void aNetOpenCvRefusesNamesThePrototxtAndOpenCvsError() throws Exception {
        Path proto = Files.writeString(dir.resolve("bad.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 4 dim: 4 } } }
                layer { name: "a" type: "Convolution" bottom: "data" top: "a" convolution_param { num_output: 2 kernel_size: 1 } }
                layer { name: "b" type: "Convolution" bottom: "data" top: "b" convolution_param { num_output: 3 kernel_size: 1 } }
                layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "sum" }
                """);
        Path model = dir.resolve("bad.caffemodel");
        Files.write(model, org.senet4j.caffe.proto.NetParameter.newBuilder()
                .addLayer(layer("a", 2, 3)).addLayer(layer("b", 3, 3)).build().toByteArray());
        Path input = CaffeOracleTest.randomInput(dir.resolve("in.npy"), new int[] {1, 3, 4, 4}, 1);
        CaffeOracleException e = assertThrows(CaffeOracleException.class, () -> OpenCvOracle.forward(proto, model,
                Map.of("data", input), dir.resolve("bad"), Duration.ofMinutes(2)));
        assertTrue(e.getMessage().contains("bad.prototxt") && e.fatalMessage().isPresent(), e.getMessage());
        System.out.println("OpenCV's refusal: " + e.fatalMessage().get());
    }

    @Test
    void axpyNetsAreRefused() throws Exception {
        Path proto = Files.writeString(dir.resolve("se.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 dim: 2 dim: 2 } } }
                layer { name: "gap" type: "Pooling" bottom: "data" top: "gap" pooling_param { pool: AVE global_pooling: true } }
                layer { name: "se_axpy" type: "Axpy" bottom: "gap" bottom: "data" bottom: "data" top: "out" }
                """);
        assertTrue(OpenCvOracle.refusal(OpenCvOracle.read(proto)).orElseThrow().contains("se_axpy"));
        Path input = CaffeOracleTest.randomInput(dir.resolve("in.npy"), new int[] {1, 4, 2, 2}, 1);
        CaffeOracleException e = assertThrows(CaffeOracleException.class, () -> OpenCvOracle.forward(proto,
                dir.resolve("none.caffemodel"), Map.of("data", input), dir.resolve("se"), Duration.ofMinutes(1)));
        assertTrue(e.getMessage().contains("Axpy") && e.getMessage().contains("--caffe"), e.getMessage());
    }

    @Test
    void makeReferenceFeedsSeededInputs() throws Exception {
        Path proto = Files.writeString(dir.resolve("net.prototxt"), NET);
        Path model = dir.resolve("net.caffemodel");
        CaffeOracle.writeRandomWeights(proto, model, 3);
        OpenCvOracle.Result r = OpenCvOracle.makeReference(proto, model, dir.resolve("ref"),
                Map.of("data", Shape.of(2, 3, 11, 9)), InputDistribution.NORMAL, 5, Duration.ofMinutes(5));
        float[] in = Npy.read(r.inputs().get("data")).data();
        float[] want = new float[in.length];
        InputDistribution.NORMAL.fill(5, want);
        org.junit.jupiter.api.Assertions.assertArrayEquals(want, in);
        assertEquals(List.of(2, 5), java.util.Arrays.stream(Npy.read(r.blobs().get("prob")).shape()).boxed().toList());
    }

    private static org.senet4j.caffe.proto.LayerParameter layer(String name, int out, int in) {
        org.senet4j.caffe.proto.BlobProto.Builder w = org.senet4j.caffe.proto.BlobProto.newBuilder()
                .setShape(org.senet4j.caffe.proto.BlobShape.newBuilder().addDim(out).addDim(in).addDim(1).addDim(1));
        org.senet4j.caffe.proto.BlobProto.Builder b = org.senet4j.caffe.proto.BlobProto.newBuilder()
                .setShape(org.senet4j.caffe.proto.BlobShape.newBuilder().addDim(out));
        for (int i = 0; i < out * in; i++) {
            w.addData(0.1f * i);
        }
        for (int i = 0; i < out; i++) {
            b.addData(0f);
        }
        return org.senet4j.caffe.proto.LayerParameter.newBuilder().setName(name).setType("Convolution")
                .addBlobs(w).addBlobs(b).build();
    }
}
