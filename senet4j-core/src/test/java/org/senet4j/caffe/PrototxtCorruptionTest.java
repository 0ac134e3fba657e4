package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.TestData;
import org.senet4j.ir.Graph;

/**
 * Hostile and broken prototxt text: unterminated strings, deep nesting, huge numbers, binary garbage, invalid UTF-8,
 * a huge file, a very long net. Each either loads or fails, in bounded time, with a ModelException naming the file
 * (and the line and column for syntax errors); never another exception, a StackOverflowError or an
 * OutOfMemoryError.
 */
class PrototxtCorruptionTest {
    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final String INPUT = "layer { name: \"data\" type: \"Input\" top: \"data\" "
            + "input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }\n";

    @TempDir
    Path dir;

    private Path write(byte[] bytes) throws Exception {
        return Files.write(dir.resolve("net.prototxt"), bytes);
    }

    private Path write(String text) throws Exception {
        return write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Loading fails in bounded time with a ModelException naming the file and containing every part. */
    private ModelException rejects(Path p, boolean allowUnknown, String... parts) {
        ModelException e = assertTimeoutPreemptively(LIMIT, () -> assertThrows(ModelException.class,
                () -> CaffeImporter.load(p, null, new CaffeImporter.Options(allowUnknown))));
        assertEquals(p, e.file(), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "\"" + part + "\" missing from: " + e.getMessage());
        }
        return e;
    }

    private ModelException rejects(Path p, String... parts) {
        return rejects(p, false, parts);
    }

    @Test
    void unterminatedStrings() throws Exception {
        rejects(write(INPUT + "layer { name: \"relu type: \"ReLU\" }\n"), "line 2");
        rejects(write(INPUT + "layer { name: \"relu"), "line 2");
        rejects(write("name: 'net\n" + INPUT), "line 1");
        rejects(write(INPUT + "layer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\"\n"), "line");
        rejects(write(INPUT + "layer { name: \"r\\"), "line 2");
    }

    @Test
    void deepNesting() throws Exception {
        for (int depth : new int[] {200, 100_000}) {
            String open = "unknown_message { ".repeat(depth);
            String close = "} ".repeat(depth);
            Path p = write(INPUT + "layer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" " + open + close
                    + "}\n");
            rejects(p, false, "line 2");
            assertTimeoutPreemptively(LIMIT, () -> {
                try {
                    CaffeImporter.load(p, null, new CaffeImporter.Options(true));
                } catch (ModelException e) {
                    assertEquals(p, e.file(), e.getMessage());
                }
            });
            // unbalanced: only opening braces
            rejects(write(INPUT + "layer { " + open), true);
            rejects(write(INPUT + "layer { " + "input_param { ".repeat(depth)), false);
        }
    }

    @Test
    void hugeNumbers() throws Exception {
        rejects(write("layer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape { "
                + "dim: 99999999999999999999999 } } }\n"), "line 1");
        rejects(write(INPUT + "layer { name: \"c\" type: \"Convolution\" bottom: \"data\" top: \"c\" "
                + "convolution_param { num_output: 4294967296 kernel_size: 1 } }\n"), "line 2");
        rejects(write(INPUT + "layer { name: \"c\" type: \"Convolution\" bottom: \"data\" top: \"c\" "
                + "convolution_param { num_output: -1 kernel_size: 1 } }\n"), "line 2");
        ModelException e = rejects(write(INPUT + "layer { name: \"c\" type: \"Convolution\" bottom: \"data\" "
                + "top: \"c\" convolution_param { num_output: 4294967295 kernel_size: 1 } }\n"),
                "convolution_param.num_output", "must be positive, got 4294967295");
        assertEquals("c", e.layer());
        e = rejects(write("layer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape { "
                + "dim: -9223372036854775808 } } }\n"), "dimension 0 is -9223372036854775808");
        assertEquals("data", e.layer());
        rejects(write("layer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape { "
                + "dim: 9223372036854775807 } } }\n"), "dimension 0 is 9223372036854775807");
        rejects(write("input: \"data\" input_dim: 2147483647 input_dim: 2147483647 input_dim: 2147483647 "
                + "input_dim: 2147483647\n" + "layer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\n"),
                "holds more than 2147483647 values");
        rejects(write(INPUT + "layer { name: \"p\" type: \"Pooling\" bottom: \"data\" top: \"p\" "
                + "pooling_param { kernel_size: 2 stride: 1" + "0".repeat(5000) + " } }\n"), "line 2");
    }

    @Test
    void binaryGarbageAndInvalidUtf8() throws Exception {
        Random r = new Random(3);
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[1 + r.nextInt(2000)];
            r.nextBytes(b);
            rejects(write(b), i % 2 == 0);
        }
        byte[] bad = (INPUT + "layer { name: \"r\u00e9lu\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\n")
                .getBytes(StandardCharsets.UTF_8);
        int at = new String(bad, StandardCharsets.ISO_8859_1).indexOf('\u00c3');
        bad[at + 1] = (byte) 0xff;
        rejects(write(bad), "invalid UTF-8");
        byte[] nul = (INPUT + "layer { name: \"r\" type: \"ReLU\"\0 bottom: \"data\" top: \"r\" }\n")
                .getBytes(StandardCharsets.UTF_8);
        rejects(write(nul), "line 2");
        // a caffemodel given where the prototxt belongs
        rejects(write(Files.readAllBytes(TestData.testdata().resolve("ops_zoo/model.caffemodel"))),
                "is it a caffemodel?");
        rejects(write(new byte[0]), "no layers defined");
        rejects(write("# only a comment\n\n   \n"), "no layers defined");
    }

    @Test
    void aHugeFileIsRefusedBeforeItIsRead() throws Exception {
        Path p = dir.resolve("huge.prototxt");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(PrototxtReader.MAX_BYTES + 1); // sparse: no disk, no time
        }
        rejects(p, "too large for a net definition");
        Files.delete(p);
    }

    @Test
    void aLongNetLoadsInBoundedTime() throws Exception {
        StringBuilder sb = new StringBuilder(INPUT);
        String prev = "data";
        for (int i = 0; i < 20_000; i++) {
            sb.append("layer { name: \"s").append(i).append("\" type: \"Sigmoid\" bottom: \"").append(prev)
                    .append("\" top: \"s").append(i).append("\" }\n");
            prev = "s" + i;
        }
        Path p = write(sb.toString());
        Graph g = assertTimeoutPreemptively(LIMIT, () -> CaffeImporter.load(p, null).graph());
        assertEquals(20_001, g.nodes().size());
        // and a long line: one name of a million characters
        String name = "n".repeat(1_000_000);
        Graph g2 = CaffeImporter.load(write(INPUT + "layer { name: \"" + name
                + "\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\n"), null).graph();
        assertEquals(name, g2.nodes().get(1).name());
    }

    @Test
    void truncatedTestdataNetsFailNamingTheLine() throws Exception {
        for (String net : new String[] {"se_resnet_mini", "ops_zoo"}) {
            byte[] full = Files.readAllBytes(TestData.testdata().resolve(net + ".prototxt"));
            for (int cut = 0; cut < full.length; cut += 37) {
                Path p = write(Arrays.copyOf(full, cut));
                assertTimeoutPreemptively(LIMIT, () -> {
                    try {
                        CaffeImporter.load(p, null, new CaffeImporter.Options(false, Map.of()));
                    } catch (ModelException e) {
                        assertEquals(p, e.file(), e.getMessage());
                    }
                }, net + " cut at " + cut);
            }
        }
    }
}
