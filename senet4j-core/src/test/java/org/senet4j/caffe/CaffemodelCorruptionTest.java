package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senet4j.FuzzSupport;
import org.senet4j.ModelException;
import org.senet4j.TestData;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Tensor;

/**
 * Caffemodels written by real Caffe (testdata), corrupted on purpose: truncated at many offsets, tag and length bytes
 * flipped, wire types changed, sizes declared absurdly large or negative, lengths pointing past the end. Every case
 * ends, within a time limit, either in a ModelException that names the caffemodel and a byte offset or a layer, or
 * (when the change is harmless, as in a parameterless layer) in a graph whose weights are exactly the original ones:
 * never another exception, an OutOfMemoryError, a hang or silently different weights.
 */
class CaffemodelCorruptionTest {
    private static final Duration LIMIT = Duration.ofSeconds(5);

    private Path dir;

    @BeforeEach
    void scratch() throws Exception {
        dir = FuzzSupport.scratchDirectory("senet4j-corrupt");
    }

    @AfterEach
    void clean() throws Exception {
        FuzzSupport.deleteScratch(dir);
    }

    private int cases;
    private int harmless;

    /** The net and its weights as real Caffe wrote them, and the graph they load into. */
    private record Model(Path prototxt, byte[] bytes, Graph reference) {
    }

    private static Model model(String name) throws Exception {
        Path td = TestData.testdata();
        Path proto = td.resolve(name + ".prototxt");
        Path weights = td.resolve(name + "/model.caffemodel");
        return new Model(proto, Files.readAllBytes(weights), CaffeImporter.load(proto, weights).graph());
    }

    /** One corrupted file: a clear error or the original weights, in bounded time. */
    private void check(Model m, byte[] bytes, String what) throws Exception {
        cases++;
        Path f = dir.resolve("corrupt.caffemodel");
        Files.write(f, bytes);
        withinLimit(what, () -> {
            try (CaffemodelFile file = CaffemodelFile.open(f)) {
                for (CaffemodelFile.StoredLayer l : file.layers()) {
                    for (CaffemodelFile.StoredBlob b : l.blobs()) {
                        assertEquals(b.shape().count(), file.read(b).length, what);
                    }
                }
            } catch (ModelException e) {
                assertEquals(f, e.file(), what + ": " + e.getMessage());
                assertTrue(e.getMessage().contains(": byte ") || e.layer() != null || wholeFile(e),
                        what + ": no offset or layer in: " + e.getMessage());
                return;
            }
            try {
                Graph g = CaffeImporter.load(m.prototxt(), f).graph();
                assertSameWeights(m.reference(), g, what);
                harmless++;
            } catch (ModelException e) {
                assertTrue(e.getMessage().contains(f.toString()) && (e.layer() != null
                        || e.getMessage().contains(": byte ")), what + ": " + e.getMessage());
            }
        });
    }

    /** One case's work. */
    private interface Case {
        void run() throws Exception;
    }

    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "corruption-case");
        t.setDaemon(true);
        return t;
    });

    /** Runs one case on a worker thread (reused: thousands of cases) and fails it when it takes too long. */
    private static void withinLimit(String what, Case body) throws Exception {
        Future<?> f = WORKER.submit(() -> {
            body.run();
            return null;
        });
        try {
            f.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            fail(what + ": took more than " + LIMIT);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw (Exception) e.getCause();
        }
    }

    /** Errors about the file as a whole, where no offset says more. */
    private static boolean wholeFile(ModelException e) {
        return e.detail().startsWith("the file is empty") || e.detail().startsWith("no layers found");
    }

    private static void assertSameWeights(Graph expected, Graph actual, String what) {
        for (Node n : expected.nodes()) {
            Map<String, Tensor> w = actual.node(n.name()).op().weights();
            for (Map.Entry<String, Tensor> e : n.op().weights().entrySet()) {
                assertArrayEquals(e.getValue().toArray(), w.get(e.getKey()).toArray(),
                        what + ": weights of " + n.name() + "/" + e.getKey() + " changed silently");
            }
        }
    }

    // ----- the structure of the file: where tags and lengths are -------------------------------------------------

    /** A field of the file: where its tag and (for length-delimited fields) its length prefix are. */
    private record Field(int tagAt, int tagLen, int number, int wire, int lenAt, int lenLen, int valueAt,
                         int valueLen, int depth) {
    }

    /** Walks NetParameter, its layers (modern and V1), their blobs and the blobs' shapes. */
    private static List<Field> fields(byte[] b) {
        List<Field> out = new ArrayList<>();
        walk(b, 0, b.length, 0, out);
        return out;
    }

    private static void walk(byte[] b, int from, int to, int depth, List<Field> out) {
        int p = from;
        while (p < to) {
            int tagAt = p;
            long[] v = varint(b, p);
            p = (int) v[1];
            int number = (int) (v[0] >>> 3);
            int wire = (int) (v[0] & 7);
            int lenAt = -1;
            int lenLen = 0;
            int valueAt = p;
            int valueLen;
            switch (wire) {
                case 0 -> valueLen = (int) (varint(b, p)[1] - p);
                case 1 -> valueLen = 8;
                case 5 -> valueLen = 4;
                case 2 -> {
                    long[] len = varint(b, p);
                    lenAt = p;
                    lenLen = (int) (len[1] - p);
                    valueAt = (int) len[1];
                    valueLen = (int) len[0];
                }
                default -> throw new IllegalStateException("wire type " + wire + " at " + tagAt);
            }
            out.add(new Field(tagAt, valueAt - tagAt - lenLen, number, wire, lenAt, lenLen, valueAt, valueLen,
                    depth));
            boolean message = wire == 2 && (depth == 0 && (number == 100 || number == 2)
                    || depth == 1 && (number == 7 || number == 6) || depth == 2 && number == 7);
            if (message) {
                walk(b, valueAt, valueAt + valueLen, depth + 1, out);
            }
            p = valueAt + valueLen;
        }
    }

    /** {value, next position} of the varint at {@code p}. */
    private static long[] varint(byte[] b, int p) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b[p++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return new long[] {v, p};
            }
        }
    }

    private static byte[] encodeVarint(long v) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        while ((v & ~0x7fL) != 0) {
            o.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        o.write((int) v);
        return o.toByteArray();
    }

    /** {@code b} with {@code [at, at + len)} replaced by {@code with}. */
    private static byte[] splice(byte[] b, int at, int len, byte[] with) {
        byte[] out = new byte[b.length - len + with.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(with, 0, out, at, with.length);
        System.arraycopy(b, at + len, out, at + with.length, b.length - at - len);
        return out;
    }

    // ----- the cases ---------------------------------------------------------------------------------------------

    @Test
    void truncatedAtEveryByteOfASmallModel() throws Exception {
        Model m = model("ops_zoo");
        for (int cut = 0; cut < m.bytes().length; cut++) {
            check(m, Arrays.copyOf(m.bytes(), cut), "truncated at " + cut);
        }
        assertEquals(m.bytes().length, cases);
    }

    @Test
    void truncatedAtADenseSampleOfALargerModel() throws Exception {
        Model m = model("se_resnet_mini");
        TreeSet<Integer> cuts = new TreeSet<>();
        for (int i = 0; i < m.bytes().length; i += 29) {
            cuts.add(i);
        }
        for (Field f : fields(m.bytes())) {
            // just before, at and after every tag and every value's end
            for (int at : new int[] {f.tagAt(), f.valueAt() + f.valueLen()}) {
                for (int d = -1; d <= 1; d++) {
                    cuts.add(Math.max(0, Math.min(m.bytes().length - 1, at + d)));
                }
            }
        }
        for (int cut : cuts) {
            check(m, Arrays.copyOf(m.bytes(), cut), "truncated at " + cut);
        }
        assertTrue(cases > 3000, "cases: " + cases);
    }

    @Test
    void flippedTagAndLengthBytes() throws Exception {
        for (String name : List.of("ops_zoo", "se_resnet_mini")) {
            Model m = model(name);
            List<Field> fields = fields(m.bytes());
            int step = name.equals("ops_zoo") ? 1 : 10;
            for (int i = 0; i < fields.size(); i += step) {
                Field f = fields.get(i);
                List<Integer> positions = new ArrayList<>();
                for (int k = 0; k < f.tagLen(); k++) {
                    positions.add(f.tagAt() + k);
                }
                for (int k = 0; k < f.lenLen(); k++) {
                    positions.add(f.lenAt() + k);
                }
                for (int at : positions) {
                    for (int mask : new int[] {0x01, 0x10, 0x80, 0xff}) {
                        byte[] b = m.bytes().clone();
                        b[at] ^= (byte) mask;
                        check(m, b, name + ": byte " + at + " ^ 0x" + Integer.toHexString(mask));
                    }
                    byte[] zero = m.bytes().clone();
                    zero[at] = 0;
                    check(m, zero, name + ": byte " + at + " = 0");
                }
            }
        }
        assertTrue(cases > 1500, "cases: " + cases);
    }

    @Test
    void wrongWireTypes() throws Exception {
        for (String name : List.of("ops_zoo", "se_resnet_mini")) {
            Model m = model(name);
            List<Field> fields = fields(m.bytes());
            int step = name.equals("ops_zoo") ? 1 : 6;
            for (int i = 0; i < fields.size(); i += step) {
                Field f = fields.get(i);
                for (int wire = 0; wire < 8; wire++) {
                    if (wire != f.wire()) {
                        byte[] b = m.bytes().clone();
                        b[f.tagAt()] = (byte) ((b[f.tagAt()] & ~7) | wire);
                        check(m, b, name + ": field " + f.number() + " at byte " + f.tagAt() + " as wire type "
                                + wire);
                    }
                }
            }
        }
    }

    @Test
    void absurdDeclaredSizes() throws Exception {
        long[] sizes = {Long.MAX_VALUE, -1L, Long.MIN_VALUE, 1L << 62, 1L << 32, (1L << 32) + 4, Integer.MAX_VALUE,
            (long) Integer.MAX_VALUE + 1};
        for (String name : List.of("ops_zoo", "se_resnet_mini")) {
            Model m = model(name);
            List<Field> lengths = fields(m.bytes()).stream().filter(f -> f.wire() == 2).toList();
            int step = name.equals("ops_zoo") ? 1 : 10;
            for (int i = 0; i < lengths.size(); i += step) {
                Field f = lengths.get(i);
                for (long size : sizes) {
                    check(m, splice(m.bytes(), f.lenAt(), f.lenLen(), encodeVarint(size)),
                            name + ": length at byte " + f.lenAt() + " = " + Long.toUnsignedString(size));
                }
                // the same length as a 10-byte varint (legal protobuf, if unusual) reads the same
                byte[] padded = Arrays.copyOf(encodeVarint(f.valueLen()), 10);
                for (int k = 0; k < 9; k++) {
                    padded[k] |= (byte) 0x80;
                }
                check(m, splice(m.bytes(), f.lenAt(), f.lenLen(), padded), name + ": 10-byte length at " + f.lenAt());
                // an 11-byte varint is malformed
                byte[] eleven = new byte[11];
                Arrays.fill(eleven, (byte) 0xff);
                eleven[10] = 1;
                check(m, splice(m.bytes(), f.lenAt(), f.lenLen(), eleven), name + ": 11-byte varint at " + f.lenAt());
                // a length one past the end of the enclosing message, and one past the end of the file
                check(m, splice(m.bytes(), f.lenAt(), f.lenLen(), encodeVarint(f.valueLen() + 1L)),
                        name + ": length + 1 at " + f.lenAt());
                check(m, splice(m.bytes(), f.lenAt(), f.lenLen(), encodeVarint(m.bytes().length)),
                        name + ": file-sized length at " + f.lenAt());
            }
        }
    }

    @Test
    void negativeAndHugeBlobDimensions() throws Exception {
        Model m = model("ops_zoo");
        int shapes = 0;
        for (Field f : fields(m.bytes())) {
            if (f.depth() == 3 && f.number() == 1) {
                // BlobShape.dim, packed: replace the whole packed list with one absurd dimension
                for (long dim : new long[] {-5, 0, Integer.MAX_VALUE + 1L, Long.MAX_VALUE, 65536L * 65536}) {
                    byte[] v = encodeVarint(dim);
                    byte[] field = concat(encodeVarint(v.length), v);
                    byte[] b = splice(m.bytes(), f.lenAt(), f.lenLen() + f.valueLen(), field);
                    check(m, fixLengths(m.bytes(), f, b, field.length - f.lenLen() - f.valueLen()),
                            "blob shape at " + f.tagAt() + " = [" + dim + "]");
                }
                shapes++;
            }
        }
        assertTrue(shapes >= 10, "shapes: " + shapes);
        // legacy num/channels/height/width: negative (a 10-byte varint) and huge
        ByteArrayOutputStream legacy = new ByteArrayOutputStream();
        for (long[] nchw : new long[][] {{1, 1, -2, 3}, {1, 1, 1L << 40, 1}, {65536, 65536, 1, 1}}) {
            legacy.reset();
            for (int i = 0; i < 4; i++) {
                legacy.write(i + 1 << 3);
                legacy.writeBytes(encodeVarint(nchw[i]));
            }
            byte[] blob = concat(new byte[] {7 << 3 | 2}, encodeVarint(legacy.size()), legacy.toByteArray());
            byte[] layer = concat(new byte[] {1 << 3 | 2, 1, 'x'}, blob);
            byte[] net = concat(encodeVarint(100 << 3 | 2), encodeVarint(layer.length), layer);
            check(m, net, "legacy dims " + Arrays.toString(nchw));
        }
    }

    /** {@code after} (= {@code before} with field {@code f} grown by {@code delta}) with its enclosing lengths fixed. */
    private static byte[] fixLengths(byte[] before, Field f, byte[] after, int delta) {
        if (delta == 0) {
            return after;
        }
        // enclosing messages, innermost last: rewrite their lengths from the outside in
        List<Field> enclosing = new ArrayList<>();
        for (Field g : fields(before)) {
            if (g.wire() == 2 && g.depth() < f.depth() && g.valueAt() <= f.tagAt()
                    && f.tagAt() < g.valueAt() + g.valueLen()) {
                enclosing.add(g);
            }
        }
        byte[] out = after;
        int shift = 0;
        for (Field g : enclosing) {
            byte[] len = encodeVarint(g.valueLen() + delta);
            out = splice(out, g.lenAt() + shift, g.lenLen(), len);
            shift += len.length - g.lenLen();
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    /**
     * Huge parameter fields (sparse files: no disk, no time): only blob data may be large, so these are refused
     * before anything is copied into memory.
     */
    @Test
    void hugeParameterFieldsAreRefusedBeforeTheyAreRead() throws Exception {
        Model m = model("ops_zoo");
        long huge = 1L << 31; // more than any heap this test runs with would like to copy
        byte[] unknownField = concat(encodeVarint(99 << 3 | 2), encodeVarint(huge));
        byte[] name = concat(encodeVarint(1 << 3 | 2), encodeVarint(huge));
        byte[][] heads = {
            unknownField, // net level
            concat(encodeVarint(100 << 3 | 2), encodeVarint(huge + unknownField.length), unknownField), // layer
            concat(encodeVarint(100 << 3 | 2), encodeVarint(huge + name.length), name), // layer name
        };
        String[] expected = {"net-level fields take more than", "the fields of this layer", "layer name of"};
        for (int i = 0; i < heads.length; i++) {
            Path f = dir.resolve("huge" + i + ".caffemodel");
            try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
                raf.write(heads[i]);
                raf.setLength(heads[i].length + huge);
            }
            int k = i;
            withinLimit("huge field " + i, () -> {
                ModelException e = org.junit.jupiter.api.Assertions.assertThrows(ModelException.class,
                        () -> CaffemodelFile.open(f));
                assertEquals(f, e.file());
                assertTrue(e.getMessage().contains(expected[k]) && e.getMessage().contains(": byte "),
                        e.getMessage());
            });
            Files.delete(f);
        }
        assertTrue(m.bytes().length > 0);
    }

    @Test
    void garbageAndEmptyFiles() throws Exception {
        Model m = model("ops_zoo");
        check(m, new byte[0], "empty");
        check(m, "layer { name: \"conv\" }\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "text");
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 300; i++) {
            byte[] b = new byte[1 + r.nextInt(512)];
            r.nextBytes(b);
            check(m, b, "random bytes #" + i);
        }
        byte[] ff = new byte[64];
        Arrays.fill(ff, (byte) 0xff);
        check(m, ff, "0xff bytes");
    }

    /** Sanity of the walker itself: it finds every layer and blob of the file. */
    @Test
    void walkerSeesTheWholeStructure() throws Exception {
        Model m = model("ops_zoo");
        List<Field> f = fields(m.bytes());
        try (CaffemodelFile file = CaffemodelFile.open(TestData.testdata().resolve("ops_zoo/model.caffemodel"))) {
            assertEquals(file.layers().size(), f.stream().filter(x -> x.depth() == 0 && x.number() == 100).count());
            assertEquals(file.layers().stream().mapToLong(l -> l.blobs().size()).sum(),
                    f.stream().filter(x -> x.depth() == 1 && x.number() == 7).count());
        }
        if (cases != 0) {
            fail("no check expected");
        }
    }
}
