package org.senet4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.Engine;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;

/**
 * Reshape and Flatten of values stored in logical order: the output shares the input's memory where the input dies
 * there, a copy where the input lives on, and the Java kernel where the bytes differ (an NHWC plane of more than
 * one position); each output bit for bit its input as the CPU engine computed it, and within 1e-6 of the
 * reference engine (the sigmoid and tanh are oneDNN's).
 */
class ViewStepTest {
    @TempDir
    Path dir;

    @Test
    void viewsCopiesAndJavaReshapesGiveTheReferenceValues() throws Exception {
        Path p = Files.writeString(dir.resolve("net.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 6 dim: 1 dim: 1 } } }
                layer { name: "img" type: "Input" top: "img" input_param { shape { dim: 2 dim: 3 dim: 2 dim: 2 } } }
                layer { name: "sig" type: "Sigmoid" bottom: "data" top: "sig" }
                layer { name: "dies" type: "Reshape" bottom: "sig" top: "dies" reshape_param { shape { dim: 0 dim: 0 } } }
                layer { name: "tanh" type: "TanH" bottom: "data" top: "tanh" }
                layer { name: "lives" type: "Flatten" bottom: "tanh" top: "lives" }
                layer { name: "again" type: "Sigmoid" bottom: "tanh" top: "again" }
                layer { name: "plane" type: "Flatten" bottom: "img" top: "plane" }
                """);
        Graph g = CaffeImporter.load(p, null).graph();
        float[] x = new float[12];
        float[] img = new float[24];
        for (int i = 0; i < x.length; i++) {
            x[i] = -3f + 0.5f * i;
        }
        for (int i = 0; i < img.length; i++) {
            img[i] = i * 0.25f - 2f;
        }
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(2, 6, 1, 1), x),
                "img", new HostTensor(Shape.of(2, 3, 2, 2), img));
        List<String> outs = List.of("dies", "lives", "again", "plane");
        Map<String, HostTensor> ref;
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            ref = e.run(in, outs);
        }
        try (CpuEngine e = (CpuEngine) Engines.create("cpu", g, EngineOptions.DEFAULT.withThreads(2))) {
            List<String> steps = e.steps(2);
            assertTrue(steps.contains("dies [reshape view]"), steps.toString());
            assertTrue(steps.contains("lives [flatten copy]"), steps.toString());
            assertTrue(steps.contains("plane [java Flatten]"), steps.toString());
            for (int run = 0; run < 2; run++) {
                Map<String, HostTensor> cpu = e.run(in, outs);
                for (String o : outs) {
                    assertEquals(ref.get(o).shape(), cpu.get(o).shape(), o);
                    assertArrayEquals(ref.get(o).data(), cpu.get(o).data(), 1e-6f, o);
                }
                Map<String, HostTensor> before = e.run(in, List.of("sig", "tanh"));
                assertArrayEquals(before.get("sig").data(), cpu.get("dies").data(), 0f, "dies");
                assertArrayEquals(before.get("tanh").data(), cpu.get("lives").data(), 0f, "lives");
                assertArrayEquals(img, cpu.get("plane").data(), 0f, "plane");
            }
            // hand-checked: element 0 of the flattened tanh is tanh(-3), element 11 of the reshaped sigmoid sigmoid(2.5)
            Map<String, HostTensor> cpu = e.run(in, List.of("lives", "dies"));
            assertEquals((float) Math.tanh(-3.0), cpu.get("lives").data()[0], 1e-6f);
            assertEquals((float) (1 / (1 + Math.exp(-2.5))), cpu.get("dies").data()[11], 1e-6f);
        }
    }
}
