package org.senet4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Pooling;
import org.senet4j.onnx.proto.ModelProto;
import org.senet4j.onnx.proto.NodeProto;

/** Caffe's pooling rules (ceil rounding, dropped last window, AVE divisor clipped to the padded input) in ONNX. */
class PoolingExportTest {
    @TempDir
    Path dir;

    private static String input(int c, int h, int w) {
        return "layer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape { dim: 1 dim: " + c
                + " dim: " + h + " dim: " + w + " } } }\n";
    }

    private static String pool(String name, String method, int kh, int kw, int sh, int sw, int ph, int pw,
                               boolean floor) {
        return "layer { name: \"" + name + "\" type: \"Pooling\" bottom: \"data\" top: \"" + name + "\" pooling_param {"
                + " pool: " + method + " kernel_h: " + kh + " kernel_w: " + kw + " stride_h: " + sh + " stride_w: " + sw
                + " pad_h: " + ph + " pad_w: " + pw + (floor ? " round_mode: FLOOR" : "") + " } }\n";
    }

    @Test
    void cornerCases() throws Exception {
        String net = "name: \"corners\"\n" + input(2, 6, 6)
                + pool("max_overhang_pad", "MAX", 3, 3, 2, 2, 1, 1, false)        // 4x4, end pad 2 > 1
                + pool("ave_overhang_pad", "AVE", 3, 3, 2, 2, 1, 1, false)        // Pad + count_include_pad 0
                + pool("ave_overhang", "AVE", 3, 3, 2, 2, 0, 0, false)            // ceil overhang, no padding
                + pool("max_overhang", "MAX", 3, 3, 2, 2, 0, 0, false)
                + pool("ave_same", "AVE", 3, 3, 1, 1, 1, 1, false)                // count_include_pad 1
                + pool("ave_dropped", "AVE", 3, 2, 2, 3, 2, 1, false)             // last window dropped (H)
                + pool("max_dropped", "MAX", 3, 2, 2, 3, 2, 1, false)
                + pool("ave_floor", "AVE", 3, 3, 2, 2, 1, 1, true)
                + pool("max_floor", "MAX", 2, 3, 2, 2, 0, 1, true)
                + pool("ave_mixed", "AVE", 2, 3, 2, 2, 0, 1, false)               // overhang on one axis only
                + "layer { name: \"gmax\" type: \"Pooling\" bottom: \"data\" top: \"gmax\" pooling_param { pool: MAX"
                + " global_pooling: true } }\n"
                + "layer { name: \"gave\" type: \"Pooling\" bottom: \"data\" top: \"gave\" pooling_param { pool: AVE"
                + " global_pooling: true } }\n";
        Graph g = Parity.check(dir, net, 11, 1, 3);
        assertEquals(Shape.of(1, 2, 4, 4), g.shape("max_overhang_pad"));
        assertEquals(Shape.of(1, 2, 4, 3), g.shape("ave_dropped")); // 5 rows by the ceil rule, the last dropped
        ModelProto m = ModelProto.parseFrom(OnnxExporter.export(g, ExportOptions.DEFAULT));
        assertEquals(List.of(1L, 1L, 2L, 2L), attr(node(m, "max_overhang_pad"), "pads"));
        assertEquals("Pad", node(m, "ave_overhang_pad/Pad").getOpType());
        assertEquals(List.of(0L, 0L, 1L, 1L), attr(node(m, "ave_overhang_pad"), "pads"));
        assertEquals(List.of(0L), List.of(node(m, "ave_overhang_pad").getAttributeList().stream()
                .filter(a -> a.getName().equals("count_include_pad")).findFirst().orElseThrow().getI()));
        assertEquals(List.of(1L, 1L, 1L, 1L), attr(node(m, "ave_same"), "pads"));
        assertEquals("GlobalAveragePool", node(m, "gave").getOpType());
    }

    @Test
    void seResNetPool1() throws Exception {
        // 112x112, kernel 3, stride 2, no pad: 56 in Caffe (ceil), 55 with floor rounding
        String net = "name: \"pool1\"\n" + input(2, 112, 112)
                + pool("pool1", "MAX", 3, 3, 2, 2, 0, 0, false)
                + pool("pool1_ave", "AVE", 3, 3, 2, 2, 0, 0, false);
        Graph g = Parity.check(dir, net, 12, 1, 2);
        assertEquals(Shape.of(1, 2, 56, 56), g.shape("pool1"));
    }

    /** A seeded sweep of kernel, stride, pad, rounding and input sizes, every layer checked against the reference. */
    @Test
    void randomSweep() throws Exception {
        Random r = new Random(2024);
        int[][] sizes = {{7, 7}, {6, 9}, {5, 8}, {13, 11}, {2, 3}};
        for (int[] hw : sizes) {
            StringBuilder net = new StringBuilder("name: \"sweep_" + hw[0] + "x" + hw[1] + "\"\n")
                    .append(input(2, hw[0], hw[1]));
            int layers = 0;
            for (int i = 0; i < 60; i++) {
                int kh = 1 + r.nextInt(4);
                int kw = 1 + r.nextInt(4);
                int sh = 1 + r.nextInt(3);
                int sw = 1 + r.nextInt(3);
                int ph = r.nextInt(kh);
                int pw = r.nextInt(kw);
                boolean floor = r.nextInt(4) == 0;
                boolean max = r.nextBoolean();
                Pooling p = new Pooling(max ? Pooling.Method.MAX : Pooling.Method.AVE, kh, kw, sh, sw, ph, pw, false,
                        !floor);
                if (hw[0] + 2 * ph < kh || hw[1] + 2 * pw < kw) {
                    continue;
                }
                int[] o = p.outputSize(hw[0], hw[1]);
                if (!max && ((o[0] - 1) * sh - ph >= hw[0] + ph || (o[1] - 1) * sw - pw >= hw[1] + pw)) {
                    continue; // Caffe divides by a window size <= 0 there; see aveWindowBeyondTheInputIsRejected
                }
                net.append(pool("p" + i, max ? "MAX" : "AVE", kh, kw, sh, sw, ph, pw, floor));
                layers++;
            }
            assertTrue(layers > 30);
            Parity.check(dir, net.toString(), 13 + hw[0], 1, 2);
        }
    }

    @Test
    void maxWindowBeyondTheInputGivesMinusFltMax() throws Exception {
        // no padding, stride > kernel: the ceil rule adds a window starting beyond the input, which Caffe fills with
        // -FLT_MAX; ONNX gets an explicit -FLT_MAX Pad instead of an end pad of the kernel's size
        String net = "name: \"beyond\"\n" + input(1, 5, 5) + pool("p", "MAX", 1, 1, 3, 3, 0, 0, false);
        Graph g = Parity.check(dir, net, 14, 1, 2);
        assertEquals(Shape.of(1, 1, 3, 3), g.shape("p"));
        byte[] model = OnnxExporter.export(g, ExportOptions.DEFAULT);
        try (var s = OrtSupport.session(model, 1)) {
            float[] x = OrtSupport.uniform(25, 1);
            float[] y = OrtSupport.run(s, Map.of("data", x), Map.of("data", g.shape("data")), null).values().get("p");
            assertEquals(-Float.MAX_VALUE, y[2]);
            assertEquals(-Float.MAX_VALUE, y[8]);
            assertEquals(x[3], y[1]);
        }
        assertEquals("Pad", node(ModelProto.parseFrom(model), "p/Pad").getOpType());
    }

    @Test
    void kernelsLargerThanAPlaceholderInputExportAsCaffeComputesThem() throws Exception {
        // OpenPose's 1x1 placeholder input through 2x2/2 pooling: Caffe's size rule gives 1x1, one clipped window
        String net = "name: \"placeholder\"\n" + input(3, 1, 1) + pool("max_big", "MAX", 2, 2, 2, 2, 0, 0, false)
                + pool("ave_big", "AVE", 2, 2, 2, 2, 0, 0, false).replace("bottom: \"data\"", "bottom: \"max_big\"")
                + pool("max_pad", "MAX", 3, 3, 1, 1, 1, 1, false).replace("bottom: \"data\"", "bottom: \"ave_big\"");
        Graph g = Parity.check(dir, net, 15, 1, 2);
        assertEquals(Shape.of(1, 3, 1, 1), g.shape("ave_big"));
        assertEquals(Shape.of(1, 3, 1, 1), g.shape("max_pad"));
    }

    @Test
    void aveWindowBeyondTheInputIsRejected() throws Exception {
        String net = "name: \"beyond\"\n" + input(1, 5, 5) + pool("p", "AVE", 1, 1, 3, 3, 0, 0, false);
        Graph g = OrtSupport.load(dir, net, 1, 1f);
        ModelException e = assertThrows(ModelException.class, () -> OnnxExporter.export(g, ExportOptions.DEFAULT));
        assertEquals("p", e.layer());
        assertTrue(e.getMessage().contains("beyond the padded input"), e.getMessage());
    }

    @Test
    void planEndPads() throws Exception {
        // 112, k3 s2 p0 -> 56: end pad 1 (ceil overhang, no padding)
        assertEquals(1, PoolingPlan.endPad(112, 3, 2, 0, 56));
        // floor rounding keeps the symmetric pad
        assertEquals(1, PoolingPlan.endPad(6, 3, 2, 1, 3));
        PoolingPlan max = PoolingPlan.of(new Pooling(Pooling.Method.MAX, 3, 3, 2, 2, 0, 0, false, true), 112, 112,
                56, 56);
        assertNull(max.prePad());
        assertArrayEquals(new int[] {0, 0, 1, 1}, max.pads());
        PoolingPlan ave = PoolingPlan.of(new Pooling(Pooling.Method.AVE, 3, 3, 1, 1, 1, 1, false, true), 7, 7, 7, 7);
        assertTrue(ave.countIncludePad());
        assertNull(ave.prePad());
    }

    private static NodeProto node(ModelProto m, String name) {
        return m.getGraph().getNodeList().stream().filter(n -> n.getName().equals(name)).findFirst().orElseThrow();
    }

    private static List<Long> attr(NodeProto n, String name) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst().orElseThrow()
                .getIntsList();
    }
}
