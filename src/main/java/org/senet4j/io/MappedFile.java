package org.senet4j.io;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Read-only random access to a file of any size through memory mappings of at most {@code segmentSize} bytes each
 * (a single Java mapping cannot exceed 2 GB). Reads that cross a segment boundary are stitched together.
 */
public final class MappedFile implements AutoCloseable {
    /** The default segment: 1 GiB. */
    public static final int DEFAULT_SEGMENT = 1 << 30;

    private final Path path;
    private final long size;
    private final int segmentSize;
    private final MappedByteBuffer[] segments;

    private MappedFile(Path path, long size, int segmentSize, MappedByteBuffer[] segments) {
        this.path = path;
        this.size = size;
        this.segmentSize = segmentSize;
        this.segments = segments;
    }

    public static MappedFile open(Path path) throws IOException {
        return open(path, DEFAULT_SEGMENT);
    }

    /** Maps {@code path} in segments of {@code segmentSize} bytes (a multiple of 8; small values serve tests). */
    public static MappedFile open(Path path, int segmentSize) throws IOException {
        if (segmentSize <= 0 || segmentSize % 8 != 0) {
            throw new IllegalArgumentException("segment size must be a positive multiple of 8");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            int n = (int) ((size + segmentSize - 1) / segmentSize);
            MappedByteBuffer[] segs = new MappedByteBuffer[n];
            for (int i = 0; i < n; i++) {
                long start = (long) i * segmentSize;
                long len = Math.min(segmentSize, size - start);
                segs[i] = ch.map(FileChannel.MapMode.READ_ONLY, start, len);
                segs[i].order(ByteOrder.LITTLE_ENDIAN);
            }
            return new MappedFile(path, size, segmentSize, segs);
        }
    }

    public Path path() {
        return path;
    }

    public long size() {
        return size;
    }

    public byte get(long pos) {
        checkRange(pos, 1);
        return segments[(int) (pos / segmentSize)].get((int) (pos % segmentSize));
    }

    /** {@code len} bytes from {@code pos}, copied. */
    public byte[] bytes(long pos, int len) {
        checkRange(pos, len);
        byte[] out = new byte[len];
        int done = 0;
        while (done < len) {
            long p = pos + done;
            MappedByteBuffer seg = segments[(int) (p / segmentSize)];
            int off = (int) (p % segmentSize);
            int n = Math.min(len - done, seg.limit() - off);
            seg.get(off, out, done, n);
            done += n;
        }
        return out;
    }

    /** Copies {@code n} little-endian float32 values from {@code pos} into {@code dst[dstOff...]}. */
    public void floats(long pos, float[] dst, int dstOff, int n) {
        checkRange(pos, 4L * n);
        while (n > 0) {
            MappedByteBuffer seg = segments[(int) (pos / segmentSize)];
            int off = (int) (pos % segmentSize);
            int whole = Math.min(n, (seg.limit() - off) / 4);
            if (whole > 0) {
                seg.slice(off, whole * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, dstOff, whole);
                pos += 4L * whole;
                dstOff += whole;
                n -= whole;
            } else {
                dst[dstOff++] = Float.intBitsToFloat(littleEndianInt(bytes(pos, 4), 0));
                pos += 4;
                n--;
            }
        }
    }

    /** Copies {@code n} little-endian float64 values from {@code pos}, narrowed to float, into {@code dst}. */
    public void doublesAsFloats(long pos, float[] dst, int dstOff, int n) {
        checkRange(pos, 8L * n);
        for (int i = 0; i < n; i++) {
            long p = pos + 8L * i;
            MappedByteBuffer seg = segments[(int) (p / segmentSize)];
            int off = (int) (p % segmentSize);
            long bits = off + 8 <= seg.limit() ? seg.getLong(off) : littleEndianLong(bytes(p, 8));
            dst[dstOff + i] = (float) Double.longBitsToDouble(bits);
        }
    }

    private static int littleEndianInt(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }

    private static long littleEndianLong(byte[] b) {
        return (littleEndianInt(b, 0) & 0xffffffffL) | ((long) littleEndianInt(b, 4)) << 32;
    }

    private void checkRange(long pos, long len) {
        if (pos < 0 || len < 0 || pos + len > size) {
            throw new IndexOutOfBoundsException("bytes [" + pos + ", " + (pos + len) + ") lie outside " + path
                    + " (" + size + " bytes)");
        }
    }

    /** Mappings are released by the garbage collector; closing only marks the end of use. */
    @Override
    public void close() {
    }
}
