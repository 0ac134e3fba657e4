package org.senet4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
import org.senet4j.verify.BlobResult;

/**
 * A ReLU with its own top after an Eltwise, Axpy or two-input Scale is computed in that op's step, so the op's output
 * never exists in the fused plan. A run that asks for it (as a blob-by-blob comparison with Caffe does) gets it from
 * an unfused plan, with the same values as the reference engine; a run that asks only for the net outputs keeps the
 * fused plan.
 */
class FusedReluTest {
    @TempDir
    Path dir;

    @Test
    void theOutputBeforeAFusedReluCanBeAskedFor() throws Exception {
        Path p = Files.writeString(dir.resolve("net.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 4 dim: 5 dim: 5 } } }
                layer { name: "gate" type: "Input" top: "gate" input_param { shape { dim: 2 dim: 4 } } }
                layer { name: "neg" type: "Power" bottom: "data" top: "neg" power_param { scale: -0.5 shift: 0.25 } }
                layer { name: "sum" type: "Eltwise" bottom: "data" bottom: "neg" top: "sum" }
                layer { name: "sum_relu" type: "ReLU" bottom: "sum" top: "sum_relu" }
                layer { name: "axpy" type: "Axpy" bottom: "gate" bottom: "sum_relu" bottom: "neg" top: "axpy" }
                layer { name: "axpy_relu" type: "ReLU" bottom: "axpy" top: "axpy_relu" relu_param { negative_slope: 0.1 } }
                layer { name: "se" type: "Scale" bottom: "axpy_relu" bottom: "gate" top: "se" scale_param { axis: 0 } }
                layer { name: "se_relu" type: "ReLU" bottom: "se" top: "se_relu" }
                """);
        Graph g = CaffeImporter.load(p, null).graph();
        float[] x = new float[2 * 4 * 5 * 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(0.37 * i) * 3f;
        }
        float[] s = {0.5f, -1f, 2f, 0f, -0.25f, 1f, 3f, -2f};
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(2, 4, 5, 5), x),
                "gate", new HostTensor(Shape.of(2, 4), s));
        List<String> blobs = List.of("sum", "sum_relu", "axpy", "axpy_relu", "se", "se_relu");
        Map<String, HostTensor> ref;
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            ref = e.run(in, blobs);
        }
        try (CpuEngine e = (CpuEngine) Engines.create("cpu", g, EngineOptions.DEFAULT.withThreads(2))) {
            long fusedSteps = e.steps(2).size();
            Map<String, HostTensor> outs = e.run(in, List.of("se_relu"));
            assertEquals(ref.get("se_relu").shape(), outs.get("se_relu").shape());
            Map<String, HostTensor> cpu = e.run(in, blobs);
            for (String b : blobs) {
                BlobResult c = BlobResult.compare(b, ref.get(b).shape(), cpu.get(b).data(), ref.get(b).data(), 1e-6);
                assertTrue(c.pass(), c.toString());
            }
            BlobResult last = BlobResult.compare("se_relu", ref.get("se_relu").shape(), outs.get("se_relu").data(),
                    ref.get("se_relu").data(), 1e-6);
            assertTrue(last.pass(), last.toString());
            assertEquals(fusedSteps, e.steps(2).size(), "the fused plan is still the one described");
            assertTrue(e.steps(2).stream().noneMatch(st -> st.contains("sum_relu")), e.steps(2).toString());
        }
    }
}
