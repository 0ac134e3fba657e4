package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.RcnnNets;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Proposal;
import org.senet4j.passes.Passes;
import org.senet4j.verify.InputDistribution;
import org.senet4j.verify.SeededWeights;

/**
 * The R-CNN layers on the CUDA plan, checked without a GPU: the proposal layer and ROI pooling run as host steps
 * between device steps (float32 and float16 plans); the emulated float32 plan in both layouts, passes on and off,
 * gives the reference engine's blobs, the proposals and the rows computed from them cut to the real proposals as the
 * engine cuts them.
 */
class RcnnPlanTest {
    @TempDir
    Path dir;

    @Test
    void hostStepsGiveTheReferenceProposalsAndRows() throws Exception {
        Path proto = Files.writeString(dir.resolve("rpn.prototxt"),
                RcnnNets.rpn(48, 64, 4, "top: \"scores\"", "'feat_stride': 16"));
        Graph g0 = SeededWeights.fill(CaffeImporter.load(proto, null).graph(), 7);
        float[] x = new float[3 * 48 * 64];
        InputDistribution.UNIFORM.fill(8, x);
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(1, 3, 48, 64), x),
                "im_info", new HostTensor(Shape.of(1, 3), new float[] {48, 64, 0.5f}));
        List<String> blobs = List.of("rpn_cls_prob_reshape", "rpn_bbox_pred", "rois", "scores", "pool", "cls_prob",
                "bbox_pred");
        List<String> host = List.of("proposal", "roi_pool");
        int compared = 0;
        for (String passes : List.of("on", "off")) {
            Graph g = Passes.optimize(g0, passes.equals("on") ? List.of() : List.of("all"));
            Map<String, HostTensor> expected;
            try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
                expected = e.run(in, blobs);
            }
            int k = expected.get("rois").shape().dim(0);
            assertTrue(k > 2 && k < 108, "some proposals, under the bound: " + k);
            for (boolean channelsLast : new boolean[] {false, true}) {
                PlanSpec spec = new PlanSpec(g, DType.F32, channelsLast, PlanSpecTest.MAX_BLOCKS);
                PlanSpecTest.checkMemory(spec);
                assertTrue(spec.hostSteps().stream().map(HostStep::layer).toList().containsAll(host),
                        spec.hostSteps().toString());
                EmulatedParity r = EmulatedParity.run(spec, in, expected, 1e-5, List.of(), blobs)
                        .assertPass("passes " + passes + " nhwc=" + channelsLast, blobs);
                assertEquals(k, Proposal.rows(r.values().get(g.resolve("rois"))), "the plan's proposals");
                compared += r.compared().size();
            }
        }
        assertEquals(28, compared);
        List<String> f16 = new PlanSpec(Passes.optimize(g0, List.of()), DType.F16, true, PlanSpecTest.MAX_BLOCKS)
                .hostSteps().stream().map(HostStep::layer).toList();
        assertTrue(f16.containsAll(host), f16.toString());
    }
}
