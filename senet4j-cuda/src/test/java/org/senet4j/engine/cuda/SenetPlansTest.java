package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.ir.Graph;
import org.senet4j.passes.Passes;
import org.senet4j.verify.SeededWeights;

/**
 * Plans for the seven published SENets (from ../shared; skipped without it) at the batch sizes of the device checks:
 * every node on the device (no host fallback, so CUDA graphs can capture them), a valid memory plan, and the
 * activation arena well below the sum of all values.
 */
class SenetPlansTest {

    @ParameterizedTest
    @ValueSource(strings = {"SE-ResNet-50", "SE-ResNet-101", "SE-ResNet-152", "SE-ResNeXt-50", "SE-ResNeXt-101",
        "SE-BN-Inception", "SENet-154"})
    void everyLayerRunsOnTheDevice(String model) throws Exception {
        Graph g = CaffeImporter.load(TestData.requireShared("senet-models/" + model + ".prototxt"), null).graph();
        Graph opt = Passes.optimize(SeededWeights.fill(g, 1), List.of());
        for (int batch : new int[] {1, 32}) {
            for (DType t : DType.values()) {
                for (boolean nhwc : new boolean[] {false, true}) {
                    PlanSpec spec = new PlanSpec(opt.withBatchSize(batch), t, nhwc, PlanSpecTest.MAX_BLOCKS);
                    assertEquals(List.of(), spec.hostSteps().stream().map(HostStep::describe).toList(), model);
                    PlanSpecTest.checkMemory(spec);
                    assertTrue(spec.arenaBytes * 3 < spec.unsharedBytes(), model + " arena " + spec.arenaBytes
                            + " of " + spec.unsharedBytes());
                    if (batch == 32 && t == DType.F16 && nhwc) {
                        long convs = spec.steps.stream().filter(s -> s instanceof ConvStep).count();
                        System.out.printf("%s batch %d fp16 nhwc: %d steps (%d convolutions), arena %.1f MiB of "
                                + "%.1f MiB%n", model, batch, spec.steps.size(), convs, spec.arenaBytes / 1048576.0,
                                spec.unsharedBytes() / 1048576.0);
                    }
                }
            }
        }
    }
}
