package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.senet4j.caffe.Fixtures.node;
import static org.senet4j.caffe.Fixtures.ramp;
import static org.senet4j.caffe.Fixtures.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Interp;
import org.senet4j.ir.op.MaxPoolMask;
import org.senet4j.ir.op.MaxUnpool;
import org.senet4j.ir.op.NearestUpsample;

/**
 * The segmentation layers by hand, from the defining sources: PSPNet's Interp (interp_layer.cpp and
 * caffe_cpu_interp2: size rules for every parameter, the crop, the 1-pixel output, the copy case), SegNet's
 * two-bottom Upsample (upsample_h/w, scale, scale_h/w, pad_out, later write wins, the index check), eric612's
 * one-bottom Upsample and BVLC's MAX Pooling mask top (first maximum wins ties); and each converter's refusals with
 * the field named. senet4j-cli's SegOpsParityTest checks the same layers against real Caffe, fork-caffe and OpenCV.
 */
class SegLayersTest {
    @TempDir
    Path dir;

    private static String input(int... dims) {
        return Fixtures.inputLayer(dims);
    }

    private Graph load(String net) throws Exception {
        return CaffeImporter.load(Fixtures.write(dir, "net.prototxt", "name: \"s\"\n" + net), null).graph();
    }

    private String interpNet(int h, int w, String params) {
        return input(1, 1, h, w) + "layer { name: \"i\" type: \"Interp\" bottom: \"data\" top: \"i\" interp_param { "
                + params + " } }\n";
    }

    private HostTensor interp(int h, int w, String params, float[] x) throws Exception {
        return run(load(interpNet(h, w, params)), x, "i").get("i");
    }

    /** Bilinear with aligned corners in double, on the plane {@code x} (h x w) cropped to rows/cols [b, h+e). */
    private static double[] alignedCorners(float[] x, int h, int w, int b, int e, int oh, int ow) {
        int hc = h + b + e;
        int wc = w + b + e;
        double[] y = new double[oh * ow];
        for (int i = 0; i < oh; i++) {
            double sr = oh > 1 ? i * (hc - 1.0) / (oh - 1) : 0;
            int r0 = (int) sr;
            int r1 = Math.min(r0 + 1, hc - 1);
            double lr = sr - r0;
            for (int j = 0; j < ow; j++) {
                double sc = ow > 1 ? j * (wc - 1.0) / (ow - 1) : 0;
                int c0 = (int) sc;
                int c1 = Math.min(c0 + 1, wc - 1);
                double lc = sc - c0;
                java.util.function.BiFunction<Integer, Integer, Double> at = (r, c) -> (double) x[(r - b) * w + c - b];
                y[i * ow + j] = (1 - lr) * ((1 - lc) * at.apply(r0, c0) + lc * at.apply(r0, c1))
                        + lr * ((1 - lc) * at.apply(r1, c0) + lc * at.apply(r1, c1));
            }
        }
        return y;
    }

    private static void near(double[] want, float[] got) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5 * Math.max(1, Math.abs(want[i])), "element " + i);
        }
    }

    @Test
    void interpZoomByHand() throws Exception {
        // zoom 2 on 2x3: 2 + 1 rows, 3 + 2 columns; samples at 0, 0.5, 1 and 0, 0.5, ..., 2
        HostTensor y = interp(2, 3, "zoom_factor: 2", ramp(6));
        assertEquals(Shape.of(1, 1, 3, 5), y.shape());
        assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f, 2, 1.5f, 2, 2.5f, 3, 3.5f, 3, 3.5f, 4, 4.5f, 5}, y.data());
    }

    @Test
    void interpShrinkAndBothFactors() throws Exception {
        // shrink 2 on 5x5: (5 - 1) / 2 + 1 = 3, exactly rows and columns 0, 2, 4
        HostTensor y = interp(5, 5, "shrink_factor: 2", ramp(25));
        assertEquals(Shape.of(1, 1, 3, 3), y.shape());
        assertArrayEquals(new float[] {0, 2, 4, 10, 12, 14, 20, 22, 24}, y.data());
        // shrink 3 on 8x6: (8 - 1) / 3 + 1 = 3 (integer division), (6 - 1) / 3 + 1 = 2
        assertEquals(Shape.of(1, 1, 3, 2), interp(8, 6, "shrink_factor: 3", ramp(48)).shape());
        // both: shrink first (3), then zoom 3: 3 + 2 * 2 = 7
        HostTensor both = interp(5, 5, "shrink_factor: 2 zoom_factor: 3", ramp(25));
        assertEquals(Shape.of(1, 1, 7, 7), both.shape());
        near(alignedCorners(ramp(25), 5, 5, 0, 0, 7, 7), both.data());
        // height/width are read only when not exactly one factor is set
        Graph g = load(interpNet(5, 5, "zoom_factor: 2 height: 3 width: 4"));
        assertEquals(new Interp(2, 0, 0, 0, 0, 0), node(g, "i").op());
        assertEquals(Shape.of(1, 1, 9, 9), g.shape("i"));
        g = load(interpNet(5, 5, "zoom_factor: 2 shrink_factor: 2 height: 3 width: 4"));
        assertEquals(Shape.of(1, 1, 3, 4), g.shape("i"));
    }

    @Test
    void interpHeightWidthCropAndOnePixel() throws Exception {
        float[] x = ramp(20);
        // explicit size, non-integer ratios: (4 - 1) / (7 - 1) and (5 - 1) / (3 - 1)
        HostTensor y = interp(4, 5, "height: 7 width: 3", x);
        assertEquals(Shape.of(1, 1, 7, 3), y.shape());
        near(alignedCorners(x, 4, 5, 0, 0, 7, 3), y.data());
        // 1-pixel output: the ratio is 0, the (cropped) plane's first pixel
        assertArrayEquals(new float[] {0}, interp(4, 5, "height: 1 width: 1", x).data());
        assertArrayEquals(new float[] {6}, interp(4, 5, "height: 1 width: 1 pad_beg: -1", x).data());
        // 1 row, 3 columns: row 0 of the plane interpolated along columns only
        assertArrayEquals(new float[] {0, 2, 4}, interp(4, 5, "height: 1 width: 3", x).data());
        // crop 1 at the start and 1 at the end, zoom 1: the same size, the fork copies rows 1-2, columns 1-3
        HostTensor crop = interp(4, 5, "zoom_factor: 1 pad_beg: -1 pad_end: -1", x);
        assertEquals(Shape.of(1, 1, 2, 3), crop.shape());
        assertArrayEquals(new float[] {6, 7, 8, 11, 12, 13}, crop.data());
        // crop at the start only, zoom 2: cropped 3x4 -> 5x7
        HostTensor z = interp(4, 5, "zoom_factor: 2 pad_beg: -1", x);
        assertEquals(Shape.of(1, 1, 5, 7), z.shape());
        near(alignedCorners(x, 4, 5, -1, 0, 5, 7), z.data());
        assertEquals(6f, z.data()[0]);
        assertEquals(19f, z.data()[34]);
        // crop at the end only with an explicit size: rows 0-2, columns 0-3
        near(alignedCorners(x, 4, 5, 0, -1, 6, 2), interp(4, 5, "height: 6 width: 2 pad_end: -1", x).data());
        // same height (copy along it), other width
        near(alignedCorners(x, 4, 5, -1, 0, 3, 2), interp(4, 5, "height: 3 width: 2 pad_beg: -1", x).data());
    }

    private void refusedInterp(String params, String field) {
        ModelException e = assertThrows(ModelException.class, () -> load(interpNet(4, 4, params)));
        assertTrue(e.getMessage().contains(field) && e.getMessage().contains("Interp"), e.getMessage());
    }

    @Test
    void interpRefusals() {
        refusedInterp("zoom_factor: 2 pad_beg: 1", "interp_param.pad_beg");
        refusedInterp("zoom_factor: 2 pad_end: 2", "interp_param.pad_end");
        refusedInterp("zoom_factor: 0", "interp_param.zoom_factor");
        refusedInterp("shrink_factor: -1", "interp_param.shrink_factor");
        refusedInterp("height: 4", "interp_param");
        refusedInterp("height: 0 width: 3", "interp_param.height");
        refusedInterp("zoom_factor: 2 pad_beg: -2 pad_end: -2", "interp_param.pad_beg");
        refusedInterp("zoom_factor: 2 mode: NEAREST", "Interp (mode NEAREST)");
        ModelException e = assertThrows(ModelException.class, () -> load(input(1, 1, 4, 4) + input(1, 1, 2, 2)
                .replace("\"data\"", "\"ref\"") + "layer { name: \"i\" type: \"Interp\" bottom: \"data\" bottom: \"ref\" "
                + "top: \"i\" interp_param { zoom_factor: 2 } }\n"));
        assertTrue(e.getMessage().contains("bottom"), e.getMessage());
    }

    @Test
    void nearestUpsampleByHand() throws Exception {
        Graph g = load(input(1, 1, 2, 2) + "layer { name: \"u\" type: \"Upsample\" bottom: \"data\" top: \"u\" "
                + "upsample_param { scale: 3 } }\nlayer { name: \"one\" type: \"Upsample\" bottom: \"data\" top: \"one\" }\n");
        assertEquals(new NearestUpsample(3), node(g, "u").op());
        assertEquals(new NearestUpsample(1), node(g, "one").op());
        Map<String, HostTensor> y = run(g, new float[] {1, 2, 3, 4}, "u", "one");
        assertEquals(Shape.of(1, 1, 6, 6), y.get("u").shape());
        assertArrayEquals(new float[] {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
            3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}, y.get("u").data());
        assertArrayEquals(new float[] {1, 2, 3, 4}, y.get("one").data());
    }

    private String unpoolNet(int h, int w, String pool, String params) {
        return input(1, 1, h, w) + "layer { name: \"pool\" type: \"Pooling\" bottom: \"data\" top: \"pool\" top: \"mask\" "
                + "pooling_param { pool: MAX " + pool + " } }\n"
                + "layer { name: \"up\" type: \"Upsample\" bottom: \"pool\" bottom: \"mask\" top: \"up\" "
                + "upsample_param { " + params + " } }\n";
    }

    @Test
    void poolingMaskAndUnpoolingByHand() throws Exception {
        // 5x5 ramp, k2 s2 with ceil overhang: windows' maxima at rows/columns 1, 3, 4
        Graph g = load(unpoolNet(5, 5, "kernel_size: 2 stride: 2", "upsample_h: 5 upsample_w: 5"));
        assertTrue(node(g, "pool").op() instanceof MaxPoolMask);
        assertEquals(new MaxUnpool(0, 0, 0, 0, 5, 5), node(g, "up").op());
        Map<String, HostTensor> y = run(g, ramp(25), "pool", "mask", "up");
        assertArrayEquals(new float[] {6, 8, 9, 16, 18, 19, 21, 23, 24}, y.get("pool").data());
        assertArrayEquals(new float[] {6, 8, 9, 16, 18, 19, 21, 23, 24}, y.get("mask").data());
        float[] want = new float[25];
        for (int i : new int[] {6, 8, 9, 16, 18, 19, 21, 23, 24}) {
            want[i] = i;
        }
        assertArrayEquals(want, y.get("up").data());
        // the same size from scale 2 with pad_out on both axes: 3 * 2 - 1 = 5
        Graph pad = load(unpoolNet(5, 5, "kernel_size: 2 stride: 2", "scale: 2 pad_out_h: true pad_out_w: true"));
        assertEquals(Shape.of(1, 1, 5, 5), pad.shape("up"));
        assertArrayEquals(want, run(pad, ramp(25), "up").get("up").data());
        // pad_out on one axis only, SegNet's default scale 2: 5 x 6
        assertEquals(Shape.of(1, 1, 5, 6), load(unpoolNet(5, 5, "kernel_size: 2 stride: 2", "pad_out_h: true"))
                .shape("up"));
        // scale_h / scale_w: 3 * 2 by 3 * 3; odd upsample_h / upsample_w larger than the pooling's input
        assertEquals(Shape.of(1, 1, 6, 9), load(unpoolNet(5, 5, "kernel_size: 2 stride: 2",
                "scale_h: 2 scale_w: 3")).shape("up"));
        Graph odd = load(unpoolNet(5, 5, "kernel_size: 2 stride: 2", "upsample_h: 7 upsample_w: 9"));
        // the mask indexes rows of 5 (the pooling's input), so in a 7x9 plane index 6 is row 0, column 6
        float[] up = run(odd, ramp(25), "up").get("up").data();
        assertEquals(63, up.length);
        assertEquals(6f, up[6]);
        assertEquals(24f, up[24]);
        assertEquals(0f, up[5]);
    }

    @Test
    void maskTiesTakeTheFirstMaximumAndPadsNeverWin() throws Exception {
        // all equal: each window's first (top-left) cell; pad 1 with k3 s2: windows start at -1
        Graph g = load(unpoolNet(4, 4, "kernel_size: 3 stride: 2 pad: 1", "scale: 2"));
        float[] x = new float[16];
        java.util.Arrays.fill(x, -2f);
        Map<String, HostTensor> y = run(g, x, "pool", "mask", "up");
        // out = ceil((4 + 2 - 3) / 2) + 1 = 3, last window starts at 3 < 4 + 1: kept
        assertEquals(Shape.of(1, 1, 3, 3), g.shape("mask"));
        assertArrayEquals(new float[] {0, 1, 3, 4, 5, 7, 12, 13, 15}, y.get("mask").data());
        assertArrayEquals(new float[] {-2, -2, -2, -2, -2, -2, -2, -2, -2}, y.get("pool").data());
        // global pooling: one window over the plane, its maximum's position (the first of two 5s)
        Graph gl = load(input(1, 2, 2, 3) + "layer { name: \"pool\" type: \"Pooling\" bottom: \"data\" top: \"pool\" "
                + "top: \"mask\" pooling_param { pool: MAX global_pooling: true } }\n");
        Map<String, HostTensor> r = run(gl, new float[] {1, 5, 0, 5, 2, 3, 9, 0, 0, 0, 0, 9}, "pool", "mask");
        assertArrayEquals(new float[] {5, 9}, r.get("pool").data());
        assertArrayEquals(new float[] {1, 0}, r.get("mask").data());
    }

    @Test
    void unpoolingKeepsTheLaterValueAndChecksTheIndex() throws Exception {
        // k3 s1: overlapping windows share maxima; the later write wins (it is the same value then)
        Graph g = load(unpoolNet(3, 4, "kernel_size: 3 stride: 1 pad: 1", "upsample_h: 3 upsample_w: 4"));
        float[] x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 5, 6, 7, 0, 9, 10, 11},
                run(g, x, "up").get("up").data());
        // a mask from elsewhere that indexes beyond the plane: an error, as in the fork
        Graph bad = load(input(1, 1, 2, 2) + input(1, 1, 2, 2).replace("\"data\"", "\"mask\"")
                + "layer { name: \"up\" type: \"Upsample\" bottom: \"data\" bottom: \"mask\" top: \"up\" "
                + "upsample_param { scale: 2 } }\n");
        try (Engine e = Engines.create("reference", bad, EngineOptions.DEFAULT)) {
            Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(1, 1, 2, 2), new float[] {1, 2, 3, 4}),
                    "mask", new HostTensor(Shape.of(1, 1, 2, 2), new float[] {0, 5, 16, 3}));
            RuntimeException ex = assertThrows(RuntimeException.class, () -> e.run(in, List.of("up")));
            assertTrue(String.valueOf(ex.getMessage()).contains("16"), String.valueOf(ex.getMessage()));
        }
    }

    private void refusedUpsample(String net, String field) {
        ModelException e = assertThrows(ModelException.class, () -> load(net));
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    @Test
    void upsampleAndMaskRefusals() {
        String pool = "kernel_size: 2 stride: 2";
        refusedUpsample(unpoolNet(4, 4, pool, "upsample_h: 1 upsample_w: 4"), "upsample_param.upsample_h");
        refusedUpsample(unpoolNet(4, 4, pool, "scale: 1"), "upsample_param.scale");
        refusedUpsample(unpoolNet(4, 4, pool, "scale: 2 scale_h: 2 scale_w: 2"), "upsample_param.scale_h");
        refusedUpsample(unpoolNet(4, 4, pool, "scale_h: 2"), "upsample_param.scale_h");
        refusedUpsample(unpoolNet(4, 4, pool, "scale: 3 pad_out_h: true"), "upsample_param.pad_out_h");
        refusedUpsample(input(1, 1, 2, 2) + "layer { name: \"u\" type: \"Upsample\" bottom: \"data\" top: \"u\" "
                + "upsample_param { scale_h: 2 scale_w: 2 } }\n", "upsample_param");
        refusedUpsample(input(1, 1, 2, 2) + "layer { name: \"u\" type: \"Upsample\" bottom: \"data\" top: \"u\" "
                + "upsample_param { scale: 0 } }\n", "upsample_param.scale");
        refusedUpsample(input(1, 1, 4, 4) + "layer { name: \"p\" type: \"Pooling\" bottom: \"data\" top: \"p\" "
                + "top: \"m\" pooling_param { pool: AVE kernel_size: 2 stride: 2 } }\n", "top");
        refusedUpsample(input(1, 1, 4, 4) + "layer { name: \"p\" type: \"Pooling\" bottom: \"data\" top: \"p\" "
                + "pooling_param { pool: MAX kernel_size: 2 stride: 2 } }\nlayer { name: \"u\" type: \"Upsample\" "
                + "bottom: \"data\" bottom: \"p\" top: \"u\" }\n", "bottom");
    }

    private String dropoutNet(String paramStr) {
        return input(1, 2, 1, 3) + "layer { name: \"drop\" type: \"Python\" bottom: \"data\" top: \"drop\" "
                + "python_param { module: \"spatial_dropout\" layer: \"SpatialDropoutLayer\" param_str: \""
                + paramStr + "\" } }\n";
    }

    /**
     * ENet's spatial dropout (caffe-enet python/spatial_dropout.py): outside TRAIN, {@code top = bottom * scale_}
     * with {@code scale_ = 1. / (1. - p)} in double, applied to the float32 blob.
     */
    @Test
    void enetsSpatialDropoutScalesByOneOverOneMinusPAtTestTime() throws Exception {
        Graph g = load(dropoutNet("{'phase': 'TEST', 'p': '0.25'}"));
        float[] x = {1, -2, 3, 0.5f, 6, -9};
        float[] y = run(g, x, "drop").get("drop").data();
        float scale = (float) (1.0 / 0.75); // 4/3
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i] * scale, y[i], 0f, "element " + i);
        }
        assertEquals(4f, y[2], 1e-6f);
        // the published ENet value and an unquoted number parse the same way
        Graph enet = load(dropoutNet("{\\'phase\\': \\'TEST\\', \\'p\\': 0.01}"));
        assertEquals(new org.senet4j.ir.op.Power(1f, (float) (1 / 0.99), 0f), node(enet, "drop").op());
    }

    @Test
    void spatialDropoutRefusesTrainPhaseAndBadP() {
        for (String[] c : new String[][] {
            {"{'phase': 'TRAIN', 'p': '0.1'}", "'phase': 'TRAIN'"},
            {"{'phase': 'TEST', 'p': '1'}", "between 0 and 1"},
            {"{'phase': 'TEST', 'p': 'x'}", "must be a number"},
            {"{'p': '0.1'}", "needs 'phase' and 'p'"},
            {"{'phase': 'TEST', 'p': '0.1', 'q': 2}", "unknown key(s) [q]"}}) {
            ModelException e = assertThrows(ModelException.class, () -> load(dropoutNet(c[0])), c[0]);
            for (String part : List.of("\"drop\"", "Python", "python_param.param_str", c[1])) {
                assertTrue(e.getMessage().contains(part), c[0] + ": " + e.getMessage());
            }
        }
    }
}
