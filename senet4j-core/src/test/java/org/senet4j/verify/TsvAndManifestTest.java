package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.io.Tsv;
import org.senet4j.verify.RandomWeights;
import org.senet4j.verify.ManifestEntry;

class TsvAndManifestTest {

    @TempDir
    Path dir;

    @Test
    void escapesRoundTrip() {
        List<String> names = List.of("plain", "a,b", "tab\there", "back\\slash", "new\nline", "");
        assertEquals(names, Tsv.parseList(Tsv.list(names)));
        for (String n : names) {
            assertEquals(n, Tsv.unescape(Tsv.escape(n)));
            assertFalse(Tsv.escape(n).contains("\t"));
        }
        assertEquals(List.of(), Tsv.parseList(""));
    }

    @Test
    void manifestRoundTripsAndChecksValues() throws IOException {
        float[] a = {1f, -2.5f, 3.25f};
        float[] b = {0.1f};
        List<ManifestEntry> entries = List.of(
                ManifestEntry.of("conv1/7x7_s2", "Convolution", 0, new int[] {1, 3}, a),
                ManifestEntry.of("odd,name\t", "Scale", 1, new int[] {1}, b));
        Path f = dir.resolve("m.tsv");
        ManifestEntry.write(f, entries);
        List<ManifestEntry> read = ManifestEntry.read(f);
        assertEquals(entries, read);
        assertTrue(read.get(0).matches(new int[] {1, 3}, a));
        assertFalse(read.get(0).matches(new int[] {3}, a));
        assertFalse(read.get(0).matches(new int[] {1, 3}, new float[] {1f, -2.5f, 3.2500002f}));
        assertEquals(1.75, read.get(0).sum());
        // CRC-32 of the little-endian bytes of 1.0f (00 00 80 3f)
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(new byte[] {0, 0, (byte) 0x80, 0x3f});
        assertEquals(crc.getValue(), ManifestEntry.crc32(new float[] {1f}));
    }

    @Test
    void randomWeightsAreDeterministicAndInRange() {
        float[] w1 = new float[10_000];
        float[] w2 = new float[10_000];
        new RandomWeights(42).fill("Convolution", 0, 576, w1);
        new RandomWeights(42).fill("Convolution", 0, 576, w2);
        assertEquals(java.util.Arrays.toString(w1), java.util.Arrays.toString(w2));
        double sq = 0;
        for (float v : w1) {
            sq += v * v;
        }
        double std = Math.sqrt(sq / w1.length);
        assertEquals(Math.sqrt(2.0 / 576), std, 0.05 * std, "He-scaled");

        RandomWeights r = new RandomWeights(1);
        float[] var = new float[1000];
        r.fill("BatchNorm", 1, 1, var);
        for (float v : var) {
            assertTrue(v >= 0.5f && v <= 1.5f, "variance " + v);
        }
        float[] factor = new float[1];
        r.fill("BatchNorm", 2, 1, factor);
        assertEquals(1f, factor[0]);
        float[] gamma = new float[1000];
        r.fill("Scale", 0, 1, gamma);
        for (float v : gamma) {
            assertTrue(v >= 0.5f && v <= 1.0f, "gamma " + v);
        }
        float[] slopes = new float[1000];
        r.fill("PReLU", 0, 1, slopes);
        for (float v : slopes) {
            assertTrue(v >= 0.05f && v <= 0.3f, "slope " + v);
        }
    }
}
