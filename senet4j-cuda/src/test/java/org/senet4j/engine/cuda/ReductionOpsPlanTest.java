package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.HostTensor;
import org.senet4j.engine.ref.ReferenceKernels;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.op.Input;
import org.senet4j.passes.Passes;
import org.senet4j.verify.SeededWeights;

/**
 * ArgMax, Reduction and Tile on the CUDA plan, checked without a GPU: they run as host fallbacks, and the emulated
 * float32 plan (both layouts) gives the reference kernels' values bit for bit on every blob, ties included.
 */
class ReductionOpsPlanTest {
    @TempDir
    Path dir;

    static final String NET = """
            name: "reduction_ops"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 4 dim: 5 dim: 3 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 6 kernel_size: 1 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "relu" }
            layer { name: "am_val" type: "ArgMax" bottom: "relu" top: "am_val" argmax_param { top_k: 70 out_max_val: true } }
            layer { name: "am_c" type: "ArgMax" bottom: "relu" top: "am_c" argmax_param { top_k: 4 axis: 1 } }
            layer { name: "sum" type: "Reduction" bottom: "conv" top: "sum"
                    reduction_param { operation: SUMSQ axis: 2 coeff: -1.5 } }
            layer { name: "all" type: "Reduction" bottom: "relu" top: "all" reduction_param { operation: MEAN } }
            layer { name: "tile" type: "Tile" bottom: "relu" top: "tile" tile_param { axis: 2 tiles: 2 } }
            layer { name: "conv2" type: "Convolution" bottom: "tile" top: "conv2"
                    convolution_param { num_output: 3 kernel_size: 1 } }
            """;

    @Test
    void hostFallbacksGiveTheReferenceValues() throws Exception {
        Path proto = Files.writeString(dir.resolve("net.prototxt"), NET);
        Graph g = Passes.optimize(SeededWeights.fill(CaffeImporter.load(proto, null).graph(), 3), List.of());
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[Math.toIntExact(g.shape("data").count())];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        Map<String, float[]> expected = new HashMap<>(Map.of("data", x));
        for (Node n : g.nodes()) {
            if (!(n.op() instanceof Input)) {
                List<float[]> in = new ArrayList<>();
                n.inputs().forEach(v -> in.add(expected.get(v)));
                List<float[]> out = ReferenceKernels.run(n.op(), g.inputShapes(n), in, g.outputShapes(n));
                for (int i = 0; i < out.size(); i++) {
                    expected.put(n.outputs().get(i), out.get(i));
                }
            }
        }
        for (boolean channelsLast : new boolean[] {false, true}) {
            PlanSpec spec = new PlanSpec(g, DType.F32, channelsLast, PlanSpecTest.MAX_BLOCKS);
            PlanSpecTest.checkMemory(spec);
            TreeSet<String> host = new TreeSet<>();
            for (HostStep h : spec.hostSteps()) {
                host.add(h.op().opName());
            }
            assertEquals(new TreeSet<>(List.of("ArgMax", "Reduction", "Tile")), host);
            Map<String, float[]> seen = new HashMap<>();
            Map<String, float[]> outputs = new PlanEmulator(spec).run(Map.of("data", new HostTensor(g.shape("data"),
                    x)), seen::put);
            for (String v : List.of("am_val", "am_c", "sum", "all", "tile")) {
                float[] ours = g.outputs().contains(v) ? outputs.get(v) : seen.get(v);
                assertNotNull(ours, v);
                assertArrayEquals(expected.get(v), ours, v + " nhwc=" + channelsLast);
            }
            for (String o : g.outputs()) {
                assertArrayEquals(expected.get(o), outputs.get(o), 1e-5f, o);
            }
        }
        // float16 plans take the same fallbacks: one per ArgMax, Reduction and Tile layer
        assertEquals(List.of("am_val", "am_c", "sum", "all", "tile"), new PlanSpec(g, DType.F16, true,
                PlanSpecTest.MAX_BLOCKS).hostSteps().stream().map(HostStep::layer).toList());
    }
}
