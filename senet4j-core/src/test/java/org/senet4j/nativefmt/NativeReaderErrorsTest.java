package org.senet4j.nativefmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.ir.Graph;

/** Headers that lie, truncated files and corrupted bytes give a ModelException naming the file and the problem. */
class NativeReaderErrorsTest {
    @TempDir
    Path dir;

    private Path good;
    private Graph graph;

    @BeforeEach
    void writeGoodFile() throws Exception {
        graph = NativeFixtures.withRandomWeights(
                CaffeImporter.load(TestData.testdata().resolve("se_resnet_mini.prototxt"), null).graph(), 11);
        good = dir.resolve("good.senet4j");
        NativeWriter.write(graph, good);
    }

    /** Reading {@code file} fails with a message naming the file and containing every {@code parts}. */
    private static ModelException rejects(Path file, String... parts) {
        ModelException e = assertThrows(ModelException.class, () -> NativeReader.read(file));
        String msg = e.getMessage();
        assertTrue(msg.startsWith(file.toString() + ": "), "message should name the file: " + msg);
        assertEquals(file, e.file());
        for (String p : parts) {
            assertTrue(msg.contains(p), "message should contain \"" + p + "\": " + msg);
        }
        return e;
    }

    /** A copy of the good file with its header changed by {@code change}. */
    private Path forged(String name, Consumer<RawFile> change) throws Exception {
        RawFile f = RawFile.read(good);
        change.accept(f);
        return f.write(dir.resolve(name + ".senet4j"));
    }

    private Path forgedGraph(String name, Consumer<Map<String, Object>> change) throws Exception {
        return forged(name, f -> {
            Map<String, Object> g = f.graph();
            change.accept(g);
            f.setGraph(g);
        });
    }

    private Path withLengthField(String name, long length) throws Exception {
        byte[] all = Files.readAllBytes(good);
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return Files.write(dir.resolve(name + ".senet4j"), all);
    }

    @Test
    void goodFileReads() throws Exception {
        NativeFixtures.assertSameGraph(graph, NativeReader.read(good));
    }

    @Test
    void headerLengthLargerThanTheFile() throws Exception {
        rejects(withLengthField("long", Files.size(good) - 7), "header length", "exceeds", "truncated");
    }

    @Test
    void absurdHeaderLengths() throws Exception {
        rejects(withLengthField("huge", 200_000_000L), "header length 200000000", "limit of 100000000");
        rejects(withLengthField("negative", -1L), "header length 18446744073709551615", "limit");
        rejects(withLengthField("zero", 0), "header length 0", "too small");
    }

    @Test
    void tooShortForTheLengthField() throws Exception {
        rejects(Files.write(dir.resolve("short.senet4j"), new byte[] {1, 2, 3}), "3 bytes", "too short");
        rejects(Files.write(dir.resolve("empty.senet4j"), new byte[0]), "0 bytes", "too short");
    }

    @Test
    void malformedHeaderJson() throws Exception {
        byte[] h = "{\"a\":   ".getBytes(StandardCharsets.US_ASCII);
        rejects(RawFile.writeRaw(dir.resolve("json.senet4j"), h.length, h, new byte[0]), "header", "malformed JSON");
        byte[] dup = "{\"a\":1,\"a\":2}  ".getBytes(StandardCharsets.US_ASCII);
        rejects(RawFile.writeRaw(dir.resolve("dup.senet4j"), dup.length, dup, new byte[0]), "duplicate key");
        byte[] list = "[1,2,3]\n".getBytes(StandardCharsets.US_ASCII);
        rejects(RawFile.writeRaw(dir.resolve("list.senet4j"), list.length, list, new byte[0]),
                "does not start with '{'");
        byte[] bad = {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}'};
        rejects(RawFile.writeRaw(dir.resolve("utf8.senet4j"), bad.length, bad, new byte[0]), "not valid UTF-8");
    }

    @Test
    void dtypes() throws Exception {
        rejects(forged("nodtype", f -> f.tensor("conv1/weight").remove("dtype")),
                "tensor \"conv1/weight\".dtype", "missing");
        rejects(forged("unknowndtype", f -> f.tensor("conv1/weight").put("dtype", "F33")),
                "unknown dtype \"F33\"");
        rejects(forged("f16", f -> f.tensor("conv1/weight").put("dtype", "F16")), "F16 is not supported");
        rejects(forged("numdtype", f -> f.tensor("conv1/weight").put("dtype", 32L)), "dtype", "expected a string");
    }

    @Test
    void offsets() throws Exception {
        long dataLength = RawFile.read(good).data.length;
        rejects(forged("outside", f -> f.tensor("conv1/weight").put("data_offsets",
                List.of(dataLength - 4, dataLength - 4 + 16 * 3 * 7 * 7 * 4))), "outside the data section");
        rejects(forged("reversed", f -> f.tensor("conv1/weight").put("data_offsets", List.of(100L, 0L))),
                "begin 100 is after end 0");
        rejects(forged("negative", f -> f.tensor("conv1/weight").put("data_offsets", List.of(-4L, 0L))),
                "negative offset");
        rejects(forged("onevalue", f -> f.tensor("conv1/weight").put("data_offsets", List.of(0L))),
                "expected [begin, end]");
        rejects(forged("float", f -> f.tensor("conv1/weight").put("data_offsets", List.of(0.0, 4.0))),
                "expected an integer");
        rejects(forged("overlap", f -> {
            List<?> off = (List<?>) f.tensor("conv1/weight").get("data_offsets");
            long b = (Long) off.get(0) + 4;
            Map<String, Object> other = f.tensor("conv1/bn/mean");
            List<?> o = (List<?>) other.get("data_offsets");
            long len = (Long) o.get(1) - (Long) o.get(0);
            other.put("data_offsets", List.of(b, b + len));
        }), "overlap", "conv1/weight", "conv1/bn/mean");
    }

    @Test
    void shapes() throws Exception {
        rejects(forged("count", f -> f.tensor("conv1/weight").put("shape", List.of(16L, 3L, 7L, 6L))),
                "holds 9408 bytes", "shape 16x3x7x6", "needs 8064 bytes");
        rejects(forged("negdim", f -> f.tensor("conv1/weight").put("shape", List.of(16L, -3L, 7L, 7L))),
                "negative dimension -3");
        rejects(forged("hugedims", f -> f.tensor("conv1/weight").put("shape",
                List.of(2147483647L, 2147483647L, 2147483647L, 4L))), "needs more than that");
        rejects(forged("bigdim", f -> f.tensor("conv1/weight").put("shape", List.of(1L << 40))), "too large");
        rejects(forged("noshape", f -> f.tensor("conv1/weight").remove("shape")), "shape: missing");
        rejects(forged("extrakey", f -> f.tensor("conv1/weight").put("crc", 1L)), "crc", "unknown key");
    }

    @Test
    void weightShapeTheOpCannotTakeNamesTheNode() throws Exception {
        ModelException e = rejects(forged("opshape", f -> f.tensor("conv1/weight").put("shape",
                List.of(16L, 21L, 7L, 1L))), "layer \"conv1\" (Convolution)", "expected shape 16x3x7x7",
                "got 16x21x7x1");
        assertEquals("conv1", e.layer());
    }

    @Test
    void tensorReferencedButMissing() throws Exception {
        rejects(forged("missing", f -> f.header.remove("conv1/bn/variance")), "layer \"conv1/bn\" (BatchNorm)",
                "weights.variance", "tensor \"conv1/bn/variance\" is not in the file's header");
        rejects(forgedGraph("noweightref", g -> ((Map<?, ?>) RawFile.node(g, "conv1").get("weights")).clear()),
                "layer \"conv1\" (Convolution)", "weights.weight", "missing");
        rejects(forgedGraph("extraweight", g -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> w = (Map<String, Object>) RawFile.node(g, "conv1").get("weights");
            w.put("gamma", "conv1/bn/mean");
        }), "weights.gamma", "unknown weight");
    }

    @Test
    void metadata() throws Exception {
        rejects(forged("metanum", f -> f.metadata().put("labels", 3L)), "__metadata__.labels",
                "expected a string");
        rejects(forged("nometa", f -> f.header.remove("__metadata__")), "not a senet4j model");
        rejects(forged("otherformat", f -> f.metadata().put("format", "pt")), "\"pt\"", "not a senet4j model");
        rejects(forged("newer", f -> f.metadata().put("format_version", "2")), "version \"2\"", "newer");
        rejects(forged("nograph", f -> f.metadata().remove("graph")), "__metadata__.graph", "missing");
    }

    @Test
    void graphJson() throws Exception {
        rejects(forged("graphjson", f -> f.metadata().put("graph", "{\"name\":\"x\",")), "__metadata__.graph",
                "malformed JSON");
        rejects(forged("graphlist", f -> f.metadata().put("graph", "[]")), "graph", "expected an object");
        rejects(forgedGraph("unknownop", g -> RawFile.node(g, "conv1").put("op", "Frobnicate")),
                "layer \"conv1\" (Convolution)", "unknown op \"Frobnicate\"", "known ops: Input, Convolution");
        rejects(forgedGraph("unknownvalue", g -> RawFile.node(g, "pool1").put("inputs", List.of("nowhere"))),
                "layer \"pool1\"", "value \"nowhere\" is not produced");
        rejects(forgedGraph("unknownoutput", g -> g.put("outputs", List.of("nowhere"))), "graph output",
                "nowhere");
        rejects(forgedGraph("inputs", g -> g.put("inputs", List.of())), "graph.inputs", "disagree");
        rejects(forgedGraph("nodekey", g -> RawFile.node(g, "conv1").put("colour", "red")),
                "layer \"conv1\"", "colour: unknown key");
        rejects(forgedGraph("noattrs", g -> RawFile.node(g, "conv1").remove("attrs")), "attrs: missing");
        rejects(forgedGraph("nonodes", g -> g.put("nodes", "many")), "graph.nodes", "expected a list");
        rejects(forgedGraph("blobs", g -> RawFile.node(g, "conv1").put("blobs", List.of())), "0 blobs for 1");
        rejects(forgedGraph("dupnode", g -> RawFile.node(g, "pool1").put("name", "conv1")),
                "another layer has the same name");
    }

    @Test
    void attributes() throws Exception {
        rejects(forgedGraph("attrmissing", g -> RawFile.attrs(RawFile.node(g, "conv1")).remove("kernel_h")),
                "layer \"conv1\" (Convolution)", "attrs.kernel_h", "missing");
        rejects(forgedGraph("attrunknown", g -> RawFile.attrs(RawFile.node(g, "conv1")).put("bias_term", true)),
                "attrs.bias_term", "unknown attribute");
        rejects(forgedGraph("attrtype", g -> RawFile.attrs(RawFile.node(g, "conv1")).put("group", "two")),
                "attrs.group", "expected an integer");
        rejects(forgedGraph("attrrange", g -> RawFile.attrs(RawFile.node(g, "conv1")).put("group", 1L << 33)),
                "attrs.group", "out of the range");
        rejects(forgedGraph("attrinvalid", g -> RawFile.attrs(RawFile.node(g, "conv1")).put("stride_h", 0L)),
                "layer \"conv1\"", "strideH must be positive");
        rejects(forgedGraph("enum", g -> RawFile.attrs(RawFile.node(g, "pool1")).put("method", "MEDIAN")),
                "attrs.method", "unknown value \"MEDIAN\", expected one of [MAX, AVE, STOCHASTIC]");
        rejects(forgedGraph("float", g -> RawFile.attrs(RawFile.node(g, "conv1/bn")).put("eps", "tiny")),
                "attrs.eps", "\"tiny\" is not a float");
        rejects(forgedGraph("act", g -> castMap(RawFile.attrs(RawFile.node(g, "conv1")).get("activation"))
                .put("kind", "GELU")), "attrs.activation.kind", "GELU");
        rejects(forgedGraph("overflow", g -> RawFile.attrs(RawFile.node(g, "conv1")).put("pad_h", 1L << 30)),
                "layer \"conv1\" (Convolution)");
        rejects(forgedGraph("storedshape", g -> RawFile.node(g, "pool1").put("shapes",
                List.of(List.of(1L, 16L, 8L, 8L)))), "layer \"pool1\"", "stored shape 1x16x8x8",
                "disagrees with the inferred 1x16x9x9");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }

    @Test
    void outputCountsCannotLie() throws Exception {
        Path all = dir.resolve("all.senet4j");
        NativeWriter.write(NativeFixtures.allOps(), all);
        good = all;
        rejects(forgedGraph("slice", g -> RawFile.attrs(RawFile.node(g, "slice_eq")).put("outputs",
                (long) Integer.MAX_VALUE)), "layer \"slice_eq\" (Slice)", "attrs.outputs", "does not match");
        rejects(forgedGraph("split", g -> RawFile.attrs(RawFile.node(g, "split")).put("outputs", 1L << 30)),
                "layer \"split\" (Split)", "attrs.outputs");
        rejects(forgedGraph("input", g -> RawFile.attrs(RawFile.node(g, "data")).put("shapes",
                List.of(List.of(1L, 2L)))), "layer \"data\" (Input)", "1 shapes for 2 outputs");
    }

    @Test
    void truncatedFilesAreRejectedAtEveryOffset() throws Exception {
        byte[] all = Files.readAllBytes(good);
        long dataStart = 8 + ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        Path t = dir.resolve("truncated.senet4j");
        // every offset of the length field and around the header's end, every 17th in the header, every 61st after
        TreeSet<Integer> cuts = new TreeSet<>();
        for (int i = 0; i < 64; i++) {
            cuts.add(i);
            cuts.add((int) dataStart - 32 + i);
        }
        for (int i = 64; i < dataStart; i += 17) {
            cuts.add(i);
        }
        for (int i = (int) dataStart; i < all.length; i += 61) {
            cuts.add(i);
        }
        cuts.add(all.length - 4);
        cuts.add(all.length - 1);
        for (int cut : cuts) {
            Files.write(t, Arrays.copyOf(all, cut));
            assertThrows(ModelException.class, () -> NativeReader.read(t), "truncated at " + cut);
        }
    }

    /**
     * A few hundred corrupted headers: random bytes flipped (some in the length field), and digits replaced by other digits (which keeps the
     * JSON valid and so reaches the deeper checks). Each read ends in a ModelException or, when the change was
     * harmless, a graph that writes and reads back to itself: never another exception, an OutOfMemoryError or a hang.
     */
    @Test
    void corruptedHeadersNeverEscapeAsOtherExceptions() throws Exception {
        byte[] all = Files.readAllBytes(good);
        int headerEnd = (int) (8 + ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
        List<Integer> digits = new ArrayList<>();
        for (int i = 8; i < headerEnd; i++) {
            if (all[i] >= '0' && all[i] <= '9') {
                digits.add(i);
            }
        }
        Random r = new Random(20240601);
        Path f = dir.resolve("fuzz.senet4j");
        Path again = dir.resolve("fuzz-again.senet4j");
        int[] outcome = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int it = 0; it < 600; it++) {
                byte[] b = all.clone();
                int flips = 1 + r.nextInt(3);
                for (int k = 0; k < flips; k++) {
                    if (it % 10 == 0) {
                        b[r.nextInt(8)] ^= (byte) (1 << r.nextInt(8));
                    } else if (it % 2 == 0) {
                        b[r.nextInt(headerEnd)] ^= (byte) (1 + r.nextInt(255));
                    } else {
                        b[digits.get(r.nextInt(digits.size()))] = (byte) ('0' + r.nextInt(10));
                    }
                }
                Files.write(f, b);
                try {
                    Graph g = NativeReader.read(f);
                    NativeWriter.write(g, again);
                    NativeFixtures.assertSameGraph(g, NativeReader.read(again));
                    outcome[0]++;
                } catch (ModelException e) {
                    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
                    outcome[1]++;
                } catch (Throwable e) {
                    fail("iteration " + it + ": " + e, e);
                }
            }
        });
        System.out.println("[native fuzz] 600 corrupted headers: " + outcome[1] + " rejected, " + outcome[0]
                + " harmless");
        assertTrue(outcome[1] > 300);
    }

    @Test
    void tokenCountBoundsTheParse() {
        assertEquals(1, JsonInput.tokens("1"));
        assertEquals(6, JsonInput.tokens("{\"a\":[1,2]}"));
        assertEquals(3, JsonInput.tokens("[\"{[,:\\\"\"]"));
    }
}
