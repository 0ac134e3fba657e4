package org.senet4j.onnx;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.senet4j.engine.ref.ReferenceKernels;
import org.senet4j.ir.op.Custom;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.OpTableAssert;

/**
 * The core's backends cover every op: the reference engine (all but Input, which is fed), the ONNX export (all but
 * plug-in layers, whose Java kernels have no ONNX form); the native format's codec table is checked the same way by
 * NativeRoundTripTest, the CPU and CUDA engines' tables by the coverage tests of their modules.
 */
class OpCoverageTest {
    @Test
    void referenceEngine() {
        OpTableAssert.coversEveryOp(ReferenceKernels.table(), List.of(Input.class));
    }

    @Test
    void onnxExport() {
        OpTableAssert.coversEveryOp(Emitter.table(), List.of(Custom.class));
    }
}
