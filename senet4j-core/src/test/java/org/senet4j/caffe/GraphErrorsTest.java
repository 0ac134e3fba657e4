package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;

/**
 * Nets that parse but cannot be built: shapes that do not fit, zero or negative dimensions, kernels larger than their
 * input, axes out of range, arithmetic that would overflow. Each is a ModelException naming the file, the layer, its
 * type and (where there is one) the field; {@link ImporterErrorsTest} covers cycles, missing bottoms, duplicate tops
 * and Eltwise shapes.
 */
class GraphErrorsTest {
    @TempDir
    Path dir;

    private static String input(int... dims) {
        StringBuilder sb = new StringBuilder("layer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape {");
        for (int d : dims) {
            sb.append(" dim: ").append(d);
        }
        return sb.append(" } } }\n").toString();
    }

    private static final String INPUT = input(1, 3, 8, 8);

    /** Loading {@code text} fails naming the file, layer {@code layer} of {@code type}, and containing {@code parts}. */
    private ModelException fails(String text, String layer, String type, String... parts) throws Exception {
        Path p = Fixtures.write(dir, "net.prototxt", text);
        ModelException e = assertThrows(ModelException.class, () -> CaffeImporter.load(p, null));
        assertEquals(p, e.file(), e.getMessage());
        assertEquals(layer, e.layer(), e.getMessage());
        assertEquals(type, e.layerType(), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "\"" + part + "\" missing from: " + e.getMessage());
        }
        return e;
    }

    private static String layer(String name, String type, String bottoms, String top, String params) {
        StringBuilder sb = new StringBuilder("layer { name: \"" + name + "\" type: \"" + type + "\"");
        for (String b : bottoms.split(" ")) {
            if (!b.isEmpty()) {
                sb.append(" bottom: \"").append(b).append('"');
            }
        }
        if (!top.isEmpty()) {
            sb.append(" top: \"").append(top).append('"');
        }
        return sb.append(' ').append(params).append(" }\n").toString();
    }

    private static final String POOL_HALF = layer("half", "Pooling", "data", "half",
            "pooling_param { pool: MAX kernel_size: 2 stride: 2 }");

    @Test
    void concatShapesMustAgreeOutsideTheAxis() throws Exception {
        ModelException e = fails(INPUT + POOL_HALF + layer("cat", "Concat", "data half", "cat", ""),
                "cat", "Concat", "bottom[1]", "differs from bottom[0]", "outside the concatenation axis 1");
        assertEquals("bottom[1]", e.field());
        fails(INPUT + layer("flat", "Flatten", "data", "flat", "") + layer("cat", "Concat", "data flat", "cat", ""),
                "cat", "Concat", "different number of axes");
        fails(INPUT + layer("cat", "Concat", "data data", "cat", "concat_param { axis: 4 }"), "cat", "Concat",
                "concat_param.axis", "out of range");
        fails(INPUT + layer("cat", "Concat", "data data", "cat", "concat_param { concat_dim: 7 }"), "cat", "Concat",
                "concat_param.concat_dim");
    }

    @Test
    void axpyShapesMustFit() throws Exception {
        String pool = layer("gap", "Pooling", "data", "gap", "pooling_param { pool: AVE global_pooling: true }");
        // the scale a must be N x C (x 1 x 1) of X
        fails(INPUT + POOL_HALF + layer("ax", "Axpy", "half data data", "ax", ""), "ax", "Axpy", "bottom[0]",
                "must be N x C or N x C x 1 x 1");
        String gap4 = layer("c4", "Convolution", "gap", "c4", "convolution_param { num_output: 4 kernel_size: 1 }");
        fails(INPUT + pool + gap4 + layer("ax", "Axpy", "c4 data data", "ax", ""), "ax", "Axpy", "bottom[0]",
                "must match the first two dimensions of X");
        fails(INPUT + pool + POOL_HALF + layer("ax", "Axpy", "gap data half", "ax", ""), "ax", "Axpy", "bottom[2]",
                "must have the same shape");
        fails(INPUT + pool + layer("ax", "Axpy", "gap data", "ax", ""), "ax", "Axpy", "expected 3 inputs, got 2");
    }

    @Test
    void zeroAndNegativeDimensions() throws Exception {
        fails(input(1, 0, 8, 8), "data", "Input", "input_param.shape", "dimension 1 is 0");
        fails(input(1, 3, -8, 8), "data", "Input", "input_param.shape", "dimension 2 is -8");
        ModelException e = fails("input: \"data\" input_dim: 1 input_dim: 3 input_dim: 0 input_dim: 8\n"
                + layer("r", "ReLU", "data", "r", ""), "input", "Input", "input_dim", "0");
        assertTrue(e.getMessage().contains("\"data\""), e.getMessage());
        fails("input: \"data\" input_shape { dim: 1 dim: -2 }\n" + layer("r", "ReLU", "data", "r", ""), "input",
                "Input", "input_shape", "-2");
        fails(INPUT + layer("r", "Reshape", "data", "r", "reshape_param { shape { dim: 0 dim: -2 dim: 64 } }"),
                "r", "Reshape", "reshape_param.shape", "-2");
        fails(INPUT + layer("r", "Reshape", "data", "r", "reshape_param { shape { dim: -1 dim: -1 } }"),
                "r", "Reshape", "reshape_param.shape", "more than one dimension is -1");
        fails(INPUT + layer("r", "Reshape", "data", "r", "reshape_param { shape { dim: 0 dim: 5 dim: -1 } }"),
                "r", "Reshape", "reshape_param.shape", "cannot infer");
        fails(INPUT + layer("c", "Convolution", "data", "c", "convolution_param { num_output: 0 kernel_size: 3 }"),
                "c", "Convolution", "convolution_param.num_output", "must be positive, got 0");
        fails(INPUT + layer("ip", "InnerProduct", "data", "ip", "inner_product_param { num_output: 0 }"),
                "ip", "InnerProduct", "inner_product_param.num_output", "must be positive");
        fails(INPUT + layer("c", "Convolution", "data", "c", "convolution_param { num_output: 2 kernel_size: 0 }"),
                "c", "Convolution", "convolution_param.kernel_size", "must be positive");
        fails(INPUT + layer("c", "Convolution", "data", "c",
                "convolution_param { num_output: 2 kernel_size: 3 stride: 0 }"), "c", "Convolution",
                "convolution_param.stride");
        fails(INPUT + layer("p", "Pooling", "data", "p", "pooling_param { kernel_size: 2 stride: 0 }"),
                "p", "Pooling", "pooling_param.stride");
        fails(INPUT + layer("d", "DummyData", "", "d", "dummy_data_param { shape { dim: 2 dim: 0 } }"),
                "d", "DummyData", "dummy_data_param.shape");
        fails(INPUT + layer("s", "Slice", "data", "s", "slice_param { axis: 1 slice_point: 0 }")
                .replace("top: \"s\"", "top: \"s1\" top: \"s2\""), "s", "Slice", "slice_param.slice_point");
    }

    @Test
    void kernelLargerThanThePaddedInput() throws Exception {
        ModelException e = fails(INPUT + layer("c", "Convolution", "data", "c",
                "convolution_param { num_output: 2 kernel_size: 11 pad: 1 }"), "c", "Convolution",
                "kernel 11x11", "larger than the padded input 10x10");
        assertEquals("convolution_param.kernel_size", e.field());
        fails(INPUT + layer("c", "Convolution", "data", "c",
                "convolution_param { num_output: 2 kernel_size: 3 dilation: 4 }"), "c", "Convolution",
                "dilation 4x4", "larger than the padded input");
        fails(INPUT + layer("p", "Pooling", "data", "p", "pooling_param { pool: MAX kernel_size: 9 }"), "p",
                "Pooling", "pooling_param.kernel_size", "kernel 9x9 on the padded input 8x8 gives an empty 0x0 output");
        fails(INPUT + layer("p", "Pooling", "data", "p",
                "pooling_param { pool: AVE kernel_h: 2 kernel_w: 11 pad_h: 0 pad_w: 1 }"), "p", "Pooling",
                "on the padded input 8x10 gives an empty");
        fails(INPUT + layer("p", "Pooling", "data", "p", "pooling_param { pool: MAX kernel_size: 3 pad: 3 }"), "p",
                "Pooling", "pooling_param.pad", "must be smaller than the kernel");
    }

    @Test
    void groupMustDivideChannelsAndOutputs() throws Exception {
        ModelException e = fails(INPUT + layer("c", "Convolution", "data", "c",
                "convolution_param { num_output: 4 kernel_size: 1 group: 2 }"), "c", "Convolution",
                "input channels 3 are not divisible by group 2");
        assertEquals("convolution_param.group", e.field());
        fails(input(1, 4, 8, 8) + layer("c", "Convolution", "data", "c",
                "convolution_param { num_output: 3 kernel_size: 1 group: 2 }"), "c", "Convolution",
                "num_output 3 is not divisible by group 2");
        fails(INPUT + layer("c", "Convolution", "data", "c",
                "convolution_param { num_output: 3 kernel_size: 1 group: 0 }"), "c", "Convolution",
                "convolution_param.group", "must be positive");
    }

    @Test
    void axesOutOfRange() throws Exception {
        ModelException e = fails(INPUT + layer("ip", "InnerProduct", "data", "ip",
                "inner_product_param { num_output: 2 axis: 4 }"), "ip", "InnerProduct", "axis 4 out of range");
        assertEquals("inner_product_param.axis", e.field());
        fails(INPUT + layer("ip", "InnerProduct", "data", "ip", "inner_product_param { num_output: 2 axis: -5 }"),
                "ip", "InnerProduct", "inner_product_param.axis");
        fails(INPUT + layer("s", "Softmax", "data", "s", "softmax_param { axis: 4 }"), "s", "Softmax",
                "softmax_param.axis");
        fails(INPUT + layer("f", "Flatten", "data", "f", "flatten_param { axis: 2 end_axis: 1 }"), "f", "Flatten",
                "flatten_param.end_axis", "precedes");
        fails(INPUT + layer("sc", "Scale", "data", "sc", "scale_param { axis: 2 num_axes: 3 }"), "sc", "Scale",
                "scale_param.num_axes", "exceeds");
        fails(INPUT + layer("c", "Convolution", "data", "c",
                "convolution_param { num_output: 2 kernel_size: 1 axis: 2 }"), "c", "Convolution",
                "convolution_param.axis");
    }

    @Test
    void shapeArithmeticThatWouldOverflowIsAnError() throws Exception {
        ModelException e = fails(input(1, 65536, 65536, 2), "data", "Input", "1x65536x65536x2",
                "holds more than 2147483647 values");
        assertEquals("top[0]", e.field());
        fails(INPUT + layer("ip", "InnerProduct", "data", "ip", "inner_product_param { num_output: 2000000000 }"),
                "ip", "InnerProduct", "more than 2147483647 values");
        fails(input(1, 2000000000, 1, 1) + layer("cat", "Concat", "data data", "cat", ""), "cat", "Concat",
                "concatenated axis 1 of 4000000000 is too large");
        fails(INPUT + layer("r", "Reshape", "data", "r", "reshape_param { shape { dim: 65536 dim: 65536 } }"), "r",
                "Reshape", "reshape_param.shape", "more than 2147483647 values");
        fails(INPUT + layer("r", "Reshape", "data", "r", "reshape_param { shape { dim: -1 } num_axes: -2 }"), "r",
                "Reshape", "reshape_param.num_axes");
        fails(INPUT + layer("c", "Convolution", "data", "c",
                "convolution_param { num_output: 2 kernel_size: 3 pad: 1500000000 }"), "c", "Convolution",
                "output plane 3000000006x3000000006 is too large");
        fails(INPUT + layer("c", "Convolution", "data", "c",
                "convolution_param { num_output: 2 kernel_size: 1500000000 dilation: 1500000000 }"), "c",
                "Convolution", "larger than the padded input 8x8");
        fails(INPUT + layer("p", "Pooling", "data", "p",
                "pooling_param { pool: MAX kernel_size: 2000000000 pad: 1999999999 }"), "p", "Pooling",
                "holds more than 2147483647 values");
        fails(INPUT + layer("p", "Pooling", "data", "p",
                "pooling_param { pool: MAX kernel_size: 2147483647 pad: 2147483646 }"), "p", "Pooling",
                "output plane 2147483654x2147483654 is too large");
        fails(INPUT + layer("s", "Split", "data", "", ""), "s", "Split", "needs at least one top");
    }
}
