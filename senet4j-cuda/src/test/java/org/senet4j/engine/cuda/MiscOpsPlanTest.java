package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.senet4j.TestData;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.op.BatchReindex;
import org.senet4j.ir.op.Embed;
import org.senet4j.ir.op.Im2col;
import org.senet4j.ir.op.Parameter;
import org.senet4j.ir.op.SPP;
import org.senet4j.passes.Passes;
import org.senet4j.verify.ReferenceSet;
import org.senet4j.verify.Verifier;

/**
 * Embed, Parameter, SPP, Im2col and BatchReindex on the CUDA plan, checked without a GPU: they run as host fallbacks
 * (float32 and float16 plans), and the emulated plan in both layouts, passes on and off, gives real Caffe's blobs of
 * the misc_ops testdata net (batch 2; Embed on a 5-D ArgMax output, a scalar and a vector Parameter feeding a
 * two-input Bias and Scale, BatchReindex of a Parameter by ArgMax indices); float16 within 2e-2.
 */
class MiscOpsPlanTest {
    @Test
    void hostFallbacksGiveCaffesBlobs() throws Exception {
        ReferenceSet ref = ReferenceSet.read(TestData.testdata().resolve("misc_ops"));
        for (String passes : List.of("on", "off")) {
            Graph g = Passes.optimize(PlanSpecTest.load("misc_ops").withBatchSize(2),
                    passes.equals("on") ? List.of() : List.of("all"));
            for (DType type : List.of(DType.F32, DType.F16)) {
                for (boolean channelsLast : new boolean[] {false, true}) {
                    PlanSpec spec = new PlanSpec(g, type, channelsLast, PlanSpecTest.MAX_BLOCKS);
                    PlanSpecTest.checkMemory(spec);
                    List<String> host = spec.hostSteps().stream().map(HostStep::layer).toList();
                    for (var n : g.nodes()) {
                        if (n.op() instanceof Embed || n.op() instanceof Parameter || n.op() instanceof SPP
                                || n.op() instanceof Im2col || n.op() instanceof BatchReindex) {
                            assertTrue(host.contains(n.name()), n.name() + " not a host step: " + host);
                        }
                    }
                    Map<String, HostTensor> in = Verifier.inputs(ref, g);
                    String what = "passes " + passes + " " + type + " nhwc=" + channelsLast + " host steps " + host;
                    EmulatedParity r = EmulatedParity.run(spec, in, ref, type == DType.F32 ? 1e-4 : 2e-2)
                            .assertPass(what, 14);
                    System.out.println("MiscOpsPlanTest " + what + ": " + r.compared().size() + " blobs, worst "
                            + r.worst());
                }
            }
        }
    }
}
