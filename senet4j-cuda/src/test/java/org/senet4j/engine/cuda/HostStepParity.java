package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.passes.Passes;

/**
 * Emulated CUDA plans whose layers run as host steps against the reference engine: passes on and off, float32 in both
 * layouts, every blob asked for (detection rows cut to their real rows as the engine cuts them, 1e-5), and the host
 * steps of the float16 plan too.
 */
final class HostStepParity {
    private HostStepParity() {
    }

    /**
     * @param detections blobs that are detection rows and must hold more than 2 rows in the reference run
     * @return the blobs compared
     */
    static int check(Graph g0, Map<String, HostTensor> in, List<String> blobs, List<String> host,
                     List<String> detections) throws Exception {
        int compared = 0;
        for (String passes : List.of("on", "off")) {
            Graph g = Passes.optimize(g0, passes.equals("on") ? List.of() : List.of("all"));
            Map<String, HostTensor> expected;
            try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
                expected = e.run(in, blobs);
            }
            for (String d : detections) {
                assertTrue(expected.get(d).shape().dim(2) > 2, "some detections: " + expected.get(d).shape());
            }
            for (boolean channelsLast : new boolean[] {false, true}) {
                PlanSpec spec = new PlanSpec(g, DType.F32, channelsLast, PlanSpecTest.MAX_BLOCKS);
                PlanSpecTest.checkMemory(spec);
                assertEquals(host, spec.hostSteps().stream().map(HostStep::layer).toList());
                compared += EmulatedParity.run(spec, in, expected, 1e-5, detections, List.of())
                        .assertPass("passes " + passes + " nhwc=" + channelsLast, expected.keySet()).compared().size();
            }
        }
        assertEquals(host, new PlanSpec(Passes.optimize(g0, List.of()), DType.F16, true, PlanSpecTest.MAX_BLOCKS)
                .hostSteps().stream().map(HostStep::layer).toList());
        return compared;
    }
}
