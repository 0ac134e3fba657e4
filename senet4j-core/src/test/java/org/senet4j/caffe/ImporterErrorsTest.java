package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;

/** Every way a net definition can be wrong gives one clear error naming file, layer, type and field. */
class ImporterErrorsTest {
    @TempDir
    Path dir;

    private static final String INPUT = "layer { name: \"data\" type: \"Input\" top: \"data\" "
            + "input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }\n";

    private ModelException fail(String text) throws Exception {
        Path p = Fixtures.write(dir, "net.prototxt", text);
        return assertThrows(ModelException.class, () -> CaffeImporter.load(p, null));
    }

    @Test
    void syntaxErrorNamesLineAndColumn() throws Exception {
        ModelException e = fail(INPUT + "layer {\n  name: \"c\"\n  type \"Convolution\"\n}\n");
        assertTrue(e.getMessage().contains("net.prototxt: line 4, column"), e.getMessage());
    }

    @Test
    void unknownFieldIsAnErrorUnlessAllowed() throws Exception {
        String text = INPUT + "layer { name: \"p\" type: \"Pooling\" bottom: \"data\" top: \"p\" "
                + "pooling_param { pool: MAX kernel_size: 2 stride: 2 no_such_field: false } }\n";
        ModelException e = fail(text);
        assertTrue(e.getMessage().contains("net.prototxt:2:") && e.getMessage().contains("layer \"p\" (Pooling): "
                + "unknown field PoolingParameter.no_such_field"), e.getMessage());
        Path p = Fixtures.write(dir, "net.prototxt", text);
        List<String> warnings = new ArrayList<>();
        CaffeImporter.load(p, null, new CaffeImporter.Options(true));
        PrototxtReader.read(p, true, warnings::add);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("no_such_field"), warnings.get(0));
    }

    @Test
    void everyUnsupportedTypeIsListedAtOnce() throws Exception {
        ModelException e = fail(INPUT
                + "layer { name: \"n1\" type: \"DeformableConvolution\" bottom: \"data\" top: \"n1\" }\n"
                + "layer { name: \"c1\" type: \"Convolution\" bottom: \"n1\" top: \"c1\" "
                + "convolution_param { num_output: 4 kernel_size: 1 } }\n"
                + "layer { name: \"perm\" type: \"YoloSeg\" bottom: \"c1\" top: \"perm\" }\n"
                + "layer { name: \"n2\" type: \"DeformableConvolution\" bottom: \"perm\" top: \"n2\" }\n");
        assertTrue(e.getMessage().contains("unsupported layer types: DeformableConvolution (2 layers: n1, n2); "
                + "YoloSeg (1 layer: perm)"), e.getMessage());
    }

    @Test
    void bottomThatNothingProducesIsAnError() throws Exception {
        ModelException e = fail(INPUT + "layer { name: \"r\" type: \"ReLU\" bottom: \"datum\" top: \"r\" }\n");
        assertEquals("r", e.layer());
        assertEquals("ReLU", e.layerType());
        assertEquals("bottom[0]", e.field());
        assertTrue(e.getMessage().contains("\"datum\" is not produced by any layer"), e.getMessage());
    }

    @Test
    void cycleIsReportedAsSuch() throws Exception {
        ModelException e = fail(INPUT
                + "layer { name: \"a\" type: \"Eltwise\" bottom: \"data\" bottom: \"b\" top: \"a\" }\n"
                + "layer { name: \"b\" type: \"ReLU\" bottom: \"a\" top: \"b\" }\n");
        assertTrue(e.getMessage().contains("cycle: a -> b -> a"), e.getMessage());
    }

    @Test
    void outOfOrderLayerIsReported() throws Exception {
        ModelException e = fail(INPUT
                + "layer { name: \"b\" type: \"ReLU\" bottom: \"a\" top: \"b\" }\n"
                + "layer { name: \"a\" type: \"ReLU\" bottom: \"data\" top: \"a\" }\n");
        assertTrue(e.getMessage().contains("produced only by the later layer \"a\""), e.getMessage());
    }

    @Test
    void duplicateTopThatIsNotInPlaceIsAnError() throws Exception {
        ModelException e = fail(INPUT
                + "layer { name: \"r1\" type: \"ReLU\" bottom: \"data\" top: \"x\" }\n"
                + "layer { name: \"r2\" type: \"Sigmoid\" bottom: \"data\" top: \"x\" }\n");
        assertEquals("r2", e.layer());
        assertTrue(e.getMessage().contains("already produced"), e.getMessage());
    }

    @Test
    void badFieldsNameTheField() throws Exception {
        ModelException e = fail(INPUT + "layer { name: \"c\" type: \"Convolution\" bottom: \"data\" top: \"c\" "
                + "convolution_param { num_output: 4 kernel_size: 1 kernel_size: 2 kernel_size: 3 } }\n");
        assertEquals("layer \"c\" (Convolution): convolution_param.kernel_size: expected 1 or 2 values, got 3",
                e.getMessage().substring(e.getMessage().indexOf("layer ")));
        e = fail(INPUT + "layer { name: \"c\" type: \"Convolution\" bottom: \"data\" top: \"c\" "
                + "convolution_param { num_output: 4 kernel_size: 9 } }\n");
        assertTrue(e.getMessage().contains("larger than the padded input"), e.getMessage());
        e = fail(INPUT + "layer { name: \"c\" type: \"Convolution\" bottom: \"data\" top: \"c\" "
                + "convolution_param { num_output: 4 kernel_size: 3 group: 2 } }\n");
        assertTrue(e.getMessage().contains("group"), e.getMessage());
    }

    @Test
    void shapeMismatchesNameTheLayer() throws Exception {
        ModelException e = fail(INPUT
                + "layer { name: \"p\" type: \"Pooling\" bottom: \"data\" top: \"p\" "
                + "pooling_param { pool: MAX kernel_size: 2 stride: 2 } }\n"
                + "layer { name: \"sum\" type: \"Eltwise\" bottom: \"data\" bottom: \"p\" top: \"sum\" }\n");
        assertEquals("sum", e.layer());
        assertTrue(e.getMessage().contains("differs from bottom[0]"), e.getMessage());
    }

    @Test
    void inputWithoutShapeNeedsOneFromTheOptions() throws Exception {
        String text = "input: \"data\"\nlayer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\n";
        ModelException e = fail(text);
        assertTrue(e.getMessage().contains("no shape is given for input [data]"), e.getMessage());
        Path p = Fixtures.write(dir, "net.prototxt", text);
        Graph g = CaffeImporter.load(p, null, new CaffeImporter.Options(false,
                java.util.Map.of("data", org.senet4j.ir.Shape.of(6, 12)))).graph();
        assertEquals(org.senet4j.ir.Shape.of(6, 12), g.shape("r"));
        e = assertThrows(ModelException.class, () -> CaffeImporter.load(p, null, new CaffeImporter.Options(false,
                java.util.Map.of("datum", org.senet4j.ir.Shape.of(6, 12)))));
        assertTrue(e.getMessage().contains("not an input"), e.getMessage());
    }

    @Test
    void inputShapesFromTheOptionsReplaceThePrototxts() throws Exception {
        Path p = Fixtures.write(dir, "net.prototxt", INPUT
                + "layer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\n");
        Graph g = CaffeImporter.load(p, null, new CaffeImporter.Options(false,
                java.util.Map.of("data", org.senet4j.ir.Shape.of(2, 3, 5, 7)))).graph();
        assertEquals(org.senet4j.ir.Shape.of(2, 3, 5, 7), g.shape("r"));
    }

    @Test
    void inPlaceLayersWriteVersionsOfOneBlob() throws Exception {
        Path p = Fixtures.write(dir, "net.prototxt", INPUT
                + "layer { name: \"c\" type: \"Convolution\" bottom: \"data\" top: \"c\" "
                + "convolution_param { num_output: 4 kernel_size: 1 } }\n"
                + "layer { name: \"bn\" type: \"BatchNorm\" bottom: \"c\" top: \"c\" }\n"
                + "layer { name: \"relu\" type: \"ReLU\" bottom: \"c\" top: \"c\" }\n");
        Graph g = CaffeImporter.load(p, null).graph();
        assertEquals(List.of("c@c"), g.node("c").outputs());
        assertEquals(List.of("c@c"), g.node("bn").inputs());
        assertEquals(List.of("c@bn"), g.node("bn").outputs());
        assertEquals(List.of("c"), g.node("relu").outputs());
        assertEquals("c", g.resolve("c"));
        assertEquals(List.of("c"), g.outputs());
        assertEquals(List.of("data", "c"), g.blobNames());
    }

    @Test
    void testPhaseRulesAndMemoryDataInput() throws Exception {
        Path p = Fixtures.write(dir, "net.prototxt", """
                layer { name: "d" type: "Data" top: "data" top: "label" include { phase: TRAIN }
                        data_param { source: "x" batch_size: 8 } }
                layer { name: "d" type: "MemoryData" top: "data" top: "label" include { phase: TEST }
                        memory_data_param { batch_size: 2 channels: 3 height: 4 width: 4 } }
                layer { name: "r" type: "ReLU" bottom: "data" top: "r" exclude { phase: TEST } }
                layer { name: "s" type: "Sigmoid" bottom: "data" top: "s" }
                """);
        Graph g = CaffeImporter.load(p, null).graph();
        assertEquals(List.of("d", "s"), g.nodes().stream().map(n -> n.name()).toList());
        assertEquals("MemoryData", g.nodes().get(0).type());
        assertEquals(List.of("data", "label"), g.inputs());
    }
}
