package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.BlobProto;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.caffe.proto.V0LayerParameter;
import org.senet4j.caffe.proto.V1LayerParameter;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.InnerProduct;

/** V0 nets ({@code layers { layer { type: "conv" ... } }}) upgraded as Caffe's upgrade_proto does. */
class NetUpgraderV0Test {
    @TempDir
    Path dir;

    /** CaffeNet as it was written before 2014: padding layers, V0 type strings and field names. */
    static final String CAFFENET_V0 = """
            name: "CaffeNet"
            input: "data"
            input_dim: 10 input_dim: 3 input_dim: 227 input_dim: 227
            layers { layer { name: "conv1" type: "conv" num_output: 96 kernelsize: 11 stride: 4
                             weight_filler { type: "gaussian" std: 0.01 } bias_filler { type: "constant" value: 0 }
                             blobs_lr: 1 blobs_lr: 2 weight_decay: 1 weight_decay: 0 }
                     bottom: "data" top: "conv1" }
            layers { layer { name: "relu1" type: "relu" } bottom: "conv1" top: "conv1" }
            layers { layer { name: "pool1" type: "pool" pool: MAX kernelsize: 3 stride: 2 }
                     bottom: "conv1" top: "pool1" }
            layers { layer { name: "norm1" type: "lrn" local_size: 5 alpha: 0.0001 beta: 0.75 }
                     bottom: "pool1" top: "norm1" }
            layers { layer { name: "pad2" type: "padding" pad: 2 } bottom: "norm1" top: "pad2" }
            layers { layer { name: "conv2" type: "conv" num_output: 256 group: 2 kernelsize: 5
                             blobs_lr: 1 blobs_lr: 2 weight_decay: 1 weight_decay: 0 }
                     bottom: "pad2" top: "conv2" }
            layers { layer { name: "relu2" type: "relu" } bottom: "conv2" top: "conv2" }
            layers { layer { name: "pool2" type: "pool" pool: MAX kernelsize: 3 stride: 2 }
                     bottom: "conv2" top: "pool2" }
            layers { layer { name: "norm2" type: "lrn" local_size: 5 alpha: 0.0001 beta: 0.75 }
                     bottom: "pool2" top: "norm2" }
            layers { layer { name: "pad3" type: "padding" pad: 1 } bottom: "norm2" top: "pad3" }
            layers { layer { name: "conv3" type: "conv" num_output: 384 kernelsize: 3 } bottom: "pad3" top: "conv3" }
            layers { layer { name: "relu3" type: "relu" } bottom: "conv3" top: "conv3" }
            layers { layer { name: "pad4" type: "padding" pad: 1 } bottom: "conv3" top: "pad4" }
            layers { layer { name: "conv4" type: "conv" num_output: 384 group: 2 kernelsize: 3 }
                     bottom: "pad4" top: "conv4" }
            layers { layer { name: "relu4" type: "relu" } bottom: "conv4" top: "conv4" }
            layers { layer { name: "pad5" type: "padding" pad: 1 } bottom: "conv4" top: "pad5" }
            layers { layer { name: "conv5" type: "conv" num_output: 256 group: 2 kernelsize: 3 }
                     bottom: "pad5" top: "conv5" }
            layers { layer { name: "relu5" type: "relu" } bottom: "conv5" top: "conv5" }
            layers { layer { name: "pool5" type: "pool" pool: MAX kernelsize: 3 stride: 2 }
                     bottom: "conv5" top: "pool5" }
            layers { layer { name: "fc6" type: "innerproduct" num_output: 4096
                             weight_filler { type: "gaussian" std: 0.005 } bias_filler { type: "constant" value: 1 } }
                     bottom: "pool5" top: "fc6" }
            layers { layer { name: "relu6" type: "relu" } bottom: "fc6" top: "fc6" }
            layers { layer { name: "drop6" type: "dropout" dropout_ratio: 0.5 } bottom: "fc6" top: "fc6" }
            layers { layer { name: "fc7" type: "innerproduct" num_output: 4096 } bottom: "fc6" top: "fc7" }
            layers { layer { name: "relu7" type: "relu" } bottom: "fc7" top: "fc7" }
            layers { layer { name: "drop7" type: "dropout" dropout_ratio: 0.5 } bottom: "fc7" top: "fc7" }
            layers { layer { name: "fc8" type: "innerproduct" num_output: 1000 } bottom: "fc7" top: "fc8" }
            layers { layer { name: "prob" type: "softmax" } bottom: "fc8" top: "prob" }
            """;

    /** The same net written by hand in today's form. */
    static final String CAFFENET_MODERN = """
            name: "CaffeNet"
            layer { name: "input" type: "Input" top: "data"
                    input_param { shape { dim: 10 dim: 3 dim: 227 dim: 227 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    param { lr_mult: 1 decay_mult: 1 } param { lr_mult: 2 decay_mult: 0 }
                    convolution_param { num_output: 96 kernel_size: 11 stride: 4
                        weight_filler { type: "gaussian" std: 0.01 } bias_filler { type: "constant" value: 0 } } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"
                    pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
            layer { name: "norm1" type: "LRN" bottom: "pool1" top: "norm1"
                    lrn_param { local_size: 5 alpha: 0.0001 beta: 0.75 } }
            layer { name: "conv2" type: "Convolution" bottom: "norm1" top: "conv2"
                    param { lr_mult: 1 decay_mult: 1 } param { lr_mult: 2 decay_mult: 0 }
                    convolution_param { num_output: 256 pad: 2 kernel_size: 5 group: 2 } }
            layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }
            layer { name: "pool2" type: "Pooling" bottom: "conv2" top: "pool2"
                    pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
            layer { name: "norm2" type: "LRN" bottom: "pool2" top: "norm2"
                    lrn_param { local_size: 5 alpha: 0.0001 beta: 0.75 } }
            layer { name: "conv3" type: "Convolution" bottom: "norm2" top: "conv3"
                    convolution_param { num_output: 384 pad: 1 kernel_size: 3 } }
            layer { name: "relu3" type: "ReLU" bottom: "conv3" top: "conv3" }
            layer { name: "conv4" type: "Convolution" bottom: "conv3" top: "conv4"
                    convolution_param { num_output: 384 pad: 1 kernel_size: 3 group: 2 } }
            layer { name: "relu4" type: "ReLU" bottom: "conv4" top: "conv4" }
            layer { name: "conv5" type: "Convolution" bottom: "conv4" top: "conv5"
                    convolution_param { num_output: 256 pad: 1 kernel_size: 3 group: 2 } }
            layer { name: "relu5" type: "ReLU" bottom: "conv5" top: "conv5" }
            layer { name: "pool5" type: "Pooling" bottom: "conv5" top: "pool5"
                    pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
            layer { name: "fc6" type: "InnerProduct" bottom: "pool5" top: "fc6"
                    inner_product_param { num_output: 4096
                        weight_filler { type: "gaussian" std: 0.005 } bias_filler { type: "constant" value: 1 } } }
            layer { name: "relu6" type: "ReLU" bottom: "fc6" top: "fc6" }
            layer { name: "drop6" type: "Dropout" bottom: "fc6" top: "fc6" dropout_param { dropout_ratio: 0.5 } }
            layer { name: "fc7" type: "InnerProduct" bottom: "fc6" top: "fc7" inner_product_param { num_output: 4096 } }
            layer { name: "relu7" type: "ReLU" bottom: "fc7" top: "fc7" }
            layer { name: "drop7" type: "Dropout" bottom: "fc7" top: "fc7" dropout_param { dropout_ratio: 0.5 } }
            layer { name: "fc8" type: "InnerProduct" bottom: "fc7" top: "fc8" inner_product_param { num_output: 1000 } }
            layer { name: "prob" type: "Softmax" bottom: "fc8" top: "prob" }
            """;

    private static NetParameter upgrade(String text) throws Exception {
        return NetUpgrader.upgrade(TextFormat.parse(text, NetParameter.class), Path.of("net.prototxt"));
    }

    private ModelException fail(String text) throws Exception {
        Path p = Fixtures.write(dir, "v0.prototxt", text);
        return assertThrows(ModelException.class, () -> CaffeImporter.load(p, null));
    }

    private static void assertMentions(ModelException e, String... parts) {
        for (String s : parts) {
            assertTrue(e.getMessage().contains(s), "\"" + s + "\" in: " + e.getMessage());
        }
    }

    @Test
    void v0CaffeNetUpgradesToTheModernNet() throws Exception {
        NetParameter v0 = TextFormat.parse(CAFFENET_V0, NetParameter.class);
        assertTrue(NetUpgrader.needsV0Upgrade(v0));
        assertTrue(NetUpgrader.needsUpgrade(v0));
        assertFalse(NetUpgrader.needsV0Upgrade(TextFormat.parse(CAFFENET_MODERN, NetParameter.class)));
        // the upgraded definition is exactly the hand-written one, message for message
        assertEquals(upgrade(CAFFENET_MODERN), upgrade(CAFFENET_V0));

        Graph old = CaffeImporter.load(Fixtures.write(dir, "v0.prototxt", CAFFENET_V0), null).graph();
        Graph now = CaffeImporter.load(Fixtures.write(dir, "modern.prototxt", CAFFENET_MODERN), null).graph();
        assertEquals(now.nodes(), old.nodes());
        assertEquals(now.values(), old.values());
        assertEquals(now.inputs(), old.inputs());
        assertEquals(now.outputs(), old.outputs());
        assertEquals(List.of("input", "conv1", "relu1", "pool1", "norm1", "conv2"),
                old.nodes().subList(0, 6).stream().map(n -> n.name()).toList(), "padding layers are gone");
        Convolution conv2 = (Convolution) old.node("conv2").op();
        assertEquals(2, conv2.padH());
        assertEquals(2, conv2.padW());
        assertEquals(2, conv2.group());
        assertEquals(Shape.of(10, 256, 27, 27), old.shape("conv2"));
        assertEquals(Shape.of(10, 256, 6, 6), old.shape("pool5"));
        assertEquals(Shape.of(4096, 9216), ((InnerProduct) old.node("fc6").op()).weight().shape());
        assertEquals(Shape.of(10, 1000), old.shape("prob"));
    }

    /** Each V0 type string becomes the type Caffe gives it. */
    @ParameterizedTest
    @CsvSource({
        "accuracy, Accuracy", "bnll, BNLL", "concat, Concat", "conv, Convolution", "data, Data",
        "dropout, Dropout", "euclidean_loss, EuclideanLoss", "flatten, Flatten", "hdf5_data, HDF5Data",
        "hdf5_output, HDF5Output", "im2col, Im2col", "images, ImageData", "infogain_loss, InfogainLoss",
        "innerproduct, InnerProduct", "lrn, LRN", "multinomial_logistic_loss, MultinomialLogisticLoss",
        "pool, Pooling", "relu, ReLU", "sigmoid, Sigmoid", "softmax, Softmax", "softmax_loss, SoftmaxWithLoss",
        "split, Split", "tanh, TanH", "window_data, WindowData"})
    void v0TypesBecomeModernTypes(String v0, String modern) throws Exception {
        NetParameter net = upgrade("layers { layer { name: \"l\" type: \"" + v0 + "\" } top: \"t\" }");
        assertEquals(1, net.getLayerCount());
        assertEquals(modern, net.getLayer(0).getType());
        assertEquals("l", net.getLayer(0).getName());
    }

    /** Every V0 field lands where Caffe puts it, for each type it applies to. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "conv | num_output: 4 biasterm: false pad: 1 kernelsize: 3 group: 2 stride: 2 weight_filler { type: 'xavier' }"
            + " bias_filler { type: 'constant' value: 0.5 }"
            + " | Convolution | convolution_param { num_output: 4 bias_term: false pad: 1 kernel_size: 3 group: 2"
            + " stride: 2 weight_filler { type: 'xavier' } bias_filler { type: 'constant' value: 0.5 } }",
        "innerproduct | num_output: 7 biasterm: true weight_filler { type: 'gaussian' std: 0.1 }"
            + " bias_filler { type: 'constant' }"
            + " | InnerProduct | inner_product_param { num_output: 7 bias_term: true"
            + " weight_filler { type: 'gaussian' std: 0.1 } bias_filler { type: 'constant' } }",
        "pool | pool: AVE pad: 1 kernelsize: 3 stride: 2 | Pooling | pooling_param { pool: AVE pad: 1 kernel_size: 3"
            + " stride: 2 }",
        "pool | pool: STOCHASTIC | Pooling | pooling_param { pool: STOCHASTIC }",
        "pool | pool: MAX | Pooling | pooling_param { pool: MAX }",
        "dropout | dropout_ratio: 0.25 | Dropout | dropout_param { dropout_ratio: 0.25 }",
        "lrn | local_size: 3 alpha: 0.5 beta: 0.25 k: 2 | LRN | lrn_param { local_size: 3 alpha: 0.5 beta: 0.25"
            + " k: 2 }",
        "data | source: 'db' batchsize: 8 rand_skip: 3 scale: 0.5 meanfile: 'm.binaryproto' cropsize: 7 mirror: true"
            + " | Data | data_param { source: 'db' batch_size: 8 rand_skip: 3 }"
            + " transform_param { scale: 0.5 mean_file: 'm.binaryproto' crop_size: 7 mirror: true }",
        "hdf5_data | source: 'list.txt' batchsize: 2 | HDF5Data | hdf5_data_param { source: 'list.txt'"
            + " batch_size: 2 }",
        "images | source: 'files.txt' batchsize: 3 rand_skip: 1 shuffle_images: true new_height: 20 new_width: 30"
            + " new_num: 5 new_channels: 6"
            + " | ImageData | image_data_param { source: 'files.txt' batch_size: 3 rand_skip: 1 shuffle: true"
            + " new_height: 20 new_width: 30 }",
        "window_data | source: 'w.txt' batchsize: 4 det_fg_threshold: 0.6 det_bg_threshold: 0.4"
            + " det_fg_fraction: 0.3 det_context_pad: 16 det_crop_mode: 'square'"
            + " | WindowData | window_data_param { source: 'w.txt' batch_size: 4 fg_threshold: 0.6"
            + " bg_threshold: 0.4 fg_fraction: 0.3 context_pad: 16 crop_mode: 'square' }",
        "infogain_loss | source: 'h.binaryproto' | InfogainLoss | infogain_loss_param { source: 'h.binaryproto' }",
        "concat | concat_dim: 2 | Concat | concat_param { concat_dim: 2 }",
        "hdf5_output | hdf5_output_param { file_name: 'out.h5' } | HDF5Output"
            + " | hdf5_output_param { file_name: 'out.h5' }",
        "relu | scale: 2 | ReLU | transform_param { scale: 2 }",
        "conv | blobs_lr: 1 blobs_lr: 2 weight_decay: 1 | Convolution"
            + " | param { lr_mult: 1 decay_mult: 1 } param { lr_mult: 2 }",
    })
    void v0FieldsGoWhereCaffePutsThem(String v0Type, String v0Fields, String type, String expected)
            throws Exception {
        NetParameter net = upgrade("layers { layer { name: 'l' type: '" + v0Type + "' " + v0Fields + " } }");
        LayerParameter want = TextFormat.parse("name: 'l' type: '" + type + "' " + expected, LayerParameter.class);
        assertEquals(want, net.getLayer(0));
    }

    @Test
    void v0BlobsAreKeptAndLegacyInputsStay() throws Exception {
        NetParameter net = upgrade("""
                name: "n" force_backward: true input: "x" input_dim: 1 input_dim: 2 input_dim: 1 input_dim: 1
                state { stage: "s" }
                layers { layer { name: "ip" type: "innerproduct" num_output: 1
                                 blobs { num: 1 channels: 1 height: 1 width: 2 data: 1 data: 2 }
                                 blobs { num: 1 channels: 1 height: 1 width: 1 data: 3 } }
                         bottom: "x" top: "y" }
                """);
        assertEquals("n", net.getName());
        assertTrue(net.getForceBackward());
        assertFalse(net.hasState(), "Caffe's V0 upgrade keeps name, inputs and force_backward only");
        assertEquals(List.of("Input", "InnerProduct"), net.getLayerList().stream().map(l -> l.getType()).toList());
        assertEquals(List.of(1L, 2L, 1L, 1L), net.getLayer(0).getInputParam().getShape(0).getDimList());
        assertEquals(2, net.getLayer(1).getBlobsCount());
        assertEquals(List.of(1f, 2f), net.getLayer(1).getBlobs(0).getDataList());
    }

    @Test
    void paddingFoldsIntoPoolingAndEveryConsumerOfItsTop() throws Exception {
        NetParameter net = upgrade("""
                input: "data" input_dim: 1 input_dim: 1 input_dim: 4 input_dim: 4
                layers { layer { name: "pad" type: "padding" pad: 3 } bottom: "data" top: "padded" }
                layers { layer { name: "p1" type: "pool" kernelsize: 2 pad: 9 } bottom: "padded" top: "p1" }
                layers { layer { name: "c1" type: "conv" num_output: 1 kernelsize: 2 } bottom: "padded" top: "c1" }
                """);
        assertEquals(List.of("input", "p1", "c1"), net.getLayerList().stream().map(l -> l.getName()).toList());
        assertEquals(3, net.getLayer(1).getPoolingParam().getPad(), "the padding layer's pad wins");
        assertEquals(List.of("data"), net.getLayer(1).getBottomList());
        assertEquals(List.of(3), net.getLayer(2).getConvolutionParam().getPadList());
        assertEquals(List.of("data"), net.getLayer(2).getBottomList());
        // a padding layer that nothing reads is simply dropped
        NetParameter unused = upgrade("""
                input: "data" input_dim: 1 input_dim: 1 input_dim: 4 input_dim: 4
                layers { layer { name: "pad" type: "padding" pad: 1 } bottom: "data" top: "padded" }
                layers { layer { name: "r" type: "relu" } bottom: "data" top: "r" }
                """);
        assertEquals(List.of("input", "r"), unused.getLayerList().stream().map(l -> l.getName()).toList());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "relu | num_output: 4 | layer.num_output | conv, innerproduct",
        "lrn | kernelsize: 3 | layer.kernelsize | conv, pool",
        "conv | local_size: 3 | layer.local_size | lrn",
        "pool | group: 2 | layer.group | conv",
        "innerproduct | pad: 1 | layer.pad | conv, pool",
        "relu | pool: AVE | layer.pool | pool",
        "conv | dropout_ratio: 0.1 | layer.dropout_ratio | dropout",
        "softmax | source: 'x' | layer.source | data, hdf5_data, images, window_data, infogain_loss",
        "conv | batchsize: 1 | layer.batchsize | data, hdf5_data, images, window_data",
        "data | shuffle_images: true | layer.shuffle_images | images",
        "data | concat_dim: 1 | layer.concat_dim | concat",
        "images | det_crop_mode: 'warp' | layer.det_crop_mode | window_data",
        "hdf5_data | hdf5_output_param { file_name: 'o' } | layer.hdf5_output_param | hdf5_output",
        "pool | biasterm: false | layer.biasterm | conv, innerproduct",
        "hdf5_data | rand_skip: 2 | layer.rand_skip | data, images",
    })
    void aV0FieldOnTheWrongTypeIsAnError(String type, String field, String where, String appliesTo)
            throws Exception {
        ModelException e = fail("input: \"data\" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8\n"
                + "layers { layer { name: \"bad\" type: \"" + type + "\" " + field + " }"
                + " bottom: \"data\" top: \"o\" }\n");
        assertMentions(e, "v0.prototxt", "layer \"bad\" (" + type + "): " + where + ": ",
                "does not apply to a " + type + " layer (it applies to " + appliesTo + ")");
        assertEquals("bad", e.layer());
        assertEquals(type, e.layerType());
        assertEquals(where, e.field());
    }

    @Test
    void paddingMayOnlyFeedConvAndPool() throws Exception {
        ModelException e = fail("""
                input: "data" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8
                layers { layer { name: "pad1" type: "padding" pad: 1 } bottom: "data" top: "pad1" }
                layers { layer { name: "relu1" type: "relu" } bottom: "pad1" top: "relu1" }
                """);
        assertMentions(e, "v0.prototxt", "layer \"relu1\" (relu): bottom[0]: ", "padding layer \"pad1\"",
                "may only feed conv and pool layers");
        // nor another padding layer
        e = fail("""
                input: "data" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8
                layers { layer { name: "pad1" type: "padding" pad: 1 } bottom: "data" top: "pad1" }
                layers { layer { name: "pad2" type: "padding" pad: 1 } bottom: "pad1" top: "pad2" }
                layers { layer { name: "c" type: "conv" num_output: 1 kernelsize: 1 } bottom: "pad2" top: "c" }
                """);
        assertMentions(e, "layer \"pad2\" (padding): bottom[0]: ", "padding layer \"pad1\"");
    }

    @Test
    void paddingChecksBottomAndTopCounts() throws Exception {
        String conv = "layers { layer { name: \"c\" type: \"conv\" num_output: 1 kernelsize: 1 } bottom: \"p\""
                + " top: \"c\" }\n";
        String head = "input: \"a\" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8\n"
                + "input: \"b\" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8\n";
        ModelException e = fail(head
                + "layers { layer { name: \"pad1\" type: \"padding\" pad: 1 } bottom: \"a\" top: \"p\" }\n"
                + "layers { layer { name: \"c\" type: \"conv\" num_output: 1 kernelsize: 1 } bottom: \"p\" bottom: "
                + "\"b\" top: \"c\" }\n");
        assertMentions(e, "layer \"c\" (conv): bottom: ", "must have one bottom, it has 2");
        e = fail(head
                + "layers { layer { name: \"pad1\" type: \"padding\" pad: 1 } bottom: \"a\" bottom: \"b\""
                + " top: \"p\" }\n"
                + conv);
        assertMentions(e, "layer \"pad1\" (padding): bottom: ", "a padding layer must have one bottom, it has 2");
        e = fail(head
                + "layers { layer { name: \"pad1\" type: \"padding\" pad: 1 } bottom: \"a\" top: \"p\" top: \"q\" }\n"
                + conv);
        assertMentions(e, "layer \"pad1\" (padding): top: ", "a padding layer must have one top, it has 2");
    }

    @Test
    void unknownOrMissingV0TypeIsAnError() throws Exception {
        ModelException e = fail("""
                input: "data" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8
                layers { layer { name: "sum" type: "eltwise" } bottom: "data" bottom: "data" top: "sum" }
                """);
        assertMentions(e, "v0.prototxt", "layer \"sum\" (eltwise): layer.type: unknown V0 layer type \"eltwise\"",
                "conv", "innerproduct", "window_data", "padding");
        e = fail("layers { layer { name: \"x\" num_output: 3 } top: \"x\" }\n");
        assertMentions(e, "layer \"x\": layer.type: a V0 layer needs a type");
        // modern type strings are not V0 types
        e = fail("layers { layer { name: \"c\" type: \"Convolution\" } top: \"c\" }\n");
        assertMentions(e, "unknown V0 layer type \"Convolution\"");
    }

    @Test
    void v0NetsMustBeV0Throughout() throws Exception {
        String input = "input: \"data\" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8\n";
        ModelException e = fail(input
                + "layers { layer { name: \"r\" type: \"relu\" } bottom: \"data\" top: \"r\" }\n"
                + "layers { name: \"s\" type: SOFTMAX bottom: \"r\" top: \"s\" }\n");
        assertMentions(e, "layer \"s\" (SOFTMAX): layer: the net mixes V0 layers");
        e = fail(input
                + "layers { layer { name: \"r\" type: \"relu\" } bottom: \"data\" top: \"r\""
                + " include { phase: TEST } }\n");
        assertMentions(e, "layer \"r\" (relu): include: ", "Caffe's V0 upgrade would drop include");
        e = fail("input: \"data\" input_shape { dim: 1 dim: 3 }\n"
                + "layers { layer { name: \"r\" type: \"relu\" } bottom: \"data\" top: \"r\" }\n");
        assertMentions(e, "input_shape: a V0 net declares the shapes of its inputs with input_dim");
        e = fail(input
                + "layers { layer { name: \"r\" type: \"relu\" } bottom: \"nothing\" top: \"r\" }\n");
        assertMentions(e, "layer \"r\" (relu): bottom[0]: blob \"nothing\" is neither a net input nor the top");
        e = fail(input
                + "layers { layer { name: \"r\" type: \"relu\" } bottom: \"data\" top: \"r\" }\n"
                + "layer { name: \"s\" type: \"Softmax\" bottom: \"r\" top: \"s\" }\n");
        assertMentions(e, "the net mixes legacy V1 'layers' and modern 'layer' definitions");
    }

    /** A V0 caffemodel: names and blobs inside each layer's {@code layer} block; padding layers among them. */
    @Test
    void v0CaffemodelWeightsLoad() throws Exception {
        Path proto = Fixtures.write(dir, "v0.prototxt", """
                input: "data" input_dim: 1 input_dim: 2 input_dim: 5 input_dim: 5
                layers { layer { name: "pad1" type: "padding" pad: 1 } bottom: "data" top: "pad1" }
                layers { layer { name: "conv1" type: "conv" num_output: 3 kernelsize: 3 } bottom: "pad1" top: "conv1" }
                layers { layer { name: "relu1" type: "relu" } bottom: "conv1" top: "conv1" }
                layers { layer { name: "fc" type: "innerproduct" num_output: 4 } bottom: "conv1" top: "fc" }
                """);
        float[] w = Fixtures.values(54, 1);
        float[] b = Fixtures.values(3, 2);
        float[] fw = Fixtures.values(300, 3);
        float[] fb = Fixtures.values(4, 4);
        NetParameter weights = NetParameter.newBuilder()
                .addLayers(v0Layer("pad1", "padding").setLayer(V0LayerParameter.newBuilder().setName("pad1")
                        .setType("padding").setPad(1)).addBottom("data").addTop("pad1"))
                .addLayers(v0Layer("conv1", "conv", legacy(w, 3, 2, 3, 3), legacy(b, 1, 1, 1, 3))
                        .addBottom("pad1").addTop("conv1"))
                .addLayers(v0Layer("relu1", "relu"))
                .addLayers(v0Layer("fc", "innerproduct", legacy(fw, 1, 1, 4, 75), legacy(fb, 1, 1, 1, 4)))
                .addLayers(v0Layer("loss", "innerproduct", legacy(fb, 1, 1, 2, 2)))
                .build();
        Path model = Fixtures.writeBinary(dir, "v0.caffemodel", weights);
        try (CaffemodelFile f = CaffemodelFile.open(model)) {
            assertEquals(List.of("pad1", "conv1", "relu1", "fc", "loss"),
                    f.layers().stream().map(CaffemodelFile.StoredLayer::name).toList());
            assertEquals(List.of("padding", "Convolution", "ReLU", "InnerProduct", "InnerProduct"),
                    f.layers().stream().map(CaffemodelFile.StoredLayer::type).toList());
            assertEquals(0, f.layers().get(1).param().getBlobsCount(), "blobs are indexed, not held");
        }
        CaffeModel m = CaffeImporter.load(proto, model);
        Graph g = m.graph();
        Convolution conv = (Convolution) g.node("conv1").op();
        assertEquals(1, conv.padH());
        assertArrayEquals(w, conv.weight().toArray());
        assertArrayEquals(b, conv.bias().toArray());
        InnerProduct fc = (InnerProduct) g.node("fc").op();
        assertArrayEquals(fw, fc.weight().toArray());
        assertArrayEquals(fb, fc.bias().toArray());
        assertEquals(List.of("loss"), m.report().ignored().stream().map(l -> l.layer()).toList());

        // a V0 field on the wrong type in the caffemodel is the same error, naming the caffemodel
        NetParameter bad = NetParameter.newBuilder().addLayers(V1LayerParameter.newBuilder().setLayer(
                V0LayerParameter.newBuilder().setName("r").setType("relu").setKernelsize(3))).build();
        Path badModel = Fixtures.writeBinary(dir, "bad.caffemodel", bad);
        ModelException e = assertThrows(ModelException.class, () -> CaffemodelFile.open(badModel).close());
        assertMentions(e, "bad.caffemodel", "layer \"r\" (relu): layer.kernelsize: ");
        // blobs both beside the V0 block and inside it
        NetParameter both = NetParameter.newBuilder().addLayers(v0Layer("fc", "innerproduct", legacy(fb, 1, 1, 1, 4))
                .addBlobs(legacy(fb, 1, 1, 1, 4))).build();
        Path bothModel = Fixtures.writeBinary(dir, "both.caffemodel", both);
        e = assertThrows(ModelException.class, () -> CaffemodelFile.open(bothModel).close());
        assertMentions(e, "both.caffemodel", "a V0 layer holds its blobs in its 'layer' block, not beside it");
    }

    private static V1LayerParameter.Builder v0Layer(String name, String type, BlobProto... blobs) {
        V0LayerParameter.Builder l = V0LayerParameter.newBuilder().setName(name).setType(type);
        for (BlobProto b : blobs) {
            l.addBlobs(b);
        }
        return V1LayerParameter.newBuilder().setLayer(l);
    }

    private static BlobProto legacy(float[] data, int n, int c, int h, int w) {
        BlobProto.Builder b = BlobProto.newBuilder().setNum(n).setChannels(c).setHeight(h).setWidth(w);
        for (float f : data) {
            b.addData(f);
        }
        return b.build();
    }
}
