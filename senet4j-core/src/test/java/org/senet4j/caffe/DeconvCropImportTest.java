package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.engine.ref.ReferenceKernels;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Crop;
import org.senet4j.ir.op.Deconvolution;

/** Deconvolution and Crop: Caffe's shape rules and checks worked out by hand, errors naming the field. */
class DeconvCropImportTest {
    @TempDir
    Path dir;

    private static final String INPUT = "layer { name: \"data\" type: \"Input\" top: \"data\" "
            + "input_param { shape { dim: 1 dim: 4 dim: 7 dim: 6 } } }\n"
            + "layer { name: \"ref\" type: \"Input\" top: \"ref\" "
            + "input_param { shape { dim: 1 dim: 2 dim: 5 dim: 3 } } }\n";

    private Graph load(String layers) throws Exception {
        return CaffeImporter.load(Fixtures.write(dir, "net.prototxt", INPUT + layers), null).graph();
    }

    private ModelException fail(String layers) throws Exception {
        Path p = Fixtures.write(dir, "net.prototxt", INPUT + layers);
        return assertThrows(ModelException.class, () -> CaffeImporter.load(p, null));
    }

    private static String deconv(String param) {
        return "layer { name: \"up\" type: \"Deconvolution\" bottom: \"data\" top: \"up\" convolution_param { "
                + param + " } }\n";
    }

    private static String crop(String bottom, String param) {
        return "layer { name: \"crop\" type: \"Crop\" bottom: \"" + bottom + "\" bottom: \"ref\" top: \"crop\" "
                + "crop_param { " + param + " } }\n";
    }

    @Test
    void deconvolutionShapesFollowCaffe() throws Exception {
        // s (in - 1) + d (k - 1) + 1 - 2 p: H 2*6 + 1*2 + 1 - 2 = 13, W 1*5 + 1 + 1 - 0 = 7
        Graph g = load(deconv("num_output: 6 kernel_h: 3 kernel_w: 2 stride_h: 2 stride_w: 1 pad_h: 1 group: 2"));
        assertEquals(Shape.of(1, 6, 13, 7), g.shape("up"));
        Deconvolution d = (Deconvolution) g.node("up").op();
        assertEquals(Shape.of(4, 3, 3, 2), d.weight().shape(), "weight (C_in, num_output/group, kh, kw)");
        assertEquals(Shape.of(6), d.bias().shape());
        // FCN's 2x upsampling: k4 s2 p1 doubles; dilation 2 k3 (extent 5) p1 on 7x6: 6 + 5 - 2 = 9, 5 + 5 - 2 = 8
        assertEquals(Shape.of(1, 8, 14, 12), load(deconv("num_output: 8 kernel_size: 4 stride: 2 pad: 1"))
                .shape("up"));
        assertEquals(Shape.of(1, 2, 9, 8), load(deconv("num_output: 2 kernel_size: 3 dilation: 2 pad: 1 "
                + "bias_term: false")).shape("up"));
        assertEquals(null, ((Deconvolution) load(deconv("num_output: 2 kernel_size: 1 bias_term: false"))
                .node("up").op()).bias());
    }

    @Test
    void deconvolutionErrorsNameTheField() throws Exception {
        ModelException e = fail(deconv("num_output: 6 kernel_size: 2 group: 3"));
        assertEquals("convolution_param.group", e.field(), e.getMessage());
        assertTrue(e.getMessage().contains("layer \"up\" (Deconvolution)") && e.getMessage().contains("group 3"),
                e.getMessage());
        assertEquals("convolution_param.num_output", fail(deconv("kernel_size: 2")).field());
        assertEquals("convolution_param.kernel_size", fail(deconv("num_output: 2")).field());
        ModelException pad = fail(deconv("num_output: 2 kernel_size: 2 pad: 5"));
        assertEquals("convolution_param.pad", pad.field(), pad.getMessage());
        assertEquals("convolution_param.stride_h", fail(deconv("num_output: 2 kernel_size: 2 stride_h: 2")).field());
    }

    @Test
    void deconvolutionScattersTheKernel() {
        // 2x2 input 1 2 / 3 4, kernel 1 10 / 100 1000, stride 1: the centre sums four products
        Deconvolution d = new Deconvolution(1, 2, 2, 1, 1, 0, 0, 1, 1, 1,
                Tensor.of(Shape.of(1, 1, 2, 2), new float[] {1, 10, 100, 1000}), null);
        float[] y = ReferenceKernels.run(d, List.of(Shape.of(1, 1, 2, 2)), List.of(new float[] {1, 2, 3, 4}),
                List.of(Shape.of(1, 1, 3, 3))).get(0);
        assertArrayEquals(new float[] {1, 12, 20, 103, 1234, 2040, 300, 3400, 4000}, y);
        // stride 2, pad 1: a 2x2 window of the 4x4 tiling of the kernel copies
        Deconvolution s = new Deconvolution(1, 2, 2, 2, 2, 1, 1, 1, 1, 1, d.weight(), Tensor.of(Shape.of(1),
                new float[] {0.5f}));
        float[] z = ReferenceKernels.run(s, List.of(Shape.of(1, 1, 2, 2)), List.of(new float[] {1, 2, 3, 4}),
                List.of(Shape.of(1, 1, 2, 2))).get(0);
        assertArrayEquals(new float[] {1000.5f, 200.5f, 30.5f, 4.5f}, z);
    }

    @Test
    void cropShapesFollowCaffe() throws Exception {
        assertEquals(Shape.of(1, 4, 5, 3), load(crop("data", "offset: 2")).shape("crop"));
        assertEquals(Shape.of(1, 4, 5, 3), load(crop("data", "axis: 2 offset: 1 offset: 3")).shape("crop"));
        assertEquals(Shape.of(1, 2, 5, 3), load(crop("data", "axis: 1 offset: 2")).shape("crop"));
        assertEquals(Shape.of(1, 4, 7, 3), load(crop("data", "axis: -1 offset: 3")).shape("crop"));
        assertEquals(Shape.of(1, 4, 5, 3), load(crop("data", "")).shape("crop"));
        Crop c = (Crop) load(crop("data", "axis: -2 offset: 1 offset: 3")).node("crop").op();
        assertEquals(2, c.axis());
        assertArrayEquals(new int[] {0, 0, 1, 3}, c.starts(4));
        // the axes before axis are not compared (HED crops a 1-channel map against the 3-channel image)
        assertEquals(Shape.of(1, 1, 5, 3), load("layer { name: \"one\" type: \"Convolution\" bottom: \"data\" "
                + "top: \"one\" convolution_param { num_output: 1 kernel_size: 1 } }\n" + crop("one", ""))
                .shape("crop"));
    }

    @Test
    void cropErrorsNameTheField() throws Exception {
        ModelException big = fail(crop("data", "axis: 2 offset: 2 offset: 4"));
        assertEquals("crop_param.offset", big.field(), big.getMessage());
        assertTrue(big.getMessage().contains("axis 3: offset 4 + size 3 exceeds the input's 6"), big.getMessage());
        ModelException count = fail(crop("data", "axis: 1 offset: 1 offset: 1"));
        assertEquals("crop_param.offset", count.field(), count.getMessage());
        assertTrue(count.getMessage().contains("expected 1 offset or one per axis from 1 on (3), got 2"),
                count.getMessage());
        assertEquals("crop_param.axis", fail(crop("data", "axis: 4")).field());
        assertEquals("crop_param.axis", fail(crop("data", "axis: -5")).field());
        ModelException one = fail("layer { name: \"crop\" type: \"Crop\" bottom: \"data\" top: \"crop\" }\n");
        assertEquals("bottom", one.field(), one.getMessage());
    }

    @Test
    void cropCopiesTheWindow() {
        float[] x = new float[12];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        Crop c = new Crop(2, List.of(1, 2));
        float[] y = ReferenceKernels.run(c, List.of(Shape.of(1, 1, 3, 4), Shape.of(1, 1, 2, 2)),
                List.of(x, new float[4]), List.of(Shape.of(1, 1, 2, 2))).get(0);
        assertArrayEquals(new float[] {6, 7, 10, 11}, y);
        float[] ch = ReferenceKernels.run(new Crop(1, List.of(1)), List.of(Shape.of(1, 3, 2, 2),
                Shape.of(1, 1, 1, 1)), List.of(x, new float[1]), List.of(Shape.of(1, 1, 1, 1))).get(0);
        assertArrayEquals(new float[] {7}, ch);
    }
}
