package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * LSTM and RNN on the CUDA plan, checked without a GPU: they run as host fallbacks (float32 and float16 plans; the
 * ArgMax and Tile that make the testdata's flags and steps too), and the emulated float32 plan in both layouts, passes
 * on and off, gives real Caffe's blobs of the recurrent testdata net (6 steps, 2 streams, continuation flags that
 * reset the state, a static input, exposed initial and final states).
 */
class RecurrentPlanTest {
    static final List<String> RECURRENT = List.of("lstm", "rnn", "rnn_e", "lstm_s");

    @Test
    void hostFallbacksGiveCaffesBlobs() throws Exception {
        ReferenceSet ref = ReferenceSet.read(TestData.testdata().resolve("recurrent"));
        for (String passes : List.of("on", "off")) {
            Graph g = Passes.optimize(PlanSpecTest.load("recurrent").withBatchSize(2),
                    passes.equals("on") ? List.of() : List.of("all"));
            for (boolean channelsLast : new boolean[] {false, true}) {
                PlanSpec spec = new PlanSpec(g, DType.F32, channelsLast, PlanSpecTest.MAX_BLOCKS);
                PlanSpecTest.checkMemory(spec);
                List<String> host = spec.hostSteps().stream().map(HostStep::layer).toList();
                assertTrue(host.containsAll(RECURRENT), host.toString());
                for (HostStep h : spec.hostSteps()) {
                    if (RECURRENT.contains(h.layer())) {
                        assertTrue(h.why().startsWith("no device kernel for "), h.why());
                    }
                }
                Map<String, HostTensor> in = Verifier.inputs(ref, g);
                EmulatedParity.run(spec, in, ref, 1e-4).assertPass("passes " + passes + " nhwc=" + channelsLast,
                        List.of("h", "hT", "cT", "o", "o_e", "o_eT", "h_s", "score"));
            }
        }
        Graph g = Passes.optimize(PlanSpecTest.load("recurrent"), List.of());
        List<String> f16 = new PlanSpec(g, DType.F16, true, PlanSpecTest.MAX_BLOCKS).hostSteps().stream()
                .map(HostStep::layer).toList();
        assertTrue(f16.containsAll(RECURRENT), f16.toString());
        System.out.println("RecurrentPlanTest host steps (F16, NHWC): " + f16);
    }
}
