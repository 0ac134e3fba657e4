package org.senet4j.engine.ref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.BatchNorm;
import org.senet4j.ir.op.BatchStatNorm;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.Pooling;

/**
 * Test-time STOCHASTIC pooling (Caffe's GPU kernel StoPoolForwardTest: windows from {@code out * stride}, clipped to
 * the input, {@code sum(x^2) / sum(x)} or 0 when the sum is not positive) and BatchNorm on batch statistics, with
 * values worked out by hand, and the importer's handling of both forms.
 */
class NormPoolKernelTest {
    @TempDir
    Path dir;

    private static Shape shape(Op op, Shape in) throws ModelException {
        return op.outputShapes(List.of(in)).get(0);
    }

    private static float[] run(Op op, Shape in, float... x) throws ModelException {
        return ReferenceKernels.run(op, List.of(in), List.of(x), List.of(shape(op, in))).get(0);
    }

    private static Pooling stochastic(int k, int s, boolean ceil) {
        return new Pooling(Pooling.Method.STOCHASTIC, k, k, s, s, 0, 0, false, ceil);
    }

    @Test
    void stochasticWindowsByHand() throws ModelException {
        // 1 x 1 x 3 x 3, kernel 2 stride 2, ceil: 2 x 2 windows {0..1}x{0..1}, {0..1}x{2}, {2}x{0..1}, {2}x{2}
        float[] x = {1, 2, 3,
                     4, 0, 6,
                     7, 8, 9};
        Shape in = Shape.of(1, 1, 3, 3);
        assertEquals(Shape.of(1, 1, 2, 2), shape(stochastic(2, 2, true), in));
        float[] y = run(stochastic(2, 2, true), in, x);
        assertArrayEquals(new float[] {(1 + 4 + 16 + 0) / 7f, (9 + 36) / 9f, (49 + 64) / 15f, 81 / 9f}, y, 1e-6f);
        // floor rounding keeps only the first window
        assertArrayEquals(new float[] {21 / 7f}, run(stochastic(2, 2, false), in, x), 1e-6f);
        // global: the whole plane
        Pooling global = new Pooling(Pooling.Method.STOCHASTIC, 0, 0, 1, 1, 0, 0, true, true);
        assertArrayEquals(new float[] {(1 + 4 + 9 + 16 + 0 + 36 + 49 + 64 + 81) / 40f}, run(global, in, x), 1e-6f);
    }

    @Test
    void stochasticNonPositiveSumsGiveZero() throws ModelException {
        // windows: {-1, 1} sums to 0, {-2, -3} is negative, {2, -1} gives (4 + 1) / 1
        float[] x = {-1, 1, -2, -3, 2, -1};
        float[] y = run(stochastic(2, 2, true), Shape.of(1, 1, 1, 6), x);
        assertArrayEquals(new float[] {0f, 0f, 5f}, y);
        // all zero: 0, not NaN
        assertArrayEquals(new float[] {0f}, run(stochastic(2, 1, true), Shape.of(1, 1, 2, 2), 0, 0, 0, 0));
    }

    @Test
    void stochasticKernelLargerThanInputIsClipped() throws ModelException {
        // 1 x 1 x 2 x 3 with kernel 4 stride 2: H ceil((2 - 4) / 2) + 1 = 0 -> empty, refused as for MAX and AVE
        assertThrows(ModelException.class, () -> shape(stochastic(4, 2, true), Shape.of(1, 1, 2, 3)));
        // 1 x 1 x 3 x 3 with kernel 4 stride 1: ceil(-1) + 1 = 0 -> refused; kernel 4 stride 2: 1 window, clipped
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        assertArrayEquals(new float[] {285 / 45f}, run(stochastic(4, 2, true), Shape.of(1, 1, 3, 3), x), 1e-5f);
    }

    @Test
    void stochasticRefusesPaddingAsCaffeDoes() {
        Pooling padded = new Pooling(Pooling.Method.STOCHASTIC, 3, 3, 1, 1, 1, 1, false, true);
        ModelException e = assertThrows(ModelException.class, () -> shape(padded, Shape.of(1, 1, 5, 5)));
        assertTrue(e.getMessage().contains("pooling_param.pad") && e.getMessage().contains("STOCHASTIC"),
                e.getMessage());
    }

    @Test
    void batchStatisticsByHand() throws ModelException {
        // N=2, C=2, 1 x 2 plane: channel 0 holds {1, 3} and {5, 7}: mean 4, var (9 + 1 + 1 + 9) / 4 = 5
        //                        channel 1 holds {2, 2} and {2, 2}: mean 2, var 0 -> 0 / sqrt(eps)
        float[] x = {1, 3, 2, 2,
                     5, 7, 2, 2};
        float eps = 1e-5f;
        float[] y = run(new BatchStatNorm(eps), Shape.of(2, 2, 1, 2), x);
        float sd = (float) Math.sqrt(5 + eps);
        assertArrayEquals(new float[] {-3 / sd, -1 / sd, 0, 0, 1 / sd, 3 / sd, 0, 0}, y, 1e-6f);
        // N x C: the statistics run over the batch only; one sample normalises to 0
        assertArrayEquals(new float[] {-1 / (float) Math.sqrt(1 + eps), 1 / (float) Math.sqrt(1 + eps)},
                run(new BatchStatNorm(eps), Shape.of(2, 1), 3, 5), 1e-6f);
        assertArrayEquals(new float[] {0, 0, 0}, run(new BatchStatNorm(0.5f), Shape.of(1, 3), 4, -2, 9));
        assertThrows(IllegalArgumentException.class, () -> new BatchStatNorm(0));
    }

    @Test
    void importerMapsBothFormsOfBothLayers() throws Exception {
        Path proto = Files.writeString(dir.resolve("n.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 4 dim: 4 } } }
                layer { name: "bn_batch" type: "BatchNorm" bottom: "data" top: "bn_batch"
                        batch_norm_param { use_global_stats: false eps: 0.001 } }
                layer { name: "bn_stored" type: "BatchNorm" bottom: "data" top: "bn_stored" }
                layer { name: "bn_true" type: "BatchNorm" bottom: "data" top: "bn_true"
                        batch_norm_param { use_global_stats: true } }
                layer { name: "sto" type: "Pooling" bottom: "data" top: "sto"
                        pooling_param { pool: STOCHASTIC kernel_size: 3 stride: 2 } }
                """);
        Graph g = CaffeImporter.load(proto, null).graph();
        assertEquals(new BatchStatNorm(0.001f), g.node("bn_batch").op());
        assertTrue(g.node("bn_stored").op() instanceof BatchNorm);
        assertTrue(g.node("bn_true").op() instanceof BatchNorm);
        assertEquals(Shape.of(2, 3, 2, 2), g.shape("sto"));
        Path padded = Files.writeString(dir.resolve("p.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 4 dim: 4 } } }
                layer { name: "sto" type: "Pooling" bottom: "data" top: "sto"
                        pooling_param { pool: STOCHASTIC kernel_size: 3 pad: 1 } }
                """);
        ModelException e = assertThrows(ModelException.class, () -> CaffeImporter.load(padded, null));
        assertTrue(e.getMessage().contains("layer \"sto\" (Pooling)") && e.getMessage().contains("pooling_param.pad"),
                e.getMessage());
    }
}
