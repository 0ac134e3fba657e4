package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.passes.Passes;
import org.senet4j.verify.ReferenceSet;
import org.senet4j.verify.Verifier;

/**
 * The CUDA engine's planning, checked without a GPU: plans for the testdata nets (which use every layer type) in
 * each element type and layout are run by {@link PlanEmulator} and every blob is compared with real Caffe's, right
 * after the step that computes it, as the engine's own verify path copies it out. A wrong layout index, a kernel
 * argument in the wrong place, a block copy with the wrong stride, or two values the memory plan lets overlap while
 * both are alive all show up as wrong blobs.
 */
class PlanSpecTest {
    static final int MAX_BLOCKS = 132 * 32;

    static Graph load(String net) throws Exception {
        Path base = TestData.testdata();
        return CaffeImporter.load(base.resolve(net + ".prototxt"), base.resolve(net + "/model.caffemodel")).graph();
    }

    @ParameterizedTest(name = "{0} {1} channelsLast={2} passes={3}")
    @CsvSource({
        "se_resnet_mini, F32, false, on", "se_resnet_mini, F32, true, on", "se_resnet_mini, F16, true, on",
        "se_resnet_mini, F32, false, off", "se_resnet_mini, F16, true, off", "se_resnet_mini, F16, false, on",
        "se_resnext_mini, F32, false, on", "se_resnext_mini, F32, true, on", "se_resnext_mini, F16, true, on",
        "se_inception_mini, F32, false, on", "se_inception_mini, F32, true, on", "se_inception_mini, F16, true, on",
        "se_inception_mini, F32, true, off",
        "ops_zoo, F32, false, on", "ops_zoo, F32, true, on", "ops_zoo, F16, true, on", "ops_zoo, F32, true, off",
        "ops_zoo, F16, false, off", "deconv_crop, F32, true, on", "deconv_crop, F16, false, off"})
    void emulatedPlanMatchesCaffeBlobByBlob(String net, DType type, boolean channelsLast, String passes)
            throws Exception {
        ReferenceSet ref = ReferenceSet.read(TestData.testdata().resolve(net));
        Graph g = Passes.optimize(load(net).withBatchSize(2), passes.equals("on") ? List.of() : List.of("all"));
        PlanSpec spec = new PlanSpec(g, type, channelsLast, MAX_BLOCKS);
        checkMemory(spec);
        Map<String, HostTensor> in = Verifier.inputs(ref, g);
        EmulatedParity r = EmulatedParity.run(spec, in, ref, type == DType.F32 ? 1e-4 : 2e-2)
                .assertPass(net + " " + type + " nhwc=" + channelsLast, 10);
        System.out.printf("%s %s nhwc=%s passes %s: %d blobs, worst relative error %.2e, arena %d of %d bytes%n",
                net, type, channelsLast, passes, r.compared().size(), r.worst(), spec.arenaBytes, spec.unsharedBytes());
    }

    static void checkMemory(PlanSpec spec) {
        long[] offsets = spec.roots.stream().mapToLong(r -> r.offset).toArray();
        MemoryPlanner.check(spec.requests, new MemoryPlanner.Placement(offsets, spec.arenaBytes));
        for (Step s : spec.steps) {
            for (DeviceValue v : s.inputs()) {
                assertTrue(v.root().offset >= 0, s.layer() + " reads unplaced " + v);
            }
            for (DeviceValue v : s.outputs()) {
                assertTrue(v.root().offset >= 0, s.layer() + " writes unplaced " + v);
            }
        }
    }

    /** The SENet nets run entirely on the device: no host fallback, SE excitation and Axpy fused with their ReLU. */
    @Test
    void senetTestdataHasNoHostFallback() throws Exception {
        for (String net : List.of("se_resnet_mini", "se_resnext_mini", "se_inception_mini")) {
            for (DType t : DType.values()) {
                Graph g = Passes.optimize(load(net), List.of());
                PlanSpec spec = new PlanSpec(g, t, t == DType.F16, MAX_BLOCKS);
                assertEquals(List.of(), spec.hostSteps().stream().map(Step::layer).toList(), net + " " + t);
                assertTrue(spec.steps.stream().allMatch(Step::capturable));
            }
        }
    }

    /**
     * Without fusion (the plan a run gets when it asks for an output that a fused ReLU would overwrite) every value
     * exists on the device and each ReLU is a step of its own.
     */
    @Test
    void anUnfusedPlanKeepsEveryValue() throws Exception {
        Graph g = Passes.optimize(load("se_resnet_mini"), List.of());
        PlanSpec fused = new PlanSpec(g, DType.F32, false, MAX_BLOCKS);
        PlanSpec unfused = new PlanSpec(g, DType.F32, false, MAX_BLOCKS, false);
        assertFalse(fused.fusedAway.isEmpty());
        assertEquals(Set.of(), unfused.fusedAway);
        assertTrue(unfused.values.keySet().containsAll(fused.fusedAway));
        assertEquals(fused.steps.size() + fused.fusedAway.size(), unfused.steps.size());
    }

    /** In ops_zoo only LRN, MVN and the Scale over axis 2 go through the host. */
    @Test
    void opsZooFallsBackForLrnAndMvnOnly() throws Exception {
        Graph g = Passes.optimize(load("ops_zoo"), List.of());
        PlanSpec spec = new PlanSpec(g, DType.F16, true, MAX_BLOCKS);
        TreeSet<String> ops = new TreeSet<>();
        for (HostStep h : spec.hostSteps()) {
            ops.add(h.op().opName());
        }
        assertTrue(List.of("LRN", "MVN", "Scale").containsAll(ops), "host fallbacks: " + ops + " "
                + spec.hostSteps().stream().map(HostStep::describe).toList());
    }

    /** The SE-ResNet Axpy reuses its branch input's memory (in place) and the arena is far below the sum of values. */
    @Test
    void memoryIsShared() throws Exception {
        Graph g = Passes.optimize(load("se_resnet_mini").withBatchSize(4), List.of());
        PlanSpec spec = new PlanSpec(g, DType.F32, false, MAX_BLOCKS);
        assertTrue(spec.arenaBytes * 2 < spec.unsharedBytes(), spec.arenaBytes + " vs " + spec.unsharedBytes());
        long inPlace = spec.steps.stream().filter(s -> s.describe().startsWith("axpy") && s.outputs().get(0).root()
                == s.inputs().get(0).root()).count();
        assertTrue(inPlace > 0, "no Axpy ran in place");
    }
}
