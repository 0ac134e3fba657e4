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
import org.senet4j.ir.op.ArgMax;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.Reduction;
import org.senet4j.ir.op.Tile;

/**
 * ArgMax, Reduction and Tile: Caffe's shape rules and values worked out by hand from argmax_layer.cpp,
 * reduction_layer.cpp and tile_layer.cpp, the tie order of ArgMax, and the importer's errors naming the field.
 */
class ReductionOpsKernelTest {
    @TempDir
    Path dir;

    private static Shape shape(Op op, Shape in) throws ModelException {
        return op.outputShapes(List.of(in)).get(0);
    }

    private static float[] run(Op op, Shape in, float... x) throws ModelException {
        return ReferenceKernels.run(op, List.of(in), List.of(x), List.of(shape(op, in))).get(0);
    }

    @Test
    void argMaxShapes() throws ModelException {
        Shape in = Shape.of(2, 3, 4, 5);
        assertEquals(Shape.of(2, 1, 1, 1), shape(new ArgMax(1, false, ArgMax.NO_AXIS), in));
        assertEquals(Shape.of(2, 2, 7, 1), shape(new ArgMax(7, true, ArgMax.NO_AXIS), in));
        // fewer than 3 axes: Caffe's top still has 3 (N x 1|2 x top_k); more than 4 keeps the rank
        assertEquals(Shape.of(2, 1, 3), shape(new ArgMax(3, false, ArgMax.NO_AXIS), Shape.of(2, 10)));
        assertEquals(Shape.of(2, 2, 3, 1, 1), shape(new ArgMax(3, true, ArgMax.NO_AXIS), Shape.of(2, 3, 2, 2, 2)));
        assertEquals(Shape.of(2, 2, 4, 5), shape(new ArgMax(2, false, 1), in));
        assertEquals(Shape.of(2, 3, 4, 3), shape(new ArgMax(3, true, 3), in));
        ModelException e = assertThrows(ModelException.class, () -> shape(new ArgMax(4, false, 1), in));
        assertTrue(e.getMessage().contains("argmax_param.top_k"), e.getMessage());
        e = assertThrows(ModelException.class, () -> shape(new ArgMax(61, false, ArgMax.NO_AXIS), in));
        assertTrue(e.getMessage().contains("argmax_param.top_k"), e.getMessage());
        e = assertThrows(ModelException.class, () -> shape(new ArgMax(1, false, 4), in));
        assertTrue(e.getMessage().contains("argmax_param.axis"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ArgMax(0, false, 1));
    }

    @Test
    void argMaxOrdersTiesLikeCaffeLargerIndexFirst() throws ModelException {
        // one item of 6 values: 2 at indices 1 and 4, 0 at 0, 3 and 5 (-0.0 equals 0.0 as in C++)
        Shape in = Shape.of(1, 6);
        float[] x = {0f, 2f, -1f, -0.0f, 2f, 0f};
        assertArrayEquals(new float[] {4, 1, 5, 3, 0, 2}, run(new ArgMax(6, false, ArgMax.NO_AXIS), in, x));
        assertArrayEquals(new float[] {4, 1, 5, 2, 2, 0}, run(new ArgMax(3, true, ArgMax.NO_AXIS), in, x));
        // along axis 1 of 1 x 3 x 2: columns (5, 5, 1) and (0, 7, 7)
        Shape in3 = Shape.of(1, 3, 2);
        float[] y = {5, 0, 5, 7, 1, 7};
        assertArrayEquals(new float[] {1, 2, 0, 1}, run(new ArgMax(2, false, 1), in3, y));
        assertArrayEquals(new float[] {5, 7, 5, 7}, run(new ArgMax(2, true, 1), in3, y));
        // batch 2 without axis: each item ranked on its own
        assertArrayEquals(new float[] {2, 3, 1, 3}, run(new ArgMax(1, true, ArgMax.NO_AXIS), Shape.of(2, 3),
                1, 2, 3, 3, 3, 2));
    }

    @Test
    void reductionShapesAndValues() throws ModelException {
        Shape in = Shape.of(2, 3, 2);
        float[] x = {1, -2, 3, -4, 5, -6, 0.5f, 0.5f, -1, 1, 2, -2};
        assertEquals(Shape.of(), shape(new Reduction(Reduction.Operation.SUM, 0, 1f), in));
        assertEquals(Shape.of(2, 3), shape(new Reduction(Reduction.Operation.SUM, 2, 1f), in));
        assertArrayEquals(new float[] {-2}, run(new Reduction(Reduction.Operation.SUM, 0, 1f), in, x));
        assertArrayEquals(new float[] {-6, 2}, run(new Reduction(Reduction.Operation.SUM, 1, 2f), in, x));
        assertArrayEquals(new float[] {21, 7}, run(new Reduction(Reduction.Operation.ASUM, 1, 1f), in, x));
        assertArrayEquals(new float[] {-45.5f, -5.25f}, run(new Reduction(Reduction.Operation.SUMSQ, 1, -0.5f),
                in, x));
        // MEAN: Caffe's factor coeff / count = 3 / 6
        assertArrayEquals(new float[] {-1.5f, 0.5f}, run(new Reduction(Reduction.Operation.MEAN, 1, 3f), in, x));
        assertArrayEquals(new float[] {-1, -1, -1, 1, 0, 0}, run(new Reduction(Reduction.Operation.SUM, 2, 1f),
                in, x));
        ModelException e = assertThrows(ModelException.class, () -> shape(new Reduction(Reduction.Operation.SUM,
                3, 1f), in));
        assertTrue(e.getMessage().contains("reduction_param.axis"), e.getMessage());
    }

    @Test
    void tileShapesAndValues() throws ModelException {
        Shape in = Shape.of(1, 2, 2);
        assertEquals(Shape.of(1, 6, 2), shape(new Tile(1, 3), in));
        assertArrayEquals(new float[] {1, 2, 3, 4, 1, 2, 3, 4}, run(new Tile(1, 2), in, 1, 2, 3, 4));
        assertArrayEquals(new float[] {1, 2, 1, 2, 3, 4, 3, 4}, run(new Tile(2, 2), in, 1, 2, 3, 4));
        assertArrayEquals(new float[] {1, 2, 3, 4, 1, 2, 3, 4}, run(new Tile(0, 2), in, 1, 2, 3, 4));
        ModelException e = assertThrows(ModelException.class, () -> shape(new Tile(1, Integer.MAX_VALUE), in));
        assertTrue(e.getMessage().contains("tile_param.tiles"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Tile(1, 0));
    }

    private Graph load(String layers) throws Exception {
        Path p = Files.writeString(dir.resolve("net.prototxt"), "name: \"r\"\nlayer { name: \"data\" type: \"Input\" "
                + "top: \"data\" input_param { shape { dim: 2 dim: 3 dim: 4 dim: 5 } } }\n" + layers);
        return CaffeImporter.load(p, null).graph();
    }

    private ModelException fails(String layers) {
        return assertThrows(ModelException.class, () -> load(layers));
    }

    @Test
    void importerReadsParametersAndNamesTheField() throws Exception {
        Graph g = load("""
                layer { name: "am" type: "ArgMax" bottom: "data" top: "am" argmax_param { top_k: 2 axis: -1 } }
                layer { name: "amf" type: "ArgMax" bottom: "data" top: "amf" argmax_param { out_max_val: true } }
                layer { name: "red" type: "Reduction" bottom: "data" top: "red"
                        reduction_param { operation: SUMSQ axis: -2 coeff: 0.5 } }
                layer { name: "red0" type: "Reduction" bottom: "data" top: "red0" }
                layer { name: "tile" type: "Tile" bottom: "data" top: "tile" tile_param { tiles: 3 } }
                layer { name: "tile2" type: "Tile" bottom: "data" top: "tile2" tile_param { axis: -2 tiles: 2 } }
                """);
        assertEquals(new ArgMax(2, false, 3), g.node("am").op());
        assertEquals(Shape.of(2, 3, 4, 2), g.shape("am"));
        assertEquals(new ArgMax(1, true, ArgMax.NO_AXIS), g.node("amf").op());
        assertEquals(Shape.of(2, 2, 1, 1), g.shape("amf"));
        assertEquals(new Reduction(Reduction.Operation.SUMSQ, 2, 0.5f), g.node("red").op());
        assertEquals(Shape.of(2, 3), g.shape("red"));
        assertEquals(new Reduction(Reduction.Operation.SUM, 0, 1f), g.node("red0").op());
        assertEquals(Shape.of(), g.shape("red0"));
        assertEquals(Shape.of(2, 9, 4, 5), g.shape("tile"));
        assertEquals(Shape.of(2, 3, 8, 5), g.shape("tile2"));

        ModelException e = fails("layer { name: \"t\" type: \"Tile\" bottom: \"data\" top: \"t\" }\n");
        assertTrue(e.getMessage().contains("layer \"t\" (Tile): tile_param.tiles"), e.getMessage());
        e = fails("layer { name: \"t\" type: \"Tile\" bottom: \"data\" top: \"t\" tile_param { tiles: 0 } }\n");
        assertTrue(e.getMessage().contains("tile_param.tiles"), e.getMessage());
        e = fails("layer { name: \"a\" type: \"ArgMax\" bottom: \"data\" top: \"a\" "
                + "argmax_param { top_k: 4 axis: 1 } }");
        assertTrue(e.getMessage().contains("layer \"a\" (ArgMax): argmax_param.top_k"), e.getMessage());
        e = fails("layer { name: \"a\" type: \"ArgMax\" bottom: \"data\" top: \"a\" argmax_param { top_k: 0 } }");
        assertTrue(e.getMessage().contains("argmax_param.top_k"), e.getMessage());
        e = fails("layer { name: \"a\" type: \"ArgMax\" bottom: \"data\" top: \"a\" argmax_param { axis: 4 } }");
        assertTrue(e.getMessage().contains("argmax_param.axis"), e.getMessage());
        e = fails("layer { name: \"r\" type: \"Reduction\" bottom: \"data\" top: \"r\" "
                + "reduction_param { axis: -5 } }");
        assertTrue(e.getMessage().contains("layer \"r\" (Reduction): reduction_param.axis"), e.getMessage());
    }
}
