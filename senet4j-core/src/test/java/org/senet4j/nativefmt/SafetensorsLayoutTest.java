package org.senet4j.nativefmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.io.Json;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Tensor;
import org.senet4j.passes.Passes;

/**
 * The files are valid safetensors, checked by a minimal reader written here from the safetensors rules, independent of
 * {@link NativeReader}: 8-byte little-endian length, UTF-8 JSON header starting with '{' and padded with spaces to an
 * 8-byte boundary, string metadata, tensors contiguous from offset 0 to the end of the file, and each tensor's bytes
 * equal to the graph's weights.
 */
class SafetensorsLayoutTest {
    @TempDir
    Path dir;

    private record Entry(String name, String dtype, List<Long> shape, long begin, long end) {
    }

    /** Checks {@code file} against the safetensors rules and {@code g}'s weights; returns the header JSON. */
    static Map<?, ?> checkSafetensors(Path file, Graph g) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] len = new byte[8];
            f.readFully(len);
            long n = 0;
            for (int i = 7; i >= 0; i--) {
                n = (n << 8) | (len[i] & 0xff);
            }
            assertTrue(n > 0 && 8 + n <= f.length(), "header length " + n);
            assertEquals(0, (8 + n) % 8, "data section must start at a multiple of 8");
            byte[] hb = new byte[(int) n];
            f.readFully(hb);
            String text = new String(hb, StandardCharsets.UTF_8);
            assertEquals('{', text.charAt(0));
            String trimmed = text.stripTrailing();
            assertEquals('}', trimmed.charAt(trimmed.length() - 1));
            for (int i = trimmed.length(); i < text.length(); i++) {
                assertEquals(' ', text.charAt(i), "padding must be spaces");
            }
            Map<?, ?> header = assertInstanceOf(Map.class, Json.parse(text));
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    for (Object v : ((Map<?, ?>) e.getValue()).values()) {
                        assertInstanceOf(String.class, v, "metadata values must be strings");
                    }
                    continue;
                }
                Map<?, ?> t = (Map<?, ?>) e.getValue();
                assertEquals(3, t.size(), "dtype, shape, data_offsets");
                List<?> off = (List<?>) t.get("data_offsets");
                List<Long> shape = ((List<?>) t.get("shape")).stream().map(x -> (Long) x).toList();
                entries.add(new Entry((String) e.getKey(), (String) t.get("dtype"), shape, (Long) off.get(0),
                        (Long) off.get(1)));
            }
            entries.sort(Comparator.comparingLong(Entry::begin));
            long dataStart = 8 + n;
            long expectedBegin = 0;
            Map<String, Tensor> weights = new HashMap<>();
            for (Node node : g.nodes()) {
                for (Map.Entry<String, Tensor> w : node.op().weights().entrySet()) {
                    weights.put(node.name() + "/" + w.getKey(), w.getValue());
                }
            }
            assertEquals(weights.size(), entries.size(), "one tensor per weight");
            for (Entry e : entries) {
                assertEquals("F32", e.dtype());
                assertEquals(expectedBegin, e.begin(), "tensors must be contiguous: " + e.name());
                long count = 1;
                for (long d : e.shape()) {
                    count *= d;
                }
                assertEquals(4 * count, e.end() - e.begin(), e.name());
                Tensor w = weights.get(e.name());
                assertTrue(w != null, "no weight for tensor " + e.name());
                assertEquals(e.shape(), java.util.Arrays.stream(w.shape().dims()).mapToObj(d -> (long) d).toList());
                byte[] data = new byte[(int) (e.end() - e.begin())];
                f.seek(dataStart + e.begin());
                f.readFully(data);
                FloatBuffer expected = w.data();
                for (int i = 0; i < count; i++) {
                    int bits = (data[4 * i] & 0xff) | (data[4 * i + 1] & 0xff) << 8 | (data[4 * i + 2] & 0xff) << 16
                            | (data[4 * i + 3] & 0xff) << 24;
                    if (bits != Float.floatToRawIntBits(expected.get(i))) {
                        assertEquals(Float.floatToRawIntBits(expected.get(i)), bits, e.name() + "[" + i + "]");
                    }
                }
                expectedBegin = e.end();
            }
            assertEquals(f.length() - dataStart, expectedBegin, "the last tensor must end the file");
            return header;
        }
    }

    @Test
    void allOpsFileIsSafetensors() throws Exception {
        Graph g = NativeFixtures.allOps();
        Path f = dir.resolve("all.senet4j");
        NativeWriter.write(g, f);
        Map<?, ?> header = checkSafetensors(f, g);
        Map<?, ?> meta = (Map<?, ?>) header.get("__metadata__");
        assertEquals("senet4j", meta.get("format"));
        assertEquals("1", meta.get("format_version"));
        assertEquals(g.metadata().get("labels"), meta.get("labels"));
        List<?> keys = new ArrayList<>(meta.keySet());
        assertEquals("graph", keys.get(keys.size() - 1), "the graph comes last in the metadata");
        Map<?, ?> graph = (Map<?, ?>) Json.parse((String) meta.get("graph"));
        assertEquals(g.nodes().size(), ((List<?>) graph.get("nodes")).size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ops_zoo", "se_resnet_mini", "se_resnext_mini", "se_inception_mini"})
    void testdataFilesAreSafetensors(String model) throws Exception {
        Graph g = NativeFixtures.withRandomWeights(
                CaffeImporter.load(TestData.testdata().resolve(model + ".prototxt"), null).graph(), 5);
        Path f = dir.resolve(model + ".senet4j");
        NativeWriter.write(g, f);
        checkSafetensors(f, g);
        Graph folded = Passes.optimize(g, List.of());
        NativeWriter.write(folded, f);
        checkSafetensors(f, folded);
    }

    @Test
    void seResNet50FileIsSafetensors() throws Exception {
        Path proto = TestData.requireShared("senet-models/SE-ResNet-50.prototxt");
        Graph g = NativeFixtures.withRandomWeights(CaffeImporter.load(proto, null).graph(), 50);
        Path f = dir.resolve("se50.senet4j");
        NativeWriter.write(g, f);
        checkSafetensors(f, g);
    }
}
