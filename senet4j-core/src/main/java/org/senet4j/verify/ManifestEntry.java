package org.senet4j.verify;

import org.senet4j.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.senet4j.io.Tsv;

/**
 * One learnable blob as real Caffe holds it after {@code write-weights}: enough to check that another reader of the
 * written {@code .caffemodel} loaded exactly the same values without keeping the values themselves.
 *
 * <p>TSV form (one line per blob, after a {@code #} header line): layer name, layer type, blob index, shape
 * (comma-separated), element count, CRC-32 of the float32 little-endian bytes (decimal), sum as a double (Java's
 * shortest round-trip decimal form). Names are escaped as described in {@code Tsv}.
 *
 * @param layerName  the layer's name
 * @param layerType  the layer's type string, e.g. {@code Convolution}
 * @param blobIndex  index of the blob in the layer's {@code blobs}
 * @param shape      the blob's shape (copied)
 * @param count      number of elements
 * @param crc32      CRC-32 of the values' float32 little-endian bytes, see {@link #crc32(float[])}
 * @param sum        the values summed in order into a double, see {@link #sum(float[])}
 */
public record ManifestEntry(String layerName, String layerType, int blobIndex, int[] shape, long count, long crc32,
                            double sum) {

    static final String HEADER = "#layer\ttype\tblob\tshape\tcount\tcrc32\tsum";

    public ManifestEntry {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The entry describing {@code data} as blob {@code blobIndex} of the given layer. */
    public static ManifestEntry of(String layerName, String layerType, int blobIndex, int[] shape, float[] data) {
        return new ManifestEntry(layerName, layerType, blobIndex, shape, data.length, crc32(data), sum(data));
    }

    /** True when {@code data} with shape {@code shape} is exactly what this entry describes. */
    public boolean matches(int[] shape, float[] data) {
        return Arrays.equals(this.shape, shape) && data.length == count && crc32(data) == crc32
                && Double.compare(sum(data), sum) == 0;
    }

    /** CRC-32 of the float32 little-endian bytes of {@code data}. */
    public static long crc32(float[] data) {
        CRC32 crc = new CRC32();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        while (pos < data.length) {
            buf.clear();
            int k = Math.min(buf.capacity() / 4, data.length - pos);
            buf.asFloatBuffer().put(data, pos, k);
            buf.limit(4 * k);
            crc.update(buf);
            pos += k;
        }
        return crc.getValue();
    }

    /** The values added in order into a double accumulator. */
    public static double sum(float[] data) {
        double s = 0;
        for (float v : data) {
            s += v;
        }
        return s;
    }

    String toTsvLine() {
        return Tsv.escape(layerName) + '\t' + Tsv.escape(layerType) + '\t' + blobIndex + '\t' + Tsv.shape(shape)
                + '\t' + count + '\t' + crc32 + '\t' + sum;
    }

    /** Writes a manifest file (header line, then one line per entry) through a temporary file. */
    public static void write(Path file, List<ManifestEntry> entries) throws IOException {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (ManifestEntry e : entries) {
            b.append(e.toTsvLine()).append('\n');
        }
        AtomicFiles.writeString(file, b.toString());
    }

    /** Reads a manifest file written by {@link #write(Path, List)} (or by {@code CaffeOracleMain write-weights}). */
    public static List<ManifestEntry> read(Path file) throws IOException {
        List<ManifestEntry> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = Tsv.fields(line);
            try {
                if (f.length != 7) {
                    throw new IllegalArgumentException("expected 7 fields, got " + f.length);
                }
                out.add(new ManifestEntry(Tsv.unescape(f[0]), Tsv.unescape(f[1]), Integer.parseInt(f[2]),
                        Tsv.parseShape(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]), Double.parseDouble(f[6])));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ":" + lineNo + ": malformed manifest line: " + e.getMessage(), e);
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ManifestEntry m && layerName.equals(m.layerName) && layerType.equals(m.layerType)
                && blobIndex == m.blobIndex && Arrays.equals(shape, m.shape) && count == m.count && crc32 == m.crc32
                && Double.compare(sum, m.sum) == 0;
    }

    @Override
    public int hashCode() {
        return ((layerName.hashCode() * 31 + blobIndex) * 31 + Arrays.hashCode(shape)) * 31 + Long.hashCode(crc32);
    }

    @Override
    public String toString() {
        return layerName + " (" + layerType + ") blob " + blobIndex + " " + Arrays.toString(shape) + " crc32="
                + crc32 + " sum=" + sum;
    }
}
