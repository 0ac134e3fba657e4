package org.senet4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.verify.InputDistribution;

/** A plug-in's Java layer (the core tests' SignedSqrt example) runs on the CPU engine as on the reference engine. */
class PluginLayerTest {
    @TempDir
    Path dir;

    @Test
    void aCustomKernelRunsBetweenOneDnnSteps() throws Exception {
        Path p = Files.writeString(dir.resolve("net.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 6 dim: 6 } } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                        convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
                layer { name: "sqrt" type: "SignedSqrt" bottom: "conv" top: "sqrt" power_param { shift: 0.01 } }
                layer { name: "pool" type: "Pooling" bottom: "sqrt" top: "pool" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
                """);
        Graph g = org.senet4j.verify.SeededWeights.fill(CaffeImporter.load(p, null).graph(), 3);
        float[] x = new float[2 * 3 * 6 * 6];
        InputDistribution.UNIFORM.fill(5, x);
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(2, 3, 6, 6), x));
        float[] ref;
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            ref = e.run(in).get("pool").data();
        }
        try (Engine e = Engines.create("cpu", g, EngineOptions.DEFAULT)) {
            assertArrayEquals(ref, e.run(in).get("pool").data(), 1e-5f);
        }
    }
}
