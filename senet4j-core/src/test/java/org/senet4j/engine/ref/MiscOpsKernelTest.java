package org.senet4j.engine.ref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.UnsupportedModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.BatchReindex;
import org.senet4j.ir.op.Embed;
import org.senet4j.ir.op.Im2col;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.Parameter;
import org.senet4j.ir.op.Pooling;
import org.senet4j.ir.op.SPP;

/**
 * Embed, Parameter, SPP, Im2col and BatchReindex: Caffe's shape rules and values worked out by hand from
 * embed_layer.cpp, parameter_layer.hpp, spp_layer.cpp (with pooling_layer.cpp), im2col_layer.cpp with util/im2col.cpp
 * and batch_reindex_layer.cpp; what the kernels do with index values Caffe does not define; the importer's errors
 * naming the field, and Filter refused with its reason; STOCHASTIC SPP by hand (Caffe's CPU build has no stochastic
 * pooling to compare with).
 */
class MiscOpsKernelTest {
    @TempDir
    Path dir;

    private static Shape shape(Op op, Shape... in) throws ModelException {
        return op.outputShapes(List.of(in)).get(0);
    }

    private static float[] run(Op op, Shape in, float... x) throws ModelException {
        return ReferenceKernels.run(op, List.of(in), List.of(x), List.of(shape(op, in))).get(0);
    }

    private static float[] run2(Op op, Shape a, float[] x, Shape b, float[] y) throws ModelException {
        return ReferenceKernels.run(op, List.of(a, b), List.of(x, y), List.of(shape(op, a, b))).get(0);
    }

    private static float[] iota(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i + 1;
        }
        return v;
    }

    // ----- Embed -------------------------------------------------------------------------------------------------

    private static final Tensor TABLE = Tensor.of(Shape.of(3, 2), new float[] {1, 2, 3, 4, 5, 6});
    private static final Tensor BIAS = Tensor.of(Shape.of(2), new float[] {10, 20});

    @Test
    void embedLooksUpRowsAndAddsTheBias() throws ModelException {
        Embed e = new Embed(2, 3, TABLE, BIAS);
        assertEquals(Shape.of(2, 2, 2), shape(e, Shape.of(2, 2)));
        assertEquals(Shape.of(2, 3, 4, 5, 2), shape(e, Shape.of(2, 3, 4, 5)));
        assertArrayEquals(new float[] {15, 26, 11, 22, 13, 24, 15, 26}, run(e, Shape.of(2, 2), 2, 0, 1, 2));
        // a scalar input gives one row, as Caffe's top shape = bottom shape + [num_output]
        assertArrayEquals(new float[] {13, 24}, run(e, Shape.of(), 1));
        Embed noBias = new Embed(2, 3, TABLE, null);
        assertArrayEquals(new float[] {5, 6, 1, 2, 3, 4}, run(noBias, Shape.of(3), 2, 0, 1));
    }

    @Test
    void embedTruncatesLikeCaffeAndRefusesWhatCaffeWouldReadOutsideItsWeight() throws ModelException {
        Embed e = new Embed(2, 3, TABLE, null);
        // static_cast<int> truncates toward zero: 1.9 -> 1, 2.99 -> 2, -0.5 -> 0
        assertArrayEquals(new float[] {3, 4, 5, 6, 1, 2}, run(e, Shape.of(3), 1.9f, 2.99f, -0.5f));
        for (float bad : new float[] {3f, -1f, 7.5f, Float.NaN, Float.POSITIVE_INFINITY, -1e9f}) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> run(e, Shape.of(2), 0f, bad));
            assertTrue(ex.getMessage().contains("position 1") && ex.getMessage().contains("input_dim 3"),
                    ex.getMessage());
        }
        ModelException m = assertThrows(ModelException.class, () -> shape(new Embed(2, 4, TABLE, null),
                Shape.of(1)));
        assertTrue(m.getMessage().contains("blobs[0] (weight)"), m.getMessage());
        m = assertThrows(ModelException.class, () -> shape(new Embed(2, 3, TABLE, TABLE), Shape.of(1)));
        assertTrue(m.getMessage().contains("blobs[1] (bias)"), m.getMessage());
    }

    // ----- Parameter ---------------------------------------------------------------------------------------------

    @Test
    void parameterIsItsBlob() throws ModelException {
        Parameter p = new Parameter(TABLE);
        assertEquals(List.of(Shape.of(3, 2)), p.outputShapes(List.of()));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6},
                ReferenceKernels.run(p, List.of(), List.of(), List.of(Shape.of(3, 2))).get(0));
        assertEquals(6, p.parameterCount());
        assertThrows(ModelException.class, () -> p.outputShapes(List.of(Shape.of(1))));
    }

    // ----- SPP ---------------------------------------------------------------------------------------------------

    @Test
    void sppLevelsFollowCaffesFormula() throws ModelException {
        SPP s = new SPP(3, Pooling.Method.MAX);
        // level 1 of 3 rows: kernel ceil(3/2) = 2, pad (2*2 - 3 + 1) / 2 = 1, stride 2
        assertEquals(new Pooling(Pooling.Method.MAX, 2, 2, 2, 2, 1, 1, false, true), s.level(1, 3, 3));
        // level 2 of 6 x 13: kernel 2 x 4, pad 1 x 2
        assertEquals(new Pooling(Pooling.Method.MAX, 2, 4, 2, 4, 1, 2, false, true), s.level(2, 6, 13));
        assertEquals(Shape.of(2, 3, 1, 1), shape(new SPP(1, Pooling.Method.AVE), Shape.of(2, 3, 7, 5)));
        assertEquals(Shape.of(2, 3 * 5), shape(new SPP(2, Pooling.Method.AVE), Shape.of(2, 3, 7, 5)));
        assertEquals(Shape.of(2, 3 * 21), shape(s, Shape.of(2, 3, 6, 13)));
        assertEquals(2, SPP.maxHeight(5, 5));
        assertEquals(3, SPP.maxHeight(6, 13));
        assertEquals(5, SPP.maxHeight(16, 16));
        assertEquals(1, SPP.maxHeight(1, 40));
        // level 2 of 7 x 5: 5 columns in 4 bins -> kernel 2, pad 2; Caffe's Pooling CHECKs pad < kernel
        ModelException e = assertThrows(ModelException.class, () -> shape(s, Shape.of(1, 1, 7, 5)));
        assertTrue(e.getMessage().contains("spp_param.pyramid_height") && e.getMessage().contains("at most 2"),
                e.getMessage());
        e = assertThrows(ModelException.class, () -> shape(new SPP(Integer.MAX_VALUE, Pooling.Method.MAX),
                Shape.of(1, 1, 64, 64)));
        assertTrue(e.getMessage().contains("spp_param.pyramid_height"), e.getMessage());
        e = assertThrows(ModelException.class, () -> shape(s, Shape.of(1, 6, 13)));
        assertTrue(e.getMessage().contains("4 axes"), e.getMessage());
    }

    @Test
    void sppValuesByHand() throws ModelException {
        // 1 x 2 x 3 x 3: channel 0 holds 1..9, channel 1 holds 11..19. Level 1: windows rows {0}, {1, 2} and the same
        // columns (pad 1 in front); AVE divides by 2 x 2 everywhere (the padded row and column count)
        float[] x = new float[18];
        for (int i = 0; i < 9; i++) {
            x[i] = i + 1;
            x[9 + i] = i + 11;
        }
        Shape in = Shape.of(1, 2, 3, 3);
        assertArrayEquals(new float[] {9, 19, 1, 3, 7, 9, 11, 13, 17, 19}, run(new SPP(2, Pooling.Method.MAX), in, x));
        assertArrayEquals(new float[] {5, 15, 0.25f, 1.25f, 2.75f, 7, 2.75f, 6.25f, 7.75f, 17},
                run(new SPP(2, Pooling.Method.AVE), in, x), 1e-6f);
        assertArrayEquals(new float[] {9, 19}, run(new SPP(1, Pooling.Method.MAX), in, x));
        // batch 2: each item's levels together, items one after the other
        float[] two = new float[36];
        System.arraycopy(x, 0, two, 0, 18);
        System.arraycopy(x, 0, two, 18, 18);
        float[] y = run(new SPP(2, Pooling.Method.MAX), Shape.of(2, 2, 3, 3), two);
        assertArrayEquals(new float[] {9, 19, 1, 3, 7, 9, 11, 13, 17, 19, 9, 19, 1, 3, 7, 9, 11, 13, 17, 19}, y);
    }

    @Test
    void sppLastWindowHangsOverThePaddedEdge() throws ModelException {
        // 1 x 1 x 6 x 1... as 6 x 6 at level 2: kernel 2, pad 1, windows start at -1, 1, 3, 5; the last covers row 5
        // and the padded row 6, and AVE still divides by 2 there (Caffe clips the window to H + pad, not to H)
        float[] x = iota(36);
        float[] y = run(new SPP(3, Pooling.Method.AVE), Shape.of(1, 1, 6, 6), x);
        assertEquals(1 + 4 + 16, y.length);
        // level 2, cell (3, 3): rows {5, (6)}, columns {5, (6)}: x = 36, divided by 2 x 2
        assertEquals(9f, y[1 + 4 + 15], 1e-6f);
        // level 2, cell (0, 0): rows {(-1), 0}, columns {(-1), 0}: x = 1, divided by 4
        assertEquals(0.25f, y[1 + 4], 1e-6f);
        float[] m = run(new SPP(3, Pooling.Method.MAX), Shape.of(1, 1, 6, 6), x);
        assertEquals(36f, m[1 + 4 + 15]);
        assertEquals(1f, m[1 + 4]);
    }

    // ----- Im2col ------------------------------------------------------------------------------------------------

    private static Im2col im2col(int axis, List<Integer> k, List<Integer> s, List<Integer> p, List<Integer> d) {
        return new Im2col(axis, k, s, p, d);
    }

    @Test
    void im2colChannelsInCaffesOrder() throws ModelException {
        float[] x = iota(9);
        Shape in = Shape.of(1, 1, 3, 3);
        Im2col k2 = im2col(1, List.of(2, 2), List.of(1, 1), List.of(0, 0), List.of(1, 1));
        assertEquals(Shape.of(1, 4, 2, 2), shape(k2, in));
        assertArrayEquals(new float[] {1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9}, run(k2, in, x));
        // pad 1, stride 2: rows and columns read at -1 (padding: 0), 0, 1 and 2
        Im2col padded = im2col(1, List.of(2, 2), List.of(2, 2), List.of(1, 1), List.of(1, 1));
        assertArrayEquals(new float[] {0, 0, 0, 5, 0, 0, 4, 6, 0, 2, 0, 8, 1, 3, 7, 9}, run(padded, in, x));
        // a 1 x 2 kernel dilated by 2 on 2 x 4: column offsets 0 and 2
        Im2col dilated = im2col(1, List.of(1, 2), List.of(1, 1), List.of(0, 0), List.of(1, 2));
        assertArrayEquals(new float[] {1, 2, 5, 6, 3, 4, 7, 8}, run(dilated, Shape.of(1, 1, 2, 4), iota(8)));
        // two channels: channel c's kernel positions come before channel c + 1's
        float[] x2 = new float[8];
        System.arraycopy(iota(4), 0, x2, 0, 4);
        for (int i = 0; i < 4; i++) {
            x2[4 + i] = 10 * (i + 1);
        }
        Im2col k1x2 = im2col(1, List.of(1, 2), List.of(1, 1), List.of(0, 0), List.of(1, 1));
        assertArrayEquals(new float[] {1, 3, 2, 4, 10, 30, 20, 40}, run(k1x2, Shape.of(1, 2, 2, 2), x2));
    }

    @Test
    void im2colOtherAxesAndRanks() throws ModelException {
        // one spatial axis: 1 x 2 x 5, kernel 3, stride 2 -> 1 x 6 x 2
        Im2col oneD = im2col(1, List.of(3), List.of(2), List.of(0), List.of(1));
        assertEquals(Shape.of(1, 6, 2), shape(oneD, Shape.of(1, 2, 5)));
        assertArrayEquals(new float[] {1, 3, 2, 4, 3, 5, 6, 8, 7, 9, 8, 10}, run(oneD, Shape.of(1, 2, 5), iota(10)));
        // channel axis 2 of 2 x 1 x 1 x 3: the leading axes are items
        Im2col axis2 = im2col(2, List.of(2), List.of(1), List.of(0), List.of(1));
        assertEquals(Shape.of(2, 1, 2, 2), shape(axis2, Shape.of(2, 1, 1, 3)));
        assertArrayEquals(new float[] {1, 2, 2, 3, 4, 5, 5, 6}, run(axis2, Shape.of(2, 1, 1, 3), iota(6)));
        // channel axis 0: the whole blob is one item
        Im2col axis0 = im2col(0, List.of(2), List.of(1), List.of(1), List.of(1));
        assertArrayEquals(new float[] {0, 1, 2, 1, 2, 0}, run(axis0, Shape.of(1, 2), 1, 2));
        // a kernel whose extent exceeds the padded input is refused (as for Convolution)
        ModelException e = assertThrows(ModelException.class, () -> shape(im2col(1, List.of(2, 2), List.of(1, 1),
                List.of(0, 0), List.of(3, 1)), Shape.of(1, 1, 3, 3)));
        assertTrue(e.getMessage().contains("convolution_param.kernel_size"), e.getMessage());
        e = assertThrows(ModelException.class, () -> shape(oneD, Shape.of(1, 2, 5, 5)));
        assertTrue(e.getMessage().contains("spatial axes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> im2col(1, List.of(2), List.of(1, 1), List.of(0),
                List.of(1)));
    }

    // ----- BatchReindex ------------------------------------------------------------------------------------------

    @Test
    void batchReindexGathersItems() throws ModelException {
        Shape in = Shape.of(3, 2);
        float[] x = {1, 2, 3, 4, 5, 6};
        BatchReindex r = new BatchReindex();
        assertEquals(Shape.of(4, 2), shape(r, in, Shape.of(4)));
        assertEquals(Shape.of(1, 5, 7), shape(r, Shape.of(3, 5, 7), Shape.of(1)));
        assertArrayEquals(new float[] {5, 6, 1, 2, 5, 6, 3, 4}, run2(r, in, x, Shape.of(4), new float[] {2, 0, 2, 1}));
        // Caffe checks 0 <= index < N on the float, then truncates: 2.9 -> 2
        assertArrayEquals(new float[] {5, 6}, run2(r, in, x, Shape.of(1), new float[] {2.9f}));
        for (float bad : new float[] {3f, -0.5f, Float.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> run2(r, in, x, Shape.of(2), new float[] {0, bad}));
            assertTrue(e.getMessage().contains("position 1") && e.getMessage().contains("[0, 3)"), e.getMessage());
        }
        ModelException e = assertThrows(ModelException.class, () -> shape(r, in, Shape.of(2, 1)));
        assertTrue(e.getMessage().contains("exactly 1 axis"), e.getMessage());
    }

    // ----- the importer ------------------------------------------------------------------------------------------

    private Path write(String layers) throws Exception {
        return Files.writeString(Files.createTempFile(dir, "net", ".prototxt"), "name: \"m\"\n"
                + "layer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape { dim: 2 dim: 3 dim: 7 "
                + "dim: 9 } } }\n"
                + "layer { name: \"idx\" type: \"Input\" top: \"idx\" input_param { shape { dim: 2 dim: 4 } } }\n"
                + layers);
    }

    private Graph load(String layers) throws Exception {
        return CaffeImporter.load(write(layers), null).graph();
    }

    private ModelException fails(String layers) {
        return assertThrows(ModelException.class, () -> load(layers));
    }

    @Test
    void importerReadsParameters() throws Exception {
        Graph g = load("""
                layer { name: "emb" type: "Embed" bottom: "idx" top: "emb"
                        embed_param { num_output: 5 input_dim: 10 } }
                layer { name: "emb_nb" type: "Embed" bottom: "idx" top: "emb_nb"
                        embed_param { num_output: 3 input_dim: 7 bias_term: false } }
                layer { name: "p" type: "Parameter" top: "p" parameter_param { shape { dim: 4 dim: 3 } } }
                layer { name: "scalar" type: "Parameter" top: "scalar" }
                layer { name: "spp" type: "SPP" bottom: "data" top: "spp" spp_param { pyramid_height: 3 pool: AVE } }
                layer { name: "spp1" type: "SPP" bottom: "data" top: "spp1" spp_param { pyramid_height: 1 } }
                layer { name: "i2c" type: "Im2col" bottom: "data" top: "i2c"
                        convolution_param { kernel_h: 2 kernel_w: 3 stride_h: 2 stride_w: 1 pad_w: 1 dilation: 2 } }
                layer { name: "i2c_nd" type: "Im2col" bottom: "data" top: "i2c_nd"
                        convolution_param { kernel_size: 3 kernel_size: 1 stride: 2 pad: 1 force_nd_im2col: true } }
                layer { name: "i2c_ax" type: "Im2col" bottom: "data" top: "i2c_ax"
                        convolution_param { kernel_size: 2 axis: -2 } }
                layer { name: "flat" type: "Reshape" bottom: "idx" top: "flat" reshape_param { shape { dim: -1 } } }
                layer { name: "re" type: "BatchReindex" bottom: "data" bottom: "flat" top: "re" }
                """);
        assertEquals(Shape.of(2, 4, 5), g.shape("emb"));
        assertEquals(2, ((Embed) g.node("emb").op()).weights().size());
        assertEquals(null, ((Embed) g.node("emb_nb").op()).bias());
        assertEquals(Shape.of(2, 4, 3), g.shape("emb_nb"));
        assertEquals(Shape.of(4, 3), g.shape("p"));
        assertEquals(Shape.of(), g.shape("scalar"));
        assertEquals(new SPP(3, Pooling.Method.AVE), g.node("spp").op());
        assertEquals(Shape.of(2, 3 * 21), g.shape("spp"));
        assertEquals(Shape.of(2, 3, 1, 1), g.shape("spp1"));
        assertEquals(im2col(1, List.of(2, 3), List.of(2, 1), List.of(0, 1), List.of(2, 2)), g.node("i2c").op());
        // rows: (7 - 3) / 2 + 1 = 3; columns: (9 + 2 - 5) / 1 + 1 = 7
        assertEquals(Shape.of(2, 18, 3, 7), g.shape("i2c"));
        assertEquals(Shape.of(2, 9, 4, 6), g.shape("i2c_nd"));
        assertEquals(Shape.of(2, 3, 14, 8), g.shape("i2c_ax"));
        assertEquals(Shape.of(8, 3, 7, 9), g.shape("re"));
        // the batch follows the inputs; a Parameter keeps its shape
        Graph g3 = g.withBatchSize(3);
        assertEquals(Shape.of(4, 3), g3.shape("p"));
        assertEquals(Shape.of(12, 3, 7, 9), g3.shape("re"));
    }

    @Test
    void importerErrorsNameLayerTypeAndField() throws Exception {
        String[][] cases = {
            {"layer { name: \"e\" type: \"Embed\" bottom: \"idx\" top: \"e\" embed_param { input_dim: 3 } }",
                "layer \"e\" (Embed): embed_param.num_output"},
            {"layer { name: \"e\" type: \"Embed\" bottom: \"idx\" top: \"e\" embed_param { num_output: 3 } }",
                "layer \"e\" (Embed): embed_param.input_dim"},
            {"layer { name: \"s\" type: \"SPP\" bottom: \"data\" top: \"s\" }",
                "layer \"s\" (SPP): spp_param.pyramid_height"},
            {"layer { name: \"s\" type: \"SPP\" bottom: \"data\" top: \"s\" spp_param { pyramid_height: 4 } }",
                "layer \"s\" (SPP): spp_param.pyramid_height"},
            {"layer { name: \"s\" type: \"SPP\" bottom: \"idx\" top: \"s\" spp_param { pyramid_height: 1 } }",
                "layer \"s\" (SPP): bottom"},
            {"layer { name: \"i\" type: \"Im2col\" bottom: \"data\" top: \"i\" }",
                "layer \"i\" (Im2col): convolution_param.kernel_size"},
            {"layer { name: \"i\" type: \"Im2col\" bottom: \"data\" top: \"i\" convolution_param { kernel_size: 1 "
                + "kernel_size: 2 kernel_size: 3 } }", "layer \"i\" (Im2col): convolution_param.kernel_size"},
            {"layer { name: \"i\" type: \"Im2col\" bottom: \"data\" top: \"i\" convolution_param { kernel_h: 1 "
                + "kernel_w: 1 axis: 2 } }", "layer \"i\" (Im2col): convolution_param.kernel_h"},
            {"layer { name: \"i\" type: \"Im2col\" bottom: \"data\" top: \"i\" convolution_param { kernel_h: 1 } }",
                "layer \"i\" (Im2col): convolution_param.kernel_h"},
            {"layer { name: \"i\" type: \"Im2col\" bottom: \"data\" top: \"i\" convolution_param { kernel_size: 2 "
                + "stride: 0 } }", "layer \"i\" (Im2col): convolution_param.stride"},
            {"layer { name: \"i\" type: \"Im2col\" bottom: \"data\" top: \"i\" convolution_param { kernel_size: 8 } }",
                "layer \"i\" (Im2col): convolution_param.kernel_size"},
            {"layer { name: \"i\" type: \"Im2col\" bottom: \"data\" top: \"i\" convolution_param { kernel_size: 1 "
                + "axis: 3 } }", "layer \"i\" (Im2col): convolution_param.axis"},
            {"layer { name: \"r\" type: \"BatchReindex\" bottom: \"data\" bottom: \"idx\" top: \"r\" }",
                "layer \"r\" (BatchReindex): bottom"},
            {"layer { name: \"p\" type: \"Parameter\" bottom: \"idx\" top: \"p\" }", "layer \"p\" (Parameter): bottom"},
            {"layer { name: \"p\" type: \"Parameter\" top: \"p\" parameter_param { shape { dim: 0 } } }",
                "layer \"p\" (Parameter): parameter_param.shape"},
        };
        for (String[] c : cases) {
            ModelException e = fails(c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[1] + " in: " + e.getMessage());
        }
    }

    @Test
    void aParameterIsNoNetInputForInputShapes() throws Exception {
        Path p = write("layer { name: \"p\" type: \"Parameter\" top: \"p\" parameter_param { shape { dim: 2 } } }\n");
        ModelException e = assertThrows(ModelException.class, () -> CaffeImporter.load(p, null,
                new CaffeImporter.Options(false, Map.of("p", Shape.of(3)))));
        assertTrue(e.getMessage().contains("\"p\", which is not an input of the net (its inputs: [data, idx])"),
                e.getMessage());
        Graph g = CaffeImporter.load(p, null, new CaffeImporter.Options(false, Map.of("idx", Shape.of(5, 4))))
                .graph();
        assertEquals(Shape.of(2), g.shape("p"));
        assertEquals(Shape.of(5, 4), g.shape("idx"));
    }

    @Test
    void filterIsReportedUnsupportedWithItsReason() throws Exception {
        Path p = write("""
                layer { name: "f" type: "Filter" bottom: "data" bottom: "idx" top: "f" }
                layer { name: "after" type: "ReLU" bottom: "f" top: "after" }
                """);
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> CaffeImporter.load(p, null));
        String filter = "Filter (its output size depends on the data: one item per non-zero selector value)";
        assertEquals(Map.of(filter, List.of("f")), e.report().unsupportedTypes());
        assertTrue(e.getMessage().contains(filter + " (1 layer: f)"), e.getMessage());
    }

    @Test
    void stochasticSppByHandWhereNoLevelPads() throws Exception {
        // 1 x 1 x 4 x 4 holding 1..16, height 2: level 0 is the whole plane, level 1 four 2 x 2 windows without pad;
        // each window gives sum(x^2) / sum(x)
        float[] y = run(new SPP(2, Pooling.Method.STOCHASTIC), Shape.of(1, 1, 4, 4), iota(16));
        assertArrayEquals(new float[] {1496f / 136, 66f / 14, 138f / 22, 546f / 46, 746f / 54}, y, 1e-5f);
        // a window whose sum is not positive gives 0
        float[] x = iota(16);
        for (int i : new int[] {0, 1, 4, 5}) {
            x[i] = -x[i];
        }
        assertEquals(0f, run(new SPP(2, Pooling.Method.STOCHASTIC), Shape.of(1, 1, 4, 4), x)[1]);
        // Caffe refuses padding for STOCHASTIC: a level that pads (5 rows in 2 bins: pad 1) is refused
        ModelException e = assertThrows(ModelException.class, () -> shape(new SPP(2, Pooling.Method.STOCHASTIC),
                Shape.of(1, 1, 5, 4)));
        assertTrue(e.getMessage().contains("spp_param.pool") && e.getMessage().contains("divisible by 2"),
                e.getMessage());
        Graph g = load("""
                layer { name: "s1" type: "SPP" bottom: "data" top: "s1" spp_param { pyramid_height: 1 pool: STOCHASTIC } }
                """);
        assertEquals(new SPP(1, Pooling.Method.STOCHASTIC), g.node("s1").op());
        ModelException m = fails("""
                layer { name: "s" type: "SPP" bottom: "data" top: "s" spp_param { pyramid_height: 2 pool: STOCHASTIC } }
                """);
        assertTrue(m.getMessage().contains("layer \"s\" (SPP): spp_param.pool"), m.getMessage());
    }
}
