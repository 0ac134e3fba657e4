package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.passes.Passes;
import org.senet4j.verify.BlobResult;
import org.senet4j.verify.InputDistribution;
import org.senet4j.verify.ReferenceSet;
import org.senet4j.verify.Verifier;
import org.senet4j.verify.VerifyReport;
import org.senet4j.verify.caffe.CaffeOracle;

/**
 * What real Caffe accepts, senet4j accepts with the same shapes and values: pooling kernels larger than a placeholder
 * input (OpenPose's 1x3x1x1), and duplicate layer names with Caffe's rule for their weights (CopyTrainedLayersFrom
 * gives a caffemodel layer's blobs to the first layer of that name; later ones keep their fillers).
 */
class CaffeLeniencyTest {
    @TempDir
    Path dir;

    static final String PLACEHOLDER = """
            name: "placeholder"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: H dim: H } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"
                    pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            layer { name: "conv2" type: "Convolution" bottom: "pool1" top: "conv2"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "pool2" type: "Pooling" bottom: "conv2" top: "pool2"
                    pooling_param { pool: AVE kernel_size: 2 stride: 2 } }
            layer { name: "pool3" type: "Pooling" bottom: "pool2" top: "pool3"
                    pooling_param { pool: MAX kernel_size: 3 stride: 1 pad: 1 } }
            """;

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    private static void matches(Graph g, ReferenceSet ref) throws Exception {
        for (String device : List.of("reference", "cpu")) {
            for (List<String> passes : List.of(List.<String>of(), List.of("all"))) {
                try (Engine e = Engines.create(device, Passes.optimize(g, passes), EngineOptions.DEFAULT)) {
                    VerifyReport r = Verifier.verify(e, ref, 1e-4);
                    assertTrue(r.pass(), device + " " + passes + ": " + r.blobs().stream().filter(b -> !b.pass())
                            .map(BlobResult::toString).toList());
                    assertTrue(r.blobs().size() >= 4, "compared " + r.blobs().size());
                }
            }
        }
    }

    @Test
    void poolingKernelsLargerThanAPlaceholderInputGiveCaffesShapesAndValues() throws Exception {
        Path one = write("one.prototxt", PLACEHOLDER.replace("dim: H", "dim: 1"));
        CaffeOracle.ReferenceSet caffe = CaffeOracle.makeReference(one, dir.resolve("ref1"), null, 3, 2,
                InputDistribution.UNIFORM, 4, 1, CaffeOracle.Options.defaults());
        Graph g = CaffeImporter.load(one, caffe.model()).graph().withBatchSize(2);
        for (Map.Entry<String, Path> b : caffe.blobs().entrySet()) {
            if (g.blobNames().contains(b.getKey())) {
                assertEquals(Shape.of(Npy.read(b.getValue()).shape()), g.shape(g.resolve(b.getKey())), b.getKey());
            }
        }
        assertEquals(Shape.of(2, 4, 1, 1), g.shape("pool2"));
        matches(g, new ReferenceSet(caffe.dir(), caffe.inputs(), caffe.blobs()));

        // the placeholder net reshaped by --input-shape matches Caffe run on the real size
        Path real = write("real.prototxt", PLACEHOLDER.replace("dim: H", "dim: 13"));
        CaffeOracle.ReferenceSet big = CaffeOracle.makeReference(real, dir.resolve("ref13"), caffe.model(), 3, 2,
                InputDistribution.UNIFORM, 4, 1, CaffeOracle.Options.defaults());
        Graph reshaped = CaffeImporter.load(one, caffe.model(), new CaffeImporter.Options(false,
                Map.of("data", Shape.of(2, 3, 13, 13)))).graph();
        assertEquals(Shape.of(2, 4, 4, 4), reshaped.shape("pool2"));
        matches(reshaped, new ReferenceSet(big.dir(), big.inputs(), big.blobs()));
    }

    @Test
    void duplicateLayerNamesTakeWeightsAsCaffeCopiesThem() throws Exception {
        Path proto = write("dup.prototxt", """
                name: "dup"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 4 dim: 5 dim: 5 } } }
                layer { name: "c" type: "Convolution" bottom: "data" top: "a"
                        convolution_param { num_output: 4 kernel_size: 1 } }
                layer { name: "r" type: "ReLU" bottom: "a" top: "b" }
                layer { name: "r" type: "ReLU" bottom: "b" top: "d" }
                layer { name: "c" type: "Convolution" bottom: "d" top: "e"
                        convolution_param { num_output: 4 kernel_size: 1
                          weight_filler { type: "constant" value: 0.125 } bias_filler { type: "constant" value: -0.5 } } }
                layer { name: "s" type: "Sigmoid" bottom: "e" top: "s" }
                """);
        // real Caffe writes both layers named "c" with their own random blobs; loading them back, it copies both
        // into the first "c" (the second copy wins) and leaves the second "c" with its constant fillers
        Path weights = dir.resolve("dup.caffemodel");
        CaffeOracle.writeRandomWeights(proto, weights, 9);
        Path input = dir.resolve("data.npy");
        float[] x = new float[2 * 4 * 5 * 5];
        InputDistribution.UNIFORM.fill(11, x);
        Npy.write(input, new int[] {2, 4, 5, 5}, x);
        Map<String, Path> blobs = CaffeOracle.forward(proto, weights, Map.of("data", input), dir.resolve("out"),
                null, 1);
        CaffeModel m = CaffeImporter.load(proto, weights);
        assertEquals(List.of("data", "c", "r", "r#2", "c#2", "s"),
                m.graph().nodes().stream().map(n -> n.name()).toList());
        matches(m.graph(), new ReferenceSet(dir.resolve("out"), Map.of("data", input), blobs));
    }
}
