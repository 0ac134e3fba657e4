package org.senet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.io.Json;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.verify.SeededWeights;

/**
 * The command line and the engines on Embed, Parameter, SPP, Im2col and BatchReindex: inspect lists them (and draws
 * them), Filter is refused with its reason (exit 3), and an index the op cannot take is an error naming the layer on
 * every engine instead of garbage.
 */
class MiscOpsCliTest {
    @TempDir
    Path dir;

    static final String FILTER = """
            name: "f"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 4 dim: 3 dim: 2 dim: 2 } } }
            layer { name: "sel" type: "Input" top: "sel" input_param { shape { dim: 4 } } }
            layer { name: "keep" type: "Filter" bottom: "data" bottom: "sel" top: "kept" }
            layer { name: "relu" type: "ReLU" bottom: "kept" top: "kept" }
            """;

    @Test
    @SuppressWarnings("unchecked")
    void filterIsRefusedBecauseItsOutputSizeDependsOnTheData() throws Exception {
        Path p = Files.writeString(dir.resolve("filter.prototxt"), FILTER);
        String label = "Filter (its output size depends on the data: one item per non-zero selector value)";
        CliRunner.Result text = CliRunner.run("inspect", p.toString());
        assertEquals(ExitCode.BAD_MODEL, text.code(), text.err());
        assertTrue(text.err().contains("unsupported layer type: " + label + " (1 layer: keep)"), text.err());
        CliRunner.Result json = CliRunner.run("inspect", p.toString(), "--json");
        assertEquals(ExitCode.BAD_MODEL, json.code(), json.err());
        Map<String, Object> root = (Map<String, Object>) Json.parse(json.out());
        assertEquals(Map.of(label, List.of("keep")), root.get("unsupportedTypes"));
        CliRunner.Result convert = CliRunner.run("convert", p.toString(), "-o", dir.resolve("f.onnx").toString());
        assertEquals(ExitCode.BAD_MODEL, convert.code(), convert.err());
        assertTrue(convert.err().contains(label), convert.err());
    }

    @Test
    void inspectListsTheNewLayers() throws Exception {
        Path base = TestData.testdata();
        Path svg = dir.resolve("misc.svg");
        CliRunner.Result r = CliRunner.run("inspect", base.resolve("misc_ops.prototxt").toString(),
                base.resolve("misc_ops/model.caffemodel").toString(), "--svg", svg.toString());
        assertEquals(0, r.code(), r.err());
        for (String row : List.of("emb +Embed +am -> emb +1x1x9x11x3 +15 .*", "spp +SPP +conv -> spp +1x84 .*",
                "table +Parameter + -> table +4x3x2 +24 .*", "shift +Parameter + -> shift +scalar +1 .*",
                "i2c +Im2col +scaled -> i2c +1x18x4x9 .*", "picked +BatchReindex +table, order -> picked +1x3x2 .*")) {
            assertTrue(r.out().lines().anyMatch(l -> l.matches(row)), row + " in:\n" + r.out());
        }
        assertTrue(Files.readString(svg).contains("BatchReindex"));
    }

    @Test
    void indicesOutsideTheTableAreAnErrorNamingTheLayerOnEveryEngine() throws Exception {
        Path p = Files.writeString(dir.resolve("embed.prototxt"), """
                name: "e"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 3 dim: 3 } } }
                layer { name: "idx" type: "Input" top: "idx" input_param { shape { dim: 3 } } }
                layer { name: "emb" type: "Embed" bottom: "idx" top: "emb" embed_param { num_output: 2 input_dim: 4 } }
                layer { name: "re" type: "BatchReindex" bottom: "data" bottom: "idx" top: "re" }
                """);
        Graph g = SeededWeights.fill(CaffeImporter.load(p, null).graph(), 1);
        Graph g3 = g.withBatchSize(3);
        HostTensor data = new HostTensor(Shape.of(3, 2, 3, 3), new float[54]);
        for (String device : List.of("reference", "cpu")) {
            try (Engine e = Engines.create(device, g3, EngineOptions.DEFAULT)) {
                // valid for both: indices below 3 (the batch) and 4 (the table)
                e.run(Map.of("data", data, "idx", new HostTensor(Shape.of(3), new float[] {2, 0, 2.5f})));
                IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> e.run(Map.of("data",
                        data, "idx", new HostTensor(Shape.of(3), new float[] {0, 4, 1}))));
                assertTrue(x.getMessage().contains("layer \"emb\"") && x.getMessage().contains("input_dim 4"),
                        device + ": " + x.getMessage());
                x = assertThrows(IllegalArgumentException.class, () -> e.run(Map.of("data", data, "idx",
                        new HostTensor(Shape.of(3), new float[] {0, 3, 1}))));
                assertTrue(x.getMessage().contains("layer \"re\"") && x.getMessage().contains("[0, 3)"),
                        device + ": " + x.getMessage());
            }
        }
    }
}
