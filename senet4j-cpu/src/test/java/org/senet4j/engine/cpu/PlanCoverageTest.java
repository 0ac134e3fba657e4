package org.senet4j.engine.cpu;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.OpTableAssert;

/** The CPU engine's table covers every op: a step of its own or the op's Java kernel; only Input is not computed. */
class PlanCoverageTest {
    @Test
    void everyOpHasAStepOrAJavaKernel() {
        OpTableAssert.coversEveryOp(Plan.table(), List.of(Input.class));
    }
}
