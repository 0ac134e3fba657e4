package org.senet4j.passes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.InnerProduct;

/**
 * The bf16 weight rounding of {@code verify --bf16-weights}: nearest-even rounding checked on hand-picked bit
 * patterns, and on the SE test net only the weights a bf16 CPU plan stores in bf16 are rounded.
 */
class RoundWeightsToBf16Test {

    private static float bits(int b) {
        return Float.intBitsToFloat(b);
    }

    @Test
    void roundsToTheNearestBf16WithTiesToEven() {
        assertEquals(1.0f, RoundWeightsToBf16.toBf16(1.0f));
        // 1 + 2^-8 lies halfway between 1 (0x3F80, even) and 1 + 2^-7 (0x3F81): the even one
        assertEquals(1.0f, RoundWeightsToBf16.toBf16(bits(0x3F808000)));
        // 1 + 3 * 2^-8 lies halfway between 0x3F81 (odd) and 0x3F82 (even, 1 + 2^-6)
        assertEquals(1f + 0x1p-6f, RoundWeightsToBf16.toBf16(bits(0x3F818000)));
        // just above half way rounds up, just below rounds down; the sign does not matter
        assertEquals(1f + 0x1p-7f, RoundWeightsToBf16.toBf16(bits(0x3F808001)));
        assertEquals(1.0f, RoundWeightsToBf16.toBf16(bits(0x3F807FFF)));
        assertEquals(-(1f + 0x1p-7f), RoundWeightsToBf16.toBf16(bits(0xBF808001)));
        // 0.1f = 0x3DCCCCCD becomes 0x3DCD (0.10009765625)
        assertEquals(0.10009765625f, RoundWeightsToBf16.toBf16(0.1f));
        // the largest float rounds past the largest bf16: infinity; infinities, zeros and NaN stay what they are
        assertEquals(Float.POSITIVE_INFINITY, RoundWeightsToBf16.toBf16(Float.MAX_VALUE));
        assertEquals(Float.NEGATIVE_INFINITY, RoundWeightsToBf16.toBf16(Float.NEGATIVE_INFINITY));
        assertEquals(0x80000000, Float.floatToRawIntBits(RoundWeightsToBf16.toBf16(-0.0f)));
        assertTrue(Float.isNaN(RoundWeightsToBf16.toBf16(Float.NaN)));
        // a NaN whose payload lies only in the low 16 bits must not truncate to infinity
        assertTrue(Float.isNaN(RoundWeightsToBf16.toBf16(bits(0x7F800001))));
        // the smallest subnormal is nearer to 0 than to the smallest bf16 subnormal (2^-133)
        assertEquals(0.0f, RoundWeightsToBf16.toBf16(Float.MIN_VALUE));
        assertEquals(0x1p-133f, RoundWeightsToBf16.toBf16(bits(0x00008001)));
    }

    @Test
    void roundsOnlyWhatABf16PlanStoresInBf16() throws Exception {
        Graph g = Passes.optimize(CaffeImporter.load(TestData.testdata().resolve("se_resnet_mini.prototxt"),
                TestData.testdata().resolve("se_resnet_mini/model.caffemodel")).graph(), List.of());
        Graph r = new RoundWeightsToBf16().apply(g);
        assertEquals(g.nodes().size(), r.nodes().size());
        int rounded = 0;
        int kept = 0;
        for (int i = 0; i < g.nodes().size(); i++) {
            Node a = g.nodes().get(i);
            Node b = r.nodes().get(i);
            assertEquals(a.name(), b.name());
            assertEquals(a.outputs(), b.outputs());
            float[][] wa = weights(a);
            if (wa == null) {
                assertEquals(a.op(), b.op(), a.name());
                continue;
            }
            float[][] wb = weights(b);
            assertArrayEquals(wa[1], wb[1], a.name() + ": the bias stays float32");
            boolean large = RoundWeightsToBf16.storedInBf16(g.shape(a.inputs().get(0)));
            if (!large) {
                assertArrayEquals(wa[0], wb[0], a.name() + ": one position per plane stays float32");
                kept++;
                continue;
            }
            boolean changedOne = false;
            for (int j = 0; j < wa[0].length; j++) {
                assertEquals(RoundWeightsToBf16.toBf16(wa[0][j]), wb[0][j], a.name() + " [" + j + "]");
                assertEquals(0, Float.floatToRawIntBits(wb[0][j]) & 0xFFFF, a.name() + ": a bf16 value");
                assertTrue(Math.abs(wb[0][j] - wa[0][j]) <= Math.abs(wa[0][j]) * 0x1p-8f, a.name());
                changedOne |= wb[0][j] != wa[0][j];
            }
            assertTrue(changedOne, a.name() + ": seeded float32 weights are not all bf16 values already");
            rounded++;
        }
        // se_resnet_mini: conv1 and the 11 convolutions of its 3 blocks are rounded; the 3 blocks' SE FCs (1x1
        // convolutions on the squeezed 1 x 1 map) and the classifier (on the pooled 1 x 1 map) stay
        assertEquals(12, rounded);
        assertEquals(7, kept);
        assertFalse(r == g);
    }

    /** Weight and bias (null when absent) of a convolution or inner product, else null. */
    private static float[][] weights(Node n) {
        if (n.op() instanceof Convolution c) {
            return new float[][] {c.weight().toArray(), c.bias() == null ? null : c.bias().toArray()};
        }
        if (n.op() instanceof InnerProduct ip) {
            return new float[][] {ip.weight().toArray(), ip.bias() == null ? null : ip.bias().toArray()};
        }
        return null;
    }
}
