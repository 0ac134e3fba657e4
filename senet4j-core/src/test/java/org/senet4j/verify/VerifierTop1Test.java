package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.senet4j.ir.Shape;

class VerifierTop1Test {
    @Test
    void agreementAndDisagreementAreReported() {
        float[] ref = {0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f};
        float[] same = {0.11f, 0.69f, 0.2f, 0.5f, 0.31f, 0.19f};
        BlobResult ok = Verifier.withTop1(BlobResult.compare("prob", Shape.of(2, 3), same, ref, 0.1), same, ref, 2, 3);
        assertTrue(ok.pass(), ok.toString());
        assertEquals("top-1 agrees for 2 of 2 inputs, smallest reference margin 0.200", ok.note());
        float[] flipped = {0.1f, 0.7f, 0.2f, 0.39f, 0.41f, 0.2f};
        BlobResult bad = Verifier.withTop1(BlobResult.compare("prob", Shape.of(2, 3), flipped, ref, 0.2), flipped, ref,
                2, 3);
        assertFalse(bad.pass());
        assertTrue(bad.note().startsWith("top-1 agrees for 1 of 2 inputs"), bad.note());
        assertTrue(bad.note().contains("input 1: 1 instead of 0"), bad.note());
    }
}
