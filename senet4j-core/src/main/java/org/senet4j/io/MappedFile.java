package org.senet4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Read-only random access to a file of any size through memory mappings of at most {@code segmentSize} bytes each
 * (a single Java mapping cannot exceed 2 GB). Reads that cross a segment boundary are stitched together. Large float
 * reads go through the file channel instead (no page fault per 4 KB page), which is several times faster on a cold
 * mapping.
 */
public final class MappedFile implements AutoCloseable {
    /** The default segment: 1 GiB. */
    public static final int DEFAULT_SEGMENT = 1 << 30;

    private final Path path;
    private final long size;
    private final int segmentSize;
    private final MappedByteBuffer[] segments;
    private final FileChannel channel;
    private ByteBuffer readBuffer;
    /** Float reads of at least this many bytes use the channel. */
    private static final int CHANNEL_READ_BYTES = 1 << 16;
    private static final int READ_BUFFER_BYTES = 4 << 20;

    private MappedFile(Path path, long size, int segmentSize, MappedByteBuffer[] segments, FileChannel channel) {
        this.path = path;
        this.size = size;
        this.segmentSize = segmentSize;
        this.segments = segments;
        this.channel = channel;
    }

    public static MappedFile open(Path path) throws IOException {
        return open(path, DEFAULT_SEGMENT);
    }

    /** Maps {@code path} in segments of {@code segmentSize} bytes (a multiple of 8; small values serve tests). */
    public static MappedFile open(Path path, int segmentSize) throws IOException {
        if (segmentSize <= 0 || segmentSize % 8 != 0) {
            throw new IllegalArgumentException("segment size must be a positive multiple of 8");
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = ch.size();
            int n = (int) ((size + segmentSize - 1) / segmentSize);
            MappedByteBuffer[] segs = new MappedByteBuffer[n];
            for (int i = 0; i < n; i++) {
                long start = (long) i * segmentSize;
                long len = Math.min(segmentSize, size - start);
                segs[i] = ch.map(FileChannel.MapMode.READ_ONLY, start, len);
                segs[i].order(ByteOrder.LITTLE_ENDIAN);
            }
            return new MappedFile(path, size, segmentSize, segs, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
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
        if (4L * n >= CHANNEL_READ_BYTES && channel.isOpen()) {
            try {
                readFloats(pos, dst, dstOff, n);
                return;
            } catch (IOException e) {
                // the mapping below reads the same bytes
            }
        }
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

    private synchronized void readFloats(long pos, float[] dst, int dstOff, int n) throws IOException {
        if (readBuffer == null) {
            readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        }
        while (n > 0) {
            int want = Math.min(n, READ_BUFFER_BYTES / 4);
            readBuffer.clear().limit(4 * want);
            while (readBuffer.hasRemaining()) {
                int r = channel.read(readBuffer, pos + readBuffer.position());
                if (r < 0) {
                    throw new IOException(path + " ended early");
                }
            }
            readBuffer.flip();
            readBuffer.asFloatBuffer().get(dst, dstOff, want);
            pos += 4L * want;
            dstOff += want;
            n -= want;
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

    /** Closes the channel; the mappings are released by the garbage collector. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only: nothing to lose
        }
    }
}
