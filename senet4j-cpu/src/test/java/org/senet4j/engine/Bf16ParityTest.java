package org.senet4j.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.senet4j.TestData;
import org.senet4j.ir.Graph;
import org.senet4j.passes.Passes;
import org.senet4j.verify.BlobResult;
import org.senet4j.verify.ReferenceSet;
import org.senet4j.verify.Verifier;
import org.senet4j.verify.VerifyReport;

/** The CPU engine in bf16 against real Caffe (fp32) on the testdata nets. */
class Bf16ParityTest {
    static final double TOLERANCE = 2e-2;

    @ParameterizedTest
    @ValueSource(strings = {"se_resnet_mini", "se_resnext_mini", "se_inception_mini", "ops_zoo", "deconv_crop",
        "misc_ops", "recurrent"})
    void everyBlobWithinTheBf16Bar(String net) throws Exception {
        ReferenceSet ref = ReferenceSet.read(TestData.testdata().resolve(net));
        Graph g = TestdataParityTest.load(net);
        try (Engine e = Engines.create("cpu", Passes.optimize(g.withBatchSize(2), List.of()),
                EngineOptions.DEFAULT.withThreads(2).withPrecision(Precision.BF16))) {
            VerifyReport r = Verifier.verify(e, ref, TOLERANCE, true);
            BlobResult worst = r.blobs().stream().max(java.util.Comparator.comparingDouble(BlobResult::relError))
                    .orElseThrow();
            System.out.println(net + ": " + r.blobs().size() + " blobs, worst " + worst);
            for (String s : ((org.senet4j.engine.cpu.CpuEngine) e).steps(2)) {
                System.out.println("  " + s);
            }
            assertTrue(r.pass(), net + ": " + TestdataParityTest.failures(r));
        }
    }
}
