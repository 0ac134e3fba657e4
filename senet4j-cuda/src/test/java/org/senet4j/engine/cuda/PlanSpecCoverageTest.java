package org.senet4j.engine.cuda;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.OpTableAssert;

/** The CUDA plan's table covers every op: device kernels or a host step with its reason; only Input is copied in. */
class PlanSpecCoverageTest {
    @Test
    void everyOpHasDeviceKernelsOrAHostStep() {
        OpTableAssert.coversEveryOp(PlanSpec.table(), List.of(Input.class));
    }
}
