package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.verify.caffe.CaffeOracleException;
import org.senet4j.verify.caffe.ForkCaffe;

/**
 * The fork-caffe oracle (../shared/fork-caffe, a build of the SSD/YOLO/mobile fork) through {@link ForkCaffe}: with
 * its seeded filler weights saved as a caffemodel, a net of BVLC layers and SENet's Axpy (which the fork carries too)
 * matches on every blob on the reference and CPU engines and ONNX Runtime; a net the fork refuses fails with its
 * fatal message and the prototxt named.
 */
class ForkCaffeOracleTest {
    @TempDir
    Path dir;

    static final String NET = """
            name: "fork_check"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 12 dim: 10 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 8 kernel_size: 3 pad: 1 weight_filler { type: "gaussian" std: 0.3 }
                                        bias_filler { type: "uniform" min: -0.2 max: 0.2 } } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
            layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
            layer { name: "gap" type: "Pooling" bottom: "pool" top: "gap" pooling_param { pool: AVE global_pooling: true } }
            layer { name: "fc" type: "InnerProduct" bottom: "gap" top: "fc"
                    inner_product_param { num_output: 8 weight_filler { type: "xavier" } } }
            layer { name: "sig" type: "Sigmoid" bottom: "fc" top: "sig" }
            layer { name: "axpy" type: "Axpy" bottom: "sig" bottom: "pool" bottom: "pool" top: "axpy" }
            layer { name: "out" type: "InnerProduct" bottom: "axpy" top: "out"
                    inner_product_param { num_output: 5 weight_filler { type: "gaussian" std: 0.1 } } }
            layer { name: "prob" type: "Softmax" bottom: "out" top: "prob" }
            """;

    private static Path home() {
        TestData.requireShared("fork-caffe/bin/caffe-run");
        java.util.Optional<Path> home = ForkCaffe.home();
        assumeTrue(home.isPresent(), "fork-caffe not found");
        return home.get();
    }

    @Test
    void seededFillerWeightsMatchOnEveryBackend() throws Exception {
        Path home = home();
        Path proto = Files.writeString(dir.resolve("net.prototxt"), NET);
        float[] x = new float[2 * 3 * 12 * 10];
        InputDistribution.UNIFORM.fill(5, x);
        Path input = dir.resolve("data.npy");
        Npy.write(input, new int[] {2, 3, 12, 10}, x);
        ForkCaffe.Result r;
        try {
            r = ForkCaffe.forward(home, proto, null, 1234, Map.of("data", input), dir.resolve("out"),
                    Duration.ofMinutes(5));
        } catch (CaffeOracleException e) {
            assumeTrue(System.getenv("CI") != null || !e.getMessage().contains("cannot open shared object file"),
                    "fork-caffe's runtime libraries are missing");
            throw e;
        }
        assertTrue(Files.size(r.weights()) > 0);
        assertTrue(r.blobs().keySet().containsAll(java.util.List.of("data", "conv", "pool", "axpy", "prob")),
                r.blobs().keySet().toString());
        Graph g = CaffeImporter.load(proto, r.weights()).graph();
        BackendParity parity = new BackendParity(dir);
        parity.check("fork-caffe", g, new ReferenceSet(r.dir(), r.inputs(), r.blobs()), 8);
        System.out.println("ForkCaffeOracleTest worst relative errors: " + parity.worst());
        // the second run, with the saved weights, gives the same blobs
        ForkCaffe.Result again = ForkCaffe.forward(home, proto, r.weights(), 0, Map.of("data", input),
                dir.resolve("again"), Duration.ofMinutes(5));
        assertEquals(Npy.read(r.blobs().get("prob")).data().length, Npy.read(again.blobs().get("prob")).data().length);
        org.junit.jupiter.api.Assertions.assertArrayEquals(Npy.read(r.blobs().get("prob")).data(),
                Npy.read(again.blobs().get("prob")).data());
    }

    @Test
    void aNetTheForkRefusesNamesItsCheck() throws Exception {
        Path home = home();
        Path proto = Files.writeString(dir.resolve("bad.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 4 dim: 4 } } }
                layer { name: "a" type: "Convolution" bottom: "data" top: "a" convolution_param { num_output: 2 kernel_size: 1 } }
                layer { name: "b" type: "Convolution" bottom: "data" top: "b" convolution_param { num_output: 3 kernel_size: 1 } }
                layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "sum" }
                """);
        Path input = dir.resolve("in.npy");
        Npy.write(input, new int[] {1, 3, 4, 4}, new float[48]);
        CaffeOracleException e = assertThrows(CaffeOracleException.class, () -> ForkCaffe.forward(home, proto, null,
                1, Map.of("data", input), dir.resolve("bad"), Duration.ofMinutes(2)));
        assumeTrue(!e.getMessage().contains("cannot open shared object file"), "fork-caffe's libraries are missing");
        assertTrue(e.getMessage().contains("bad.prototxt") && e.fatalMessage().isPresent(), e.getMessage());
    }
}
