package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.io.Json;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.Pooling;

/**
 * What real-world nets need beyond BVLC's deploy files: the one import report, data layers of train/val nets, left-out
 * loss layers, duplicate layer names, fork fields and fork V1 types, both pooling rounding fields.
 */
class DialectTest {
    @TempDir
    Path dir;

    private static final String INPUT = "layer { name: \"data\" type: \"Input\" top: \"data\" "
            + "input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }\n";

    private Path write(String text) throws Exception {
        return Fixtures.write(dir, "net.prototxt", text);
    }

    private ImportReport report(String text) throws Exception {
        Path p = write(text);
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> CaffeImporter.load(p, null));
        assertEquals(e.report().describe(), e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
        return e.report();
    }

    private Graph load(String text, Map<String, Shape> shapes) throws Exception {
        return CaffeImporter.load(write(text), null, new CaffeImporter.Options(false, shapes)).graph();
    }

    @Test
    void oneReportListsEveryProblem() throws Exception {
        String text = "name: \"n\"\n" + INPUT
                + "layer {\n  name: \"d1\"\n  type: \"DeformableConvolution\"\n  bottom: \"data\"\n  top: \"d1\"\n"
                + "  convolution_param { num_output: 2 kernel_size: 2 shiny: 3 }\n}\n"
                + "layer { name: \"d2\" type: \"DeformableConvolution\" bottom: \"d1\" top: \"d2\" }\n"
                + "layer { name: \"m\" type: \"MatWrite\" bottom: \"d2\" mat_write_param { prefix: \"x\" } }\n"
                + "layer { name: \"s\" type: \"SELU\" bottom: \"d2\" top: \"s\" selu_param { alpha: 1 } }\n"
                + "layer { name: \"p\" type: \"Pooling\" bottom: \"data\" top: \"p\" "
                + "pooling_param { pool: MAXIMUM kernel_size: 2 stride: 2 } }\n"
                + "layer { name: \"h\" type: \"HDF5Data\" top: \"h\" top: \"hl\" hdf5_data_param { batch_size: 4 } }\n"
                + "layer { name: \"c\" type: \"Concat\" bottom: \"h\" bottom: \"p\" top: \"c\" }\n";
        ImportReport r = report(text);
        assertEquals(Map.of("DeformableConvolution", List.of("d1", "d2"), "SELU", List.of("s")), r.unsupportedTypes());
        assertEquals(List.of("DeformableConvolution", "SELU"), List.copyOf(r.unsupportedTypes().keySet()));
        assertEquals(3, r.unknownFields().size(), r.unknownFields().toString());
        PrototxtReader.UnknownField shiny = r.unknownFields().get(0);
        assertEquals(List.of(8, "d1", "DeformableConvolution", "ConvolutionParameter", "shiny"),
                List.of(shiny.line(), shiny.layer(), shiny.type(), shiny.message(), shiny.field()));
        PrototxtReader.UnknownField selu = r.unknownFields().get(1);
        assertEquals("selu_param", selu.field());
        assertTrue(selu.fork().contains("jolibrain"), selu.toString());
        // the MatWrite layer writes files in training: it is left out, and its fork field is only a warning
        assertEquals(List.of("m", "h"), r.leftOut().stream().map(ImportReport.LeftOut::layer).toList());
        PrototxtReader.UnknownField pool = r.unknownFields().get(2);
        assertEquals(List.of("p", "pool", "MAXIMUM"), List.of(pool.layer(), pool.field(), pool.value()));
        assertEquals(List.of("h"), r.shapesNeeded().stream().map(ImportReport.ShapeNeeded::top).toList());
        assertEquals("h=4,C,H,W", r.shapesNeeded().get(0).example());
        String text2 = r.describe();
        assertTrue(text2.startsWith("unsupported layer types: DeformableConvolution (2 layers: d1, d2); SELU (1 layer: s)"), text2);
        assertTrue(text2.contains(dir.resolve("net.prototxt") + ":8:"), text2);
        assertTrue(text2.contains("layer \"s\" (SELU): unknown field LayerParameter.selu_param (from jolibrain"),
                text2);
        assertTrue(text2.contains("layer \"p\" (Pooling): unknown value MAXIMUM of PoolingParameter.PoolMethod.pool"), text2);
        assertTrue(text2.contains("give --input-shape h=4,C,H,W"), text2);

        Map<?, ?> json = (Map<?, ?>) Json.parse(Json.write(r.toJson()));
        assertEquals(false, json.get("supported"));
        assertEquals(Map.of("DeformableConvolution", List.of("d1", "d2"), "SELU", List.of("s")), json.get("unsupportedTypes"));
        assertEquals(3, ((List<?>) json.get("unknownFields")).size());
        Map<?, ?> first = (Map<?, ?>) ((List<?>) json.get("unknownFields")).get(0);
        assertEquals(8L, first.get("line"));
        assertEquals("shiny", first.get("field"));

        // allowed unknown fields become warnings; the rest of the report stands
        Path p = write(text);
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> CaffeImporter.load(p, null, new CaffeImporter.Options(true)));
        assertTrue(e.report().unknownFields().isEmpty());
        assertEquals(2, e.report().unsupportedTypes().get("DeformableConvolution").size());
        assertTrue(e.report().shapesNeeded().size() == 1);
        assertEquals(r, CaffeImporter.check(p, null, CaffeImporter.Options.DEFAULT));
    }

    @Test
    void trainValNetsImportWithTheirDataLayersAsInputs() throws Exception {
        String net = """
                name: "lenet"
                layer { name: "mnist" type: "Data" top: "data" top: "label" include { phase: TRAIN }
                        transform_param { crop_size: 24 force_gray: true } data_param { batch_size: 64 } }
                layer { name: "mnist" type: "Data" top: "data" top: "label" include { phase: TEST }
                        transform_param { crop_size: 24 force_gray: true } data_param { batch_size: 100 } }
                layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                        convolution_param { num_output: 4 kernel_size: 5 } }
                layer { name: "ip" type: "InnerProduct" bottom: "conv1" top: "ip" inner_product_param { num_output: 10 } }
                layer { name: "accuracy" type: "Accuracy" bottom: "ip" bottom: "label" top: "accuracy"
                        include { phase: TEST } }
                layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }
                """;
        CaffeModel m = CaffeImporter.load(write(net), null);
        Graph g = m.graph();
        assertEquals(List.of("data"), g.inputs());
        assertEquals(Shape.of(100, 1, 24, 24), g.shape("data"));
        assertEquals("Data", ((Input) g.node("mnist").op()).source());
        assertEquals(List.of("ip"), g.outputs());
        assertEquals(List.of("mnist: top \"label\" is read by no layer of the TEST net",
                        "accuracy: training or evaluation layer", "loss: training or evaluation layer"),
                m.report().leftOut().stream().map(l -> l.layer() + ": " + l.reason()).toList());
    }

    @Test
    void dataLayerShapesComeFromTheirParametersOrTheUser() throws Exception {
        String image = "layer { name: \"d\" type: \"ImageData\" top: \"data\" top: \"label\" "
                + "image_data_param { batch_size: 2 new_height: 40 new_width: 30 } }\n"
                + "layer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\n";
        assertEquals(Shape.of(2, 3, 40, 30), load(image, Map.of()).shape("data"));
        String window = "layer { name: \"d\" type: \"WindowData\" top: \"data\" top: \"label\" "
                + "window_data_param { batch_size: 3 crop_size: 16 } }\n"
                + "layer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\n"
                + "layer { name: \"s\" type: \"Silence\" bottom: \"label\" }\n";
        Graph w = load(window, Map.of());
        assertEquals(Shape.of(3, 3, 16, 16), w.shape("data"));
        assertEquals(Shape.of(3), w.shape("label"), "a label that is read stays an input");
        String dense = "layer { name: \"d\" type: \"DenseImageData\" top: \"data\" top: \"label\" "
                + "dense_image_data_param { batch_size: 1 is_color: false crop_height: 9 crop_width: 7 } }\n"
                + "layer { name: \"s\" type: \"Silence\" bottom: \"data\" bottom: \"label\" }\n";
        Graph d = load(dense, Map.of());
        assertEquals(Shape.of(1, 1, 9, 7), d.shape("data"));
        assertEquals(Shape.of(1, 1, 9, 7), d.shape("label"));
        String lmdb = "layer { name: \"d\" type: \"Data\" top: \"data\" transform_param { crop_size: 8 } "
                + "data_param { batch_size: 5 } }\n" + "layer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\n";
        ImportReport r = report(lmdb);
        assertEquals("data=5,C,8,8", r.shapesNeeded().get(0).example());
        assertTrue(r.shapesNeeded().get(0).missing().contains("database"), r.shapesNeeded().toString());
        assertEquals(Shape.of(5, 3, 8, 8), load(lmdb, Map.of("data", Shape.of(5, 3, 8, 8))).shape("data"));
        String python = "layer { name: \"d\" type: \"Python\" top: \"data\" python_param { module: \"voc_layers\" "
                + "layer: \"VOCSegDataLayer\" } }\n" + "layer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\n"
                + "layer { name: \"x\" type: \"Python\" bottom: \"r\" top: \"x\" python_param { module: \"m\" "
                + "layer: \"L\" } }\n";
        ImportReport pr = report(python);
        assertEquals(Map.of("Python (m.L)", List.of("x")), pr.unsupportedTypes());
        assertEquals(List.of("data"), pr.shapesNeeded().stream().map(ImportReport.ShapeNeeded::top).toList());
    }

    @Test
    void aTrainOnlyDataLayerFeedsTheTestNet() throws Exception {
        String net = "layer { name: \"data\" type: \"Data\" top: \"data\" top: \"label\" include { phase: TRAIN } "
                + "transform_param { crop_size: 6 force_color: true } data_param { batch_size: 2 } }\n"
                + "layer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\n";
        CaffeModel m = CaffeImporter.load(write(net), null);
        assertEquals(Shape.of(2, 3, 6, 6), m.graph().shape("data"));
        assertTrue(m.report().warnings().stream().anyMatch(w -> w.contains("not part of the TEST phase")),
                m.report().warnings().toString());
    }

    @Test
    void unknownFieldsOfLayersOutsideTheTestNetAreWarnings() throws Exception {
        String net = INPUT + "layer { name: \"t\" type: \"Convolution\" bottom: \"data\" top: \"t\" "
                + "include { phase: TRAIN } convolution_param { num_output: 1 kernel_size: 1 sparkle: 1 } }\n"
                + "layer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\n"
                + "layer { name: \"l\" type: \"EuclideanLoss\" bottom: \"r\" bottom: \"r\" top: \"l\" "
                + "loss_param { odd: 2 } }\n";
        CaffeModel m = CaffeImporter.load(write(net), null);
        assertEquals(2, m.report().warnings().size(), m.report().warnings().toString());
        assertTrue(m.report().warnings().get(0).contains("sparkle") && m.report().warnings().get(0)
                .contains("not part of the TEST net"), m.report().warnings().get(0));
    }

    @Test
    void duplicateLayerNamesAreAcceptedAsCaffeDoes() throws Exception {
        String net = INPUT + "layer { name: \"relu\" type: \"ReLU\" bottom: \"data\" top: \"a\" }\n"
                + "layer { name: \"relu\" type: \"ReLU\" bottom: \"a\" top: \"b\" }\n"
                + "layer { name: \"relu#2\" type: \"ReLU\" bottom: \"b\" top: \"c\" }\n";
        CaffeModel m = CaffeImporter.load(write(net), null);
        assertEquals(List.of("data", "relu", "relu#2#", "relu#2"),
                m.graph().nodes().stream().map(n -> n.name()).toList());
        assertTrue(m.report().warnings().get(0).contains("layer name \"relu\" is used again by layer #3"),
                m.report().warnings().toString());
    }

    @Test
    void weightsOfADuplicateNameGoToTheFirstLayer() throws Exception {
        String net = INPUT + "layer { name: \"c\" type: \"Convolution\" bottom: \"data\" top: \"a\" "
                + "convolution_param { num_output: 2 kernel_size: 1 } }\n"
                + "layer { name: \"c\" type: \"Convolution\" bottom: \"a\" top: \"b\" convolution_param { num_output: 2 "
                + "kernel_size: 1 weight_filler { type: \"constant\" value: 0.5 } bias_filler { value: 0.25 } } }\n";
        float[] w1 = Fixtures.values(6, 1);
        Path weights = Fixtures.writeBinary(dir, "w.caffemodel", org.senet4j.caffe.proto.NetParameter.newBuilder()
                .addLayer(Fixtures.layer("c", "Convolution", Fixtures.blob(w1, 2, 3, 1, 1),
                        Fixtures.blob(new float[] {1, 2}, 2)))
                .build());
        CaffeModel m = CaffeImporter.load(write(net), weights);
        Convolution first = (Convolution) m.graph().node("c").op();
        Convolution second = (Convolution) m.graph().node("c#2").op();
        assertArrayEquals(w1, first.weight().toArray());
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, second.weight().toArray());
        assertArrayEquals(new float[] {0.25f, 0.25f}, second.bias().toArray());
        Path p = write(net.replace("weight_filler { type: \"constant\" value: 0.5 }", "weight_filler { type: "
                + "\"xavier\" }"));
        ModelException e = assertThrows(ModelException.class, () -> CaffeImporter.load(p, weights));
        assertTrue(e.getMessage().contains("only to the first layer of that name (layer #2)"), e.getMessage());
    }

    @Test
    void forkV1LayerTypesAreUnsupportedTypesNotParseErrors() throws Exception {
        String v1 = "input: \"data\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 4\ninput_dim: 4\n"
                + "layers { name: \"seg\" type: IMAGE_SEG_DATA top: \"x\" }\n"
                + "layers { name: \"r\" type: RELU bottom: \"data\" top: \"r\" }\n"
                + "layers { name: \"r6\" type: RELU6 bottom: \"r\" top: \"r6\" }\n";
        ImportReport r = report(v1);
        assertEquals(Map.of("IMAGE_SEG_DATA", List.of("seg"), "RELU6", List.of("r6")), r.unsupportedTypes());
        assertTrue(r.unknownFields().isEmpty(), r.unknownFields().toString());
    }

    @Test
    void aBinaryV1LayerOfAForkTypeKeepsItsWeights() throws Exception {
        // eric612 writes its V1 RELU6 as enum value 61, which BVLC's V1LayerParameter lacks
        var bytes = new java.io.ByteArrayOutputStream();
        var out = com.google.protobuf.CodedOutputStream.newInstance(bytes);
        org.senet4j.caffe.proto.V1LayerParameter relu6 = org.senet4j.caffe.proto.V1LayerParameter.newBuilder()
                .setName("r6").addBottom("data").addTop("r6").build();
        org.senet4j.caffe.proto.V1LayerParameter conv = org.senet4j.caffe.proto.V1LayerParameter.newBuilder()
                .setName("conv").setType(org.senet4j.caffe.proto.V1LayerParameter.LayerType.CONVOLUTION)
                .addBlobs(Fixtures.blob(Fixtures.values(6, 3), 2, 3, 1, 1)).build();
        byte[] r6 = relu6.toBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                .addField(5, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(61).build()).build())
                .build().toByteArray();
        out.writeByteArray(2, r6);
        out.writeByteArray(2, conv.toByteArray());
        out.flush();
        Path model = java.nio.file.Files.write(dir.resolve("v1fork.caffemodel"), bytes.toByteArray());
        try (CaffemodelFile f = CaffemodelFile.open(model)) {
            assertEquals(List.of("RELU6", "Convolution"), f.layers().stream().map(CaffemodelFile.StoredLayer::type)
                    .toList());
        }
        String net = INPUT + "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"conv\" "
                + "convolution_param { num_output: 2 kernel_size: 1 bias_term: false } }\n";
        assertArrayEquals(Fixtures.values(6, 3), ((Convolution) CaffeImporter.load(write(net), model).graph()
                .node("conv").op()).weight().toArray());
    }

    @Test
    void poolingHonoursCeilModeAndRoundMode() throws Exception {
        String base = INPUT + "layer { name: \"p\" type: \"Pooling\" bottom: \"data\" top: \"p\" "
                + "pooling_param { pool: MAX kernel_size: 3 stride: 2 %s } }\n";
        assertEquals(Shape.of(1, 3, 4, 4), load(String.format(base, ""), Map.of()).shape("p"));
        assertEquals(Shape.of(1, 3, 3, 3), load(String.format(base, "ceil_mode: false"), Map.of()).shape("p"));
        assertEquals(Shape.of(1, 3, 4, 4), load(String.format(base, "ceil_mode: true"), Map.of()).shape("p"));
        assertEquals(Shape.of(1, 3, 3, 3), load(String.format(base, "round_mode: FLOOR"), Map.of()).shape("p"));
        assertEquals(Shape.of(1, 3, 3, 3), load(String.format(base, "round_mode: FLOOR ceil_mode: false"), Map.of())
                .shape("p"));
        Path p = write(String.format(base, "round_mode: FLOOR ceil_mode: true"));
        ModelException e = assertThrows(ModelException.class, () -> CaffeImporter.load(p, null));
        assertTrue(e.getMessage().contains("pooling_param.ceil_mode: ceil_mode: true contradicts round_mode: FLOOR"),
                e.getMessage());
        assertTrue(((Pooling) load(String.format(base, "ceil_mode: false"), Map.of()).node("p").op()).ceil() == false);
    }

    @Test
    void forkParametersParseInText() throws Exception {
        String net = INPUT + "layer { name: \"i\" type: \"Interp\" bottom: \"data\" top: \"i\" "
                + "interp_param { zoom_factor: 2 } }\n"
                + "layer { name: \"pb\" type: \"PriorBox\" bottom: \"i\" bottom: \"data\" top: \"pb\" "
                + "prior_box_param { min_size: 10 aspect_ratio: 2 flip: true clip: false variance: 0.1 } }\n"
                + "layer { name: \"bn\" type: \"BN\" bottom: \"i\" top: \"bn\" bn_param { bn_mode: INFERENCE } }\n"
                + "layer { name: \"sc\" type: \"ShuffleChannel\" bottom: \"bn\" top: \"sc\" "
                + "shuffle_channel_param { group: 3 } }\n";
        ImportReport r = CaffeImporter.check(write(net), null, CaffeImporter.Options.DEFAULT);
        assertTrue(r.unknownFields().isEmpty(), r.unknownFields().toString());
    }
}
