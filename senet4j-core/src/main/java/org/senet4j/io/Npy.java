package org.senet4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files holding float32 arrays in C order.
 *
 * <p>Writing always produces format version 1.0 with dtype {@code '<f4'}. Reading accepts format versions 1.0, 2.0
 * and 3.0, dtype {@code '<f4'} or {@code '<f8'} (converted to float), and {@code fortran_order: False} only. Any
 * other header, a data section shorter or longer than the header promises, or an array too large for a Java
 * {@code float[]} is reported as an {@link IOException} naming the file; nothing is allocated before the file is
 * known to hold the data.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy aligns the data section to 64 bytes (since numpy 1.14; older readers accept it too). */
    private static final int ALIGN = 64;
    /** The largest header numpy itself accepts by default; anything bigger is not a real header. */
    private static final int MAX_HEADER_LEN = 1 << 20;
    private static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final int CHUNK_BYTES = 1 << 20;

    private Npy() {
    }

    /**
     * A float32 array and its shape (C order). The shape is copied; the data array is not (it can be large).
     *
     * @param shape dimensions, outermost first; empty for a scalar
     * @param data  {@code product(shape)} values in C order
     */
    public record NpyArray(int[] shape, float[] data) {
        public NpyArray {
            shape = shape.clone();
            long n = Npy.count(shape);
            if (n != data.length) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
            }
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** Number of elements, the product of the shape. */
        public int count() {
            return data.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NpyArray other && Arrays.equals(shape, other.shape) && Arrays.equals(data, other.data);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "NpyArray" + Arrays.toString(shape);
        }
    }

    /** Product of the dimensions, as a long; throws if a dimension is negative. */
    public static long count(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
            if (n > MAX_ELEMENTS) {
                n = (long) MAX_ELEMENTS + 1; // saturate, callers only compare against the limit
            }
        }
        return n;
    }

    /** Reads a {@code .npy} file (see the class comment for what is accepted). */
    public static NpyArray read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer pre = ByteBuffer.allocate((int) Math.min(12, size)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, pre, file, "the header");
            pre.flip();
            byte[] magic = new byte[Math.min(6, pre.remaining())];
            pre.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + ": not a .npy file (bad magic bytes)");
            }
            if (pre.remaining() < 6) {
                throw new IOException(file + ": truncated .npy header (file size " + size + ")");
            }
            int major = pre.get() & 0xff;
            int minor = pre.get() & 0xff;
            long headerLen;
            int preamble;
            if (major == 1) {
                headerLen = pre.getShort() & 0xffff;
                preamble = 10;
            } else if (major == 2 || major == 3) {
                headerLen = pre.getInt() & 0xffffffffL;
                preamble = 12;
            } else {
                throw new IOException(file + ": unsupported .npy format version " + major + "." + minor);
            }
            if (headerLen > MAX_HEADER_LEN || preamble + headerLen > size) {
                throw new IOException(file + ": truncated .npy header (header length " + headerLen
                        + ", file size " + size + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            ch.position(preamble);
            readFully(ch, hb, file, "the header");
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Header h = parseHeader(file, header);

            long dataStart = preamble + headerLen;
            long n = count(h.shape);
            if (n > MAX_ELEMENTS) {
                throw new IOException(file + ": array of shape " + Arrays.toString(h.shape)
                        + " is too large for a Java float[]");
            }
            long need = n * h.itemSize;
            long have = size - dataStart;
            if (have < need) {
                throw new IOException(file + ": truncated data: shape " + Arrays.toString(h.shape) + " of "
                        + h.descr + " needs " + need + " bytes, the file holds " + have);
            }
            if (have > need) {
                throw new IOException(file + ": " + (have - need) + " unexpected trailing bytes after the data of shape "
                        + Arrays.toString(h.shape));
            }
            float[] data = new float[(int) n];
            ch.position(dataStart);
            ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            int filled = 0;
            long remaining = need;
            while (remaining > 0) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), remaining));
                readFully(ch, buf, file, "the data");
                buf.flip();
                remaining -= buf.remaining();
                if (h.itemSize == 4) {
                    FloatBuffer fb = buf.asFloatBuffer();
                    int k = fb.remaining();
                    fb.get(data, filled, k);
                    filled += k;
                } else {
                    while (buf.remaining() >= 8) {
                        data[filled++] = (float) buf.getDouble();
                    }
                }
            }
            return new NpyArray(h.shape, data);
        }
    }

    /**
     * Writes a float32 {@code .npy} (format 1.0, {@code '<f4'}, C order). The file is written to a temporary file
     * in the same directory and then moved into place, so readers never see a partial file.
     */
    public static void write(Path file, int[] shape, float[] data) throws IOException {
        long n = count(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(file + ": shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + data.length);
        }
        byte[] header = headerBytes(shape);
        AtomicFiles.write(file, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, ByteBuffer.wrap(header));
                ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                int pos = 0;
                while (pos < data.length) {
                    buf.clear();
                    int k = Math.min(buf.capacity() / 4, data.length - pos);
                    buf.asFloatBuffer().put(data, pos, k);
                    buf.limit(k * 4);
                    writeFully(ch, buf);
                    pos += k;
                }
            }
        });
    }

    /** Writes {@code array} to {@code file}; see {@link #write(Path, int[], float[])}. */
    public static void write(Path file, NpyArray array) throws IOException {
        write(file, array.shape, array.data());
    }

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_.\\-]+");
    private static final Pattern HASH_SUFFIX = Pattern.compile(".*-[0-9a-f]{12}");
    private static final int MAX_STEM = 180;

    /**
     * A file-system-safe file name ({@code ...npy}) for a Caffe blob name. Names made of {@code [A-Za-z0-9_.-]}
     * only, all lower case, not starting with a dot and not ending like a hash suffix are kept as they are; any
     * other name has its unsafe characters replaced by {@code _} and gets {@code -} plus 12 hex digits of its
     * SHA-256 appended, so that two different blob names never map to the same file (also on case-insensitive
     * file systems): {@code conv1/7x7_s2} becomes {@code conv1_7x7_s2-<hash>.npy}.
     */
    public static String fileNameFor(String blobName) {
        boolean keep = !blobName.isEmpty()
                && SAFE_NAME.matcher(blobName).matches()
                && blobName.charAt(0) != '.'
                && blobName.equals(blobName.toLowerCase(Locale.ROOT))
                && blobName.length() <= MAX_STEM
                && !HASH_SUFFIX.matcher(blobName).matches();
        if (keep) {
            return blobName + ".npy";
        }
        StringBuilder stem = new StringBuilder();
        for (int i = 0; i < blobName.length() && stem.length() < MAX_STEM; i++) {
            char c = blobName.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || (c == '.' && i > 0);
            stem.append(ok ? c : '_');
        }
        if (stem.isEmpty()) {
            stem.append('_');
        }
        return stem + "-" + shortHash(blobName) + ".npy";
    }

    private static String shortHash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private record Header(String descr, int itemSize, int[] shape) {
    }

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private static Header parseHeader(Path file, String header) throws IOException {
        String h = header.strip();
        if (!h.startsWith("{") || !h.endsWith("}")) {
            throw new IOException(file + ": malformed .npy header (not a dict): " + abbreviate(header));
        }
        Matcher d = DESCR.matcher(h);
        Matcher f = FORTRAN.matcher(h);
        Matcher s = SHAPE.matcher(h);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException(file + ": malformed .npy header (needs 'descr', 'fortran_order' and 'shape'): "
                    + abbreviate(header));
        }
        String descr = d.group(1);
        int itemSize;
        if (descr.equals("<f4")) {
            itemSize = 4;
        } else if (descr.equals("<f8")) {
            itemSize = 8;
        } else {
            throw new IOException(file + ": unsupported dtype '" + descr + "' (expected '<f4' or '<f8')");
        }
        if (!f.group(1).equals("False")) {
            throw new IOException(file + ": fortran_order arrays are not supported (expected fortran_order: False)");
        }
        List<Integer> dims = new ArrayList<>();
        String inner = s.group(1).strip();
        if (!inner.isEmpty()) {
            String[] parts = inner.split(",", -1);
            for (int i = 0; i < parts.length; i++) {
                String p = parts[i].strip();
                if (p.endsWith("L")) {
                    p = p.substring(0, p.length() - 1); // Python 2 longs
                }
                if (p.isEmpty() && i == parts.length - 1 && i > 0) {
                    break; // trailing comma, e.g. (5,)
                }
                try {
                    int v = Integer.parseInt(p);
                    if (v < 0) {
                        throw new NumberFormatException();
                    }
                    dims.add(v);
                } catch (NumberFormatException e) {
                    throw new IOException(file + ": malformed .npy shape (" + s.group(1) + ")");
                }
            }
        }
        int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
        return new Header(descr, itemSize, shape);
    }

    private static String abbreviate(String s) {
        String t = s.replace("\n", "\\n");
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }

    static byte[] headerBytes(int[] shape) {
        StringBuilder sh = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sh.append(", ");
            }
            sh.append(shape[i]);
        }
        if (shape.length == 1) {
            sh.append(',');
        }
        sh.append(')');
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + sh + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (ALIGN - unpadded % ALIGN) % ALIGN;
        String text = dict + " ".repeat(pad) + "\n";
        if (text.length() > 0xffff) {
            throw new IllegalArgumentException("shape too long for a version 1.0 .npy header");
        }
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
        b.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, Path file, String what) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new IOException(file + ": unexpected end of file while reading " + what);
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
