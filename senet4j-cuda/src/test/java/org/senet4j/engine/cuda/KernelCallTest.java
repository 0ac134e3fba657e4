package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Launch arguments are checked against the kernel signatures and packed as the driver expects. */
class KernelCallTest {

    @Test
    void argumentsAreCheckedAgainstTheSignature() {
        Address p = () -> 0x1000L;
        new KernelCall("act_f32", new int[] {1, 1, 1}, new int[] {256, 1, 1}, List.of(p, p, 10L, 1, 0f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new KernelCall("act_f32",
                new int[] {1, 1, 1}, new int[] {256, 1, 1}, List.of(p, p, 10, 1, 0f)));
        assertTrue(e.getMessage().contains("argument 2 (n) must be I64"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new KernelCall("act_f32", new int[] {1, 1, 1},
                new int[] {256, 1, 1}, List.of(p, p, 10L, 1)));
        assertThrows(IllegalArgumentException.class, () -> new KernelCall("no_such_kernel", new int[] {1, 1, 1},
                new int[] {256, 1, 1}, List.of()));
    }

    @Test
    void slotsHoldPointersLongsIntsAndFloatBits() {
        Address p = () -> 0x7f00_1234_5678L;
        KernelCall c = new KernelCall("act_f16", new int[] {1, 1, 1}, new int[] {256, 1, 1},
                List.of(p, KernelCall.NULL, 1L << 40, -3, 1.5f));
        long[] v = c.slotValues();
        assertEquals(0x7f00_1234_5678L, v[0]);
        assertEquals(0L, v[1]);
        assertEquals(1L << 40, v[2]);
        assertEquals(0xfffffffdL, v[3]);
        assertEquals(Float.floatToRawIntBits(1.5f) & 0xffffffffL, v[4]);
        c.bind(null);
        try {
            for (int i = 0; i < v.length; i++) {
                assertEquals(c.slots().address() + 8L * i, c.params().get(i));
                assertEquals(v[i], c.slots().get(i));
            }
        } finally {
            c.close();
        }
    }

    @Test
    void elementwiseGridIsCapped() {
        Address p = () -> 1L;
        KernelCall c = KernelCall.elementwise("act_f32", 1L << 30, 4224, List.of(p, p, 1L << 30, 0, 0f));
        assertEquals(4224, c.grid[0]);
        assertEquals(256, c.block[0]);
        assertEquals(1, KernelCall.elementwise("act_f32", 3, 4224, List.of(p, p, 3L, 0, 0f)).grid[0]);
    }
}
