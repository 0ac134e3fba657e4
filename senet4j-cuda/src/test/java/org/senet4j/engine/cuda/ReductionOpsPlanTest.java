package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.senet4j.TestData;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.passes.Passes;
import org.senet4j.verify.ReferenceSet;
import org.senet4j.verify.Verifier;

/**
 * ArgMax, Reduction and Tile on the CUDA plan, checked without a GPU: they run as host fallbacks (float32 and
 * float16 plans), and the emulated float32 plan in both layouts, passes on and off, gives real Caffe's blobs of the
 * reduction_ops testdata net (batch 2; ArgMax ties after a ReLU included).
 */
class ReductionOpsPlanTest {
    static final List<String> FALLBACKS = List.of("am_top", "am_val", "am_c", "am_cv", "sum", "asum", "sumsq", "mean",
            "tile1", "tile2");

    @Test
    void hostFallbacksGiveCaffesBlobs() throws Exception {
        ReferenceSet ref = ReferenceSet.read(TestData.testdata().resolve("reduction_ops"));
        for (String passes : List.of("on", "off")) {
            Graph g = Passes.optimize(PlanSpecTest.load("reduction_ops").withBatchSize(2),
                    passes.equals("on") ? List.of() : List.of("all"));
            for (boolean channelsLast : new boolean[] {false, true}) {
                PlanSpec spec = new PlanSpec(g, DType.F32, channelsLast, PlanSpecTest.MAX_BLOCKS);
                PlanSpecTest.checkMemory(spec);
                assertEquals(FALLBACKS, spec.hostSteps().stream().map(HostStep::layer).toList());
                Map<String, HostTensor> in = Verifier.inputs(ref, g);
                EmulatedParity.run(spec, in, ref, 1e-4).assertPass("passes " + passes + " nhwc=" + channelsLast,
                        FALLBACKS.size());
            }
        }
        Graph g = Passes.optimize(PlanSpecTest.load("reduction_ops"), List.of());
        assertEquals(FALLBACKS, new PlanSpec(g, DType.F16, true, PlanSpecTest.MAX_BLOCKS).hostSteps().stream()
                .map(HostStep::layer).toList());
    }
}
