package org.senet4j.nativefmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;

/**
 * What {@link NativeReaderErrorsTest} leaves out: JSON nested to any depth (in the header and in the graph text),
 * numbers beyond 64 bits or beyond a float, unterminated strings and a graph of absurd declared size. Each is a
 * ModelException naming the file, in bounded time; never a StackOverflowError or an OutOfMemoryError.
 */
class NativeHostileInputTest {
    private static final Duration LIMIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Path good;

    @BeforeEach
    void writeGoodFile() throws Exception {
        good = dir.resolve("good.senet4j");
        NativeWriter.write(CaffeImporter.load(TestData.testdata().resolve("ops_zoo.prototxt"),
                TestData.testdata().resolve("ops_zoo/model.caffemodel")).graph(), good);
    }

    private static ModelException rejects(Path file, String... parts) {
        ModelException e = assertTimeoutPreemptively(LIMIT, () -> assertThrows(ModelException.class,
                () -> NativeReader.read(file)));
        assertEquals(file, e.file(), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "\"" + p + "\" missing from: " + e.getMessage());
        }
        return e;
    }

    private Path header(String name, String json) throws Exception {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return RawFile.writeRaw(dir.resolve(name + ".senet4j"), h.length, h, new byte[0]);
    }

    @Test
    void deepNesting() throws Exception {
        for (int depth : new int[] {300, 1_000_000}) {
            rejects(header("deep-list" + depth, "{\"a\":" + "[".repeat(depth) + "]".repeat(depth) + "}"),
                    "nested too deeply");
            rejects(header("deep-object" + depth, "{\"a\":" + "{\"b\":".repeat(depth) + "1" + "}".repeat(depth)
                    + "}"), "nested too deeply");
            rejects(header("unbalanced" + depth, "{\"a\":" + "[".repeat(depth)), "malformed JSON");
            String graph = "[".repeat(depth) + "]".repeat(depth);
            RawFile f = RawFile.read(good);
            f.metadata().put("graph", graph);
            rejects(f.write(dir.resolve("deep-graph" + depth + ".senet4j")), "__metadata__.graph",
                    "nested too deeply");
        }
    }

    @Test
    void numbersOutOfRange() throws Exception {
        RawFile f = RawFile.read(good);
        String text = "{\"__metadata__\":" + jsonOf(f) + ",\"x\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[0,99999999999999999999999]}}";
        rejects(header("bigint", text), "bad number");
        rejects(header("bigdim", "{\"x\":{\"dtype\":\"F32\",\"shape\":[1e999],\"data_offsets\":[0,4]}}"),
                "tensor \"x\"");
        RawFile g = RawFile.read(good);
        java.util.Map<String, Object> graph = g.graph();
        RawFile.attrs(RawFile.node(graph, "mvn")).put("eps", 1e300);
        g.setGraph(graph);
        rejects(g.write(dir.resolve("bigfloat.senet4j")), "layer \"mvn\"", "attrs.eps", "out of the range of a float");
        RawFile h = RawFile.read(good);
        java.util.Map<String, Object> graph2 = h.graph();
        RawFile.attrs(RawFile.node(graph2, "conv_hw")).put("num_output", 99999999999L);
        h.setGraph(graph2);
        rejects(h.write(dir.resolve("bigint-attr.senet4j")), "layer \"conv_hw\"", "attrs.num_output",
                "out of the range of a 32-bit integer");
    }

    @Test
    void unterminatedAndControlCharacters() throws Exception {
        rejects(header("unterminated", "{\"a\":\"never closed  "), "malformed JSON", "unterminated string");
        rejects(header("control", "{\"a\":\"x\ny\"}"), "malformed JSON", "control character");
        rejects(header("escape", "{\"a\":\"\\u12\"}"), "malformed JSON");
    }

    @Test
    void hugeShapesInTheGraph() throws Exception {
        RawFile f = RawFile.read(good);
        java.util.Map<String, Object> graph = f.graph();
        RawFile.attrs(RawFile.node(graph, "data")).put("shapes", List.of(List.of(65536L, 65536L, 65536L, 65536L)));
        f.setGraph(graph);
        rejects(f.write(dir.resolve("hugeinput.senet4j")), "layer \"data\" (Input)",
                "holds more than 2147483647 values");
    }

    private static String jsonOf(RawFile f) {
        return org.senet4j.io.Json.write(f.metadata());
    }
}
