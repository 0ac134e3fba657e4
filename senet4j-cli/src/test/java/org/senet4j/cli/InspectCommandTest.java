package org.senet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.io.Json;

class InspectCommandTest {
    @TempDir
    Path dir;

    private static final String NET = """
            name: "t"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 4 kernel_size: 3 bias_term: false } }
            layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "conv" }
            layer { name: "sc" type: "Scale" bottom: "conv" top: "conv" scale_param { bias_term: true } }
            layer { name: "fc" type: "InnerProduct" bottom: "conv" top: "fc" inner_product_param { num_output: 2 } }
            """;

    @Test
    @SuppressWarnings("unchecked")
    void jsonHasExactlyTheDocumentedShape() throws Exception {
        Path p = dir.resolve("t.prototxt");
        Files.writeString(p, NET);
        CliRunner.Result r = CliRunner.run("inspect", p.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> root = (Map<String, Object>) Json.parse(r.out());
        assertEquals(List.of("supported", "layers", "totals"), List.copyOf(root.keySet()));
        assertEquals(true, root.get("supported"));
        List<Map<String, Object>> layers = (List<Map<String, Object>>) root.get("layers");
        assertEquals(5, layers.size());
        for (Map<String, Object> l : layers) {
            assertEquals(List.of("name", "type", "bottoms", "tops", "outputShapes", "params", "macs"),
                    List.copyOf(l.keySet()));
        }
        Map<String, Object> conv = layers.get(1);
        assertEquals("conv", conv.get("name"));
        assertEquals(List.of("data"), conv.get("bottoms"));
        assertEquals(List.of(List.of(1L, 4L, 6L, 6L)), conv.get("outputShapes"));
        assertEquals(108L, conv.get("params"));
        assertEquals(4L * 36 * 27, conv.get("macs"));
        assertEquals(0L, layers.get(2).get("params"), "BatchNorm statistics are not counted");
        assertEquals(8L, layers.get(3).get("params"));
        Map<String, Object> totals = (Map<String, Object>) root.get("totals");
        assertEquals(108L + 8 + 144 * 2 + 2, totals.get("params"));
        assertEquals(List.of("params", "macs"), List.copyOf(totals.keySet()));
    }

    @Test
    void tableEndsWithTotals() throws Exception {
        Path p = dir.resolve("t.prototxt");
        Files.writeString(p, NET);
        CliRunner.Result r = CliRunner.run("inspect", p.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("total "), r.out());
        assertTrue(r.out().contains("data -> conv"), r.out());
    }

    @Test
    void exitCodesTellErrorsApart() throws Exception {
        assertEquals(ExitCode.IO, CliRunner.run("inspect", dir.resolve("missing.prototxt").toString()).code());
        Path bad = dir.resolve("bad.prototxt");
        Files.writeString(bad, "layer { name: \"x\" type: \"Nope\" top: \"x\" }\n");
        CliRunner.Result r = CliRunner.run("inspect", bad.toString());
        assertEquals(ExitCode.BAD_MODEL, r.code());
        assertTrue(r.err().contains("unsupported layer type: Nope (1 layer: x)"), r.err());
        assertFalse(r.err().contains("at org."), "no stack trace without --debug: " + r.err());
        assertTrue(CliRunner.run("inspect", bad.toString(), "--debug").err().contains("at org."));
        assertEquals(ExitCode.USAGE, CliRunner.run("inspect", "--no-such-flag", bad.toString()).code());
        assertEquals(ExitCode.USAGE, CliRunner.run("frobnicate").code());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aNetThatDoesNotImportGivesTheReportAsTextOrJson() throws Exception {
        Path bad = dir.resolve("report.prototxt");
        Files.writeString(bad, """
                layer { name: "d" type: "Data" top: "data" top: "label" data_param { batch_size: 2 } }
                layer { name: "up" type: "DeformableConvolution" bottom: "data" top: "up"
                        convolution_param { num_output: 1 kernel_size: 2 glitter: 1 } }
                layer { name: "loss" type: "SoftmaxWithLoss" bottom: "up" bottom: "label" top: "loss" }
                """);
        CliRunner.Result text = CliRunner.run("inspect", bad.toString());
        assertEquals(ExitCode.BAD_MODEL, text.code());
        assertTrue(text.err().contains("unsupported layer type: DeformableConvolution (1 layer: up)"), text.err());
        assertTrue(text.err().contains(bad + ":3:") && text.err().contains("ConvolutionParameter.glitter"), text.err());
        assertTrue(text.err().contains("give --input-shape data=2,C,H,W"), text.err());
        CliRunner.Result json = CliRunner.run("inspect", bad.toString(), "--json");
        assertEquals(ExitCode.BAD_MODEL, json.code(), json.err());
        Map<String, Object> root = (Map<String, Object>) Json.parse(json.out());
        assertEquals(List.of("supported", "file", "unsupportedTypes", "unknownFields", "shapesNeeded", "leftOut"),
                List.copyOf(root.keySet()));
        assertEquals(false, root.get("supported"));
        assertEquals(Map.of("DeformableConvolution", List.of("up")), root.get("unsupportedTypes"));
        Map<String, Object> field = ((List<Map<String, Object>>) root.get("unknownFields")).get(0);
        assertEquals(List.of(3L, "up", "DeformableConvolution", "glitter"), List.of(field.get("line"), field.get("layer"),
                field.get("type"), field.get("field")));
        assertEquals("--input-shape data=2,C,H,W",
                ((List<Map<String, Object>>) root.get("shapesNeeded")).get(0).get("example"));
        assertEquals(List.of("d", "loss"), ((List<Map<String, Object>>) root.get("leftOut")).stream()
                .map(l -> l.get("layer")).toList());
    }

    @Test
    void inspectWithWeightsReportsIgnoredLayers() throws Exception {
        Path base = TestData.requireShared("caffe-conformance/trained/kpzhang93_MTCNN_face_detection_alignment");
        CliRunner.Result r = CliRunner.run("inspect", base.resolve("det2.prototxt").toString(),
                base.resolve("det2.caffemodel").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("10 layers took 16 blobs"), r.out());
        assertTrue(r.out().contains("conv5-3 (InnerProduct): [10x128, 10]"), r.out());
    }
}
