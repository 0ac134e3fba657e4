package org.senet4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsShapesIncludingScalarAndEmpty() throws IOException {
        List<int[]> shapes = List.of(new int[] {}, new int[] {5}, new int[] {2, 3}, new int[] {1, 3, 4, 5},
                new int[] {0, 7}, new int[] {300_000}); // the last one spans several I/O chunks
        for (int[] shape : shapes) {
            int n = (int) Npy.count(shape);
            float[] data = new float[n];
            for (int i = 0; i < n; i++) {
                data[i] = (float) Math.sin(i) * 1000f;
            }
            if (n > 2) {
                data[1] = Float.NaN;
                data[2] = Float.NEGATIVE_INFINITY;
            }
            Path f = dir.resolve("a" + Arrays.toString(shape).replaceAll("\\W", "_") + ".npy");
            Npy.write(f, shape, data);
            Npy.NpyArray a = Npy.read(f);
            assertArrayEquals(shape, a.shape());
            assertArrayEquals(data, a.data());
            assertEquals(0, (Files.size(f) - 4L * n) % 64, "data section is 64-byte aligned");
        }
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
    }

    @Test
    void writesNumpysHeaderFormat() throws IOException {
        Path f = dir.resolve("h.npy");
        Npy.write(f, new int[] {4}, new float[4]);
        byte[] b = Files.readAllBytes(f);
        assertEquals((byte) 0x93, b[0]);
        assertEquals("NUMPY", new String(b, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, b[6]);
        assertEquals(0, b[7]);
        int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        String header = new String(b, 10, headerLen, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }"), header);
        assertTrue(header.endsWith("\n"));
        assertEquals(0, (10 + headerLen) % 64);
    }

    @Test
    void readsFloat64AsFloat() throws IOException {
        double[] values = {1.5, -2.25, 1e-3, 3.0e38, 7};
        ByteBuffer data = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            data.putDouble(v);
        }
        Path f = dir.resolve("d.npy");
        Files.write(f, npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }", data.array()));
        Npy.NpyArray a = Npy.read(f);
        assertArrayEquals(new int[] {5}, a.shape());
        float[] expected = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            expected[i] = (float) values[i];
        }
        assertArrayEquals(expected, a.data());
    }

    @Test
    void readsVersion2Headers() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(2f);
        Path f = dir.resolve("v2.npy");
        Files.write(f, npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", data.array()));
        assertArrayEquals(new float[] {1f, 2f}, Npy.read(f).data());
    }

    @Test
    void rejectsMalformedFilesWithTheFileName() throws IOException {
        byte[] four = new byte[16];
        assertRejected("magic", "not a .npy file", "NUMPY!".getBytes(StandardCharsets.US_ASCII));
        assertRejected("short", "truncated .npy header", Arrays.copyOf(npy(1, "{}", new byte[0]), 8));
        assertRejected("nodict", "malformed .npy header", npy(1, "'descr': '<f4'", four));
        assertRejected("noshape", "malformed .npy header",
                npy(1, "{'descr': '<f4', 'fortran_order': False, }", four));
        assertRejected("badshape", "malformed .npy shape",
                npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", four));
        assertRejected("negshape", "malformed .npy shape",
                npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }", four));
        assertRejected("bigendian", "unsupported dtype '>f4'",
                npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", four));
        assertRejected("int", "unsupported dtype '<i4'",
                npy(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }", four));
        assertRejected("fortran", "fortran_order",
                npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", four));
        assertRejected("version", "unsupported .npy format version 9.0",
                npy(9, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", four));
        assertRejected("trailing", "trailing bytes",
                npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", four));
    }

    @Test
    void rejectsTruncatedDataWithoutAllocatingIt() throws IOException {
        assertRejected("trunc", "truncated data",
                npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", new byte[16]));
        // 4e8 floats (1.6 GB) promised by a tiny file: must fail on the size check, not with OutOfMemoryError
        assertRejected("huge", "truncated data",
                npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (20000, 20000), }", new byte[16]));
        assertRejected("toolarge", "too large for a Java float[]",
                npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }", new byte[16]));
        // header length field larger than the file
        byte[] b = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", new byte[0]);
        assertRejected("trunchdr", "truncated .npy header", Arrays.copyOf(b, 20));
    }

    private void assertRejected(String name, String expectedText, byte[] content) throws IOException {
        Path f = dir.resolve(name + ".npy");
        Files.write(f, content);
        IOException e = assertThrows(IOException.class, () -> Npy.read(f), name);
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(expectedText), name + ": " + e.getMessage());
    }

    /** A .npy file with the given version and header dict (padded like numpy), followed by {@code data}. */
    private static byte[] npy(int major, String dict, byte[] data) {
        int pre = major == 1 ? 10 : 12;
        int unpadded = pre + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(pre).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) header.length());
        } else {
            b.putInt(header.length());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(b.array());
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        return out.toByteArray();
    }

    @Test
    void fileNamesAreSafeAndDistinct() {
        assertEquals("conv1.npy", Npy.fileNameFor("conv1"));
        assertEquals("pool1_3x3_s2.npy", Npy.fileNameFor("pool1_3x3_s2"));
        String slash = Npy.fileNameFor("conv1/7x7_s2");
        assertTrue(slash.matches("conv1_7x7_s2-[0-9a-f]{12}\\.npy"), slash);

        List<String> names = List.of("a/b", "a_b", "a:b", "a b", "A_b", "a_B", "", ".", "..", ".hidden",
                "a_b-0123456789ab", "x".repeat(400), "x".repeat(401), "ü", "a\\b", "a,b", "a\tb");
        Set<String> files = new HashSet<>();
        for (String n : names) {
            String f = Npy.fileNameFor(n);
            assertTrue(f.matches("[A-Za-z0-9_][A-Za-z0-9_.\\-]*\\.npy"), n + " -> " + f);
            assertTrue(f.length() <= 255, f);
            assertTrue(files.add(f.toLowerCase(java.util.Locale.ROOT)), "collision for " + n + " -> " + f);
        }
        assertNotEquals(Npy.fileNameFor("a/b"), Npy.fileNameFor("a:b"));
    }
}
