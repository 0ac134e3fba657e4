package org.senet4j.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.io.FileStamp;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.nativefmt.NativeWriter;
import org.senet4j.onnx.ExportOptions;
import org.senet4j.onnx.OnnxExporter;
import org.senet4j.passes.Passes;

/**
 * Conversion with the weights left in the caffemodel (read as they are written) and BatchNorm folded as the weights
 * are written: the same bytes as loading the weights into memory and folding them first, and a caffemodel changed
 * or truncated meanwhile fails the conversion, naming the file, with no output left.
 */
class LazyConversionTest {
    private static final CaffeImporter.Options LAZY = CaffeImporter.Options.DEFAULT.withLazyWeights();

    @TempDir
    Path dir;

    private static Path prototxt(String net) {
        return TestData.testdata().resolve(net + ".prototxt");
    }

    private static Path weights(String net) {
        return TestData.testdata().resolve(net).resolve("model.caffemodel");
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"se_resnet_mini", "se_resnext_mini", "se_inception_mini", "misc_ops", "ops_zoo"})
    void sameBytesAsTheInMemoryConversion(String net) throws Exception {
        Graph eager = CaffeImporter.load(prototxt(net), weights(net)).graph();
        Graph lazy = CaffeImporter.load(prototxt(net), weights(net), LAZY).graph();
        assertTrue(lazy.hasWeights());
        List<FileStamp> stamp = List.of(FileStamp.of(weights(net)));
        for (ExportOptions o : List.of(ExportOptions.defaults(), ExportOptions.defaults().withOpset(13),
                ExportOptions.defaults().withFold(false), ExportOptions.defaults().withOpset(13).withFold(false))) {
            Path f = dir.resolve("lazy.onnx");
            OnnxExporter.write(lazy, o, f, stamp);
            byte[] expected = OnnxExporter.export(eager, o); // weights in memory, written through a heap buffer
            assertArrayEquals(expected, Files.readAllBytes(f), net + " " + o);
            // the eager graph through the same streaming writer
            Path g = dir.resolve("eager.onnx");
            OnnxExporter.write(eager, o, g);
            assertArrayEquals(expected, Files.readAllBytes(g), net + " " + o);
        }
        Path a = dir.resolve("lazy.safetensors");
        Path b = dir.resolve("eager.safetensors");
        NativeWriter.write(lazy, a, null, stamp);
        NativeWriter.write(eager, b);
        assertArrayEquals(Files.readAllBytes(b), Files.readAllBytes(a), net);
    }

    @ParameterizedTest
    @ValueSource(strings = {"se_resnet_mini", "se_resnext_mini", "se_inception_mini"})
    void deferredFoldGivesTheEagerFoldsValues(String net) throws Exception {
        Graph eager = CaffeImporter.load(prototxt(net), weights(net)).graph();
        Graph folded = Passes.optimize(eager, List.of());
        Graph deferred = Passes.optimizeDeferred(CaffeImporter.load(prototxt(net), weights(net), LAZY).graph());
        assertEquals(folded.nodes().size(), deferred.nodes().size());
        int computed = 0;
        for (int i = 0; i < folded.nodes().size(); i++) {
            Node f = folded.nodes().get(i);
            Node d = deferred.nodes().get(i);
            assertEquals(f.name(), d.name());
            for (Map.Entry<String, Tensor> e : f.op().weights().entrySet()) {
                Tensor t = d.op().weights().get(e.getKey());
                computed += t.computed() != null ? 1 : 0;
                // streamed in odd-sized chunks, then kept whole: both the eager values, bit for bit
                float[] streamed = new float[(int) t.count()];
                ByteBuffer chunk = ByteBuffer.allocate(4 * 97).order(ByteOrder.LITTLE_ENDIAN);
                for (int at = 0; at < streamed.length; at += 97) {
                    int n = Math.min(97, streamed.length - at);
                    chunk.clear().limit(4 * n);
                    t.fill(at, chunk);
                    chunk.flip();
                    chunk.asFloatBuffer().get(streamed, at, n);
                }
                assertArrayEquals(e.getValue().toArray(), streamed, f.name() + " " + e.getKey());
                assertArrayEquals(e.getValue().toArray(), t.toArray(), f.name() + " " + e.getKey());
                assertEquals(e.getValue(), t);
            }
        }
        assertTrue(computed > 0, "the lazily loaded weights are computed tensors");
    }

    @Test
    void computedTensorCornerCases() {
        Tensor t = Tensor.computed(Shape.of(2, 3), (from, dst) -> {
            while (dst.hasRemaining()) {
                dst.putFloat(from++ * 0.5f);
            }
        });
        assertTrue(t.hasData());
        assertNotNull(t.computed());
        assertEquals(2.5f, t.get(5));
        assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f, 2, 2.5f}, t.toArray());
        assertEquals(Tensor.of(Shape.of(2, 3), new float[] {0, 0.5f, 1, 1.5f, 2, 2.5f}), t);
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        assertThrows(IndexOutOfBoundsException.class, () -> t.fill(5, b));
        Tensor shortSource = Tensor.computed(Shape.of(4), (from, dst) -> dst.putFloat(1f));
        IllegalStateException e = assertThrows(IllegalStateException.class, shortSource::toArray);
        assertTrue(e.getMessage().contains("wrote 4 of 16 bytes"), e.getMessage());
    }

    @Test
    void prefetcherWritesInOrderAndReportsTheSourcesFailureWhereItHappened() throws Exception {
        Tensor a = Tensor.computed(Shape.of(10), (from, dst) -> {
            while (dst.hasRemaining()) {
                dst.putFloat(from++);
            }
        });
        Tensor b = Tensor.of(Shape.of(3), new float[] {7, 8, 9});
        Tensor bad = Tensor.computed(Shape.of(8), (from, dst) -> {
            throw new java.io.UncheckedIOException(new IOException("source gone at value " + from));
        });
        Path f = dir.resolve("values.bin");
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE);
             org.senet4j.ir.TensorPrefetcher p = new org.senet4j.ir.TensorPrefetcher(List.of(a, b, bad), 12, 2, 2)) {
            assertThrows(IllegalStateException.class, () -> p.write(b, ch));
            p.write(a, ch); // 10 values in chunks of 3
            p.write(b, ch);
            IOException e = assertThrows(IOException.class, () -> p.write(bad, ch));
            assertEquals("source gone at value 0", e.getMessage());
        }
        ByteBuffer got = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[got.remaining() / 4];
        got.asFloatBuffer().get(v);
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 7, 8, 9}, v);
    }

    @Test
    void packedPrefetcherWritesEveryTensorBackToBackInFullChunks() throws Exception {
        Tensor a = Tensor.computed(Shape.of(10), (from, dst) -> {
            while (dst.hasRemaining()) {
                dst.putFloat(from++);
            }
        });
        Tensor b = Tensor.of(Shape.of(3), new float[] {-1, -2, -3});
        Tensor empty = Tensor.of(Shape.of(0), new float[0]);
        Tensor c = Tensor.of(Shape.of(1), new float[] {42});
        Tensor d = Tensor.of(Shape.of(5), new float[] {5, 6, 7, 8, 9});
        Path f = dir.resolve("packed.bin");
        List<Long> chunks = new java.util.ArrayList<>();
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE);
             org.senet4j.ir.TensorPrefetcher p = org.senet4j.ir.TensorPrefetcher.packed(List.of(a, b, empty, c, d),
                     12)) {
            assertThrows(IllegalStateException.class, () -> p.write(a, ch), "one by one is for unpacked chunks");
            p.writeAll(ch, chunks::add);
        }
        // 19 values in chunks of 3 that cross the tensors' ends: six full chunks and the last value
        assertEquals(List.of(12L, 12L, 12L, 12L, 12L, 12L, 4L), chunks);
        ByteBuffer got = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[got.remaining() / 4];
        got.asFloatBuffer().get(v);
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3, 42, 5, 6, 7, 8, 9}, v);
    }

    private Path copyOfWeights(String net) throws IOException {
        Path w = dir.resolve("model.caffemodel");
        Files.copy(weights(net), w, StandardCopyOption.REPLACE_EXISTING);
        return w;
    }

    @Test
    void caffemodelTruncatedAfterLoadingFailsNamingItAndLeavesNoOutput() throws Exception {
        Path w = copyOfWeights("se_resnet_mini");
        FileStamp stamp = FileStamp.of(w);
        Graph lazy = CaffeImporter.load(prototxt("se_resnet_mini"), w, LAZY).graph();
        try (RandomAccessFile f = new RandomAccessFile(w.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        for (ExportOptions o : List.of(ExportOptions.defaults(), ExportOptions.defaults().withFold(false))) {
            IOException e = assertThrows(IOException.class,
                    () -> OnnxExporter.write(lazy, o, dir.resolve("out.onnx"), List.of(stamp)));
            assertTrue(e.getMessage().contains(w.toString()) && e.getMessage().contains("modified while it was being "
                    + "converted"), e.getMessage());
            // the cause names the byte where the file now ends
            assertNotNull(e.getCause());
            assertTrue(e.getCause().getMessage().contains("byte "), e.getCause().getMessage());
        }
        IOException e = assertThrows(IOException.class,
                () -> NativeWriter.write(lazy, dir.resolve("out.safetensors"), null, List.of(stamp)));
        assertTrue(e.getMessage().contains(w.toString()), e.getMessage());
        assertEquals(List.of("model.caffemodel"), files(), "no output and no temporary file");
        // without a stamp the read itself fails, still naming the file and the byte offset
        IOException plain = assertThrows(IOException.class,
                () -> OnnxExporter.write(lazy, ExportOptions.defaults(), dir.resolve("out.onnx")));
        assertTrue(plain.getMessage().contains(w.toString()) && plain.getMessage().contains("byte "),
                plain.getMessage());
        assertEquals(List.of("model.caffemodel"), files());
    }

    @Test
    void caffemodelRewrittenInPlaceFailsTheConversion() throws Exception {
        Path w = copyOfWeights("se_resnet_mini");
        FileStamp stamp = FileStamp.of(w);
        Graph lazy = CaffeImporter.load(prototxt("se_resnet_mini"), w, LAZY).graph();
        byte[] bytes = Files.readAllBytes(w);
        try (RandomAccessFile f = new RandomAccessFile(w.toFile(), "rw")) {
            f.seek(bytes.length - 64);
            f.write(new byte[64]); // same size, other values
        }
        Files.setLastModifiedTime(w, FileTime.fromMillis(stamp.modified().toMillis() + 5000));
        IOException e = assertThrows(IOException.class,
                () -> OnnxExporter.write(lazy, ExportOptions.defaults(), dir.resolve("out.onnx"), List.of(stamp)));
        assertTrue(e.getMessage().contains("modified while it was being converted"), e.getMessage());
        assertThrows(IOException.class,
                () -> NativeWriter.write(lazy, dir.resolve("out.safetensors"), null, List.of(stamp)));
        assertEquals(List.of("model.caffemodel"), files());
    }

    @Test
    void caffemodelReplacedByRenameStillConvertsTheOldWeights() throws Exception {
        Path w = copyOfWeights("se_resnet_mini");
        FileStamp stamp = FileStamp.of(w);
        Graph lazy = CaffeImporter.load(prototxt("se_resnet_mini"), w, LAZY).graph();
        Path other = dir.resolve("other.caffemodel");
        Files.write(other, new byte[10]);
        Files.move(other, w, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Path out = dir.resolve("out.onnx");
        OnnxExporter.write(lazy, ExportOptions.defaults(), out, List.of(stamp));
        Graph eager = CaffeImporter.load(prototxt("se_resnet_mini"), weights("se_resnet_mini")).graph();
        assertArrayEquals(OnnxExporter.export(eager, ExportOptions.defaults()), Files.readAllBytes(out));
        assertFalse(Files.exists(dir.resolve("other.caffemodel")));
    }
}
