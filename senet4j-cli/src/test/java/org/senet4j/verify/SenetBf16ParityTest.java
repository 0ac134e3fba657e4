package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.Precision;
import org.senet4j.ir.Graph;
import org.senet4j.passes.Passes;
import org.senet4j.verify.caffe.CaffeOracle;

/**
 * SE-ResNet-50 on the CPU engine in bf16 against real Caffe in fp32 (../shared; skipped without it): random weights
 * written by Caffe, every blob at batch 8 within 2e-2 relative L-infinity error (the bar for bf16; bf16's
 * rounding is 2^-8 relative per value, see Bf16PlanTest), and Caffe's top-1 class for every input. (The batch of 32
 * of the acceptance, checked on the seven SENets with the command line, is in docs/perf-log.md.)
 */
class SenetBf16ParityTest {
    static final double TOLERANCE = 2e-2;

    @TempDir
    Path dir;

    @Test
    void seResNet50InBf16() throws Exception {
        Path proto = TestData.requireShared("senet-models/SE-ResNet-50.prototxt");
        CaffeOracle.ReferenceSet b8 = CaffeOracle.makeReference(proto, dir.resolve("b8"), null, 1, 8,
                InputDistribution.NORMAL, 11, 2, CaffeOracle.Options.defaults());
        Graph g = CaffeImporter.load(proto, b8.model()).graph();
        try (Engine e = Engines.create("cpu", Passes.optimize(g.withBatchSize(8), List.of()),
                EngineOptions.DEFAULT.withThreads(2).withPrecision(Precision.BF16))) {
            VerifyReport rep = Verifier.verify(e, ReferenceSet.read(b8.dir()), TOLERANCE, true);
            assertTrue(rep.pass(), "batch 8: " + rep.blobs().stream().filter(b -> !b.pass()).toList());
            assertTrue(rep.blobs().size() > 100, "only " + rep.blobs().size() + " blobs compared");
            assertTrue(rep.worstRelError() > 1e-4, "bf16 rounding must show (" + rep.worstRelError() + ")");
            System.out.printf(Locale.ROOT, "SE-ResNet-50 bf16 batch 8: %d blobs, worst %.3e%n", rep.blobs().size(),
                    rep.worstRelError());
        }
    }
}
