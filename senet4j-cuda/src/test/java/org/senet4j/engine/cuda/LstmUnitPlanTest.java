package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
 * LSTMUnit in CUDA plans, checked without a GPU: two cell steps whose gates come from device InnerProducts (the first
 * from an image-like input reshaped to 1 x N x 4D, the second over axis 2 of the first step's H), with a device
 * InnerProduct after them. Both units run as host steps ("no device kernel for LSTMUnit") between device steps in
 * float32 and float16 plans; the emulated float32 plan matches the reference engine on every blob at N = 1 and 2, in
 * both layouts, with cont values that reset one sample and continue the other. senet4j-cli's LstmUnitParityTest
 * checks the reference engine against real Caffe.
 */
class LstmUnitPlanTest {
    @TempDir
    Path dir;

    static final String NET = """
            layer { name: "data" type: "Input" top: "data" top: "c0" top: "cont" top: "cont2"
                    input_param { shape { dim: N dim: 3 dim: 2 dim: 2 } shape { dim: 1 dim: N dim: 4 }
                                  shape { dim: 1 dim: N } shape { dim: 1 dim: N } } }
            layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 16 } }
            layer { name: "gates1" type: "Reshape" bottom: "fc" top: "gates1"
                    reshape_param { shape { dim: 1 dim: -1 dim: 16 } } }
            layer { name: "step1" type: "LSTMUnit" bottom: "c0" bottom: "gates1" bottom: "cont" top: "c1" top: "h1" }
            layer { name: "gates2" type: "InnerProduct" bottom: "h1" top: "gates2"
                    inner_product_param { num_output: 16 axis: 2 } }
            layer { name: "step2" type: "LSTMUnit" bottom: "c1" bottom: "gates2" bottom: "cont2" top: "c2" top: "h2" }
            layer { name: "score" type: "InnerProduct" bottom: "h2" top: "score"
                    inner_product_param { num_output: 3 axis: 2 } }
            """;

    @ParameterizedTest
    @CsvSource({"1, false", "1, true", "2, false", "2, true"})
    void lstmUnitsRunOnTheHostBetweenDeviceSteps(int n, boolean channelsLast) throws Exception {
        Path p = Files.writeString(dir.resolve("net.prototxt"), NET.replace("dim: N", "dim: " + n));
        Graph g = SeededWeights.fill(CaffeImporter.load(p, null).graph(), 4);
        assertEquals(Shape.of(1, n, 4), g.shape("h2"));
        for (DType type : new DType[] {DType.F32, DType.F16}) {
            PlanSpec spec = new PlanSpec(g, type, channelsLast, PlanSpecTest.MAX_BLOCKS);
            PlanSpecTest.checkMemory(spec);
            List<HostStep> units = spec.hostSteps().stream().filter(h -> h.layer().startsWith("step")).toList();
            assertEquals(List.of("step1", "step2"), units.stream().map(HostStep::layer).toList(), type.toString());
            for (HostStep h : units) {
                assertEquals("no device kernel for LSTMUnit", h.why());
            }
            assertTrue(spec.hostSteps().stream().noneMatch(h -> h.layer().equals("gates2")
                    || h.layer().equals("score")), "the inner products stay on the device: " + spec.hostSteps());
        }
        PlanSpec spec = new PlanSpec(g, DType.F32, channelsLast, PlanSpecTest.MAX_BLOCKS);
        float[] x = new float[n * 12];
        InputDistribution.UNIFORM.fill(7 + n, x);
        float[] c0 = new float[n * 4];
        InputDistribution.UNIFORM.fill(17 + n, c0);
        Map<String, HostTensor> in = new LinkedHashMap<>();
        in.put("data", new HostTensor(Shape.of(n, 3, 2, 2), x));
        in.put("c0", new HostTensor(Shape.of(1, n, 4), c0));
        in.put("cont", new HostTensor(Shape.of(1, n), n == 1 ? new float[] {0f} : new float[] {0f, 1f}));
        in.put("cont2", new HostTensor(Shape.of(1, n), n == 1 ? new float[] {1f} : new float[] {1f, 0f}));
        List<String> blobs = List.of("fc", "gates1", "c1", "h1", "gates2", "c2", "h2", "score");
        EmulatedParity.run(spec, g, in, blobs, 1e-4).assertPass("N=" + n + " nhwc=" + channelsLast, blobs);
    }
}
