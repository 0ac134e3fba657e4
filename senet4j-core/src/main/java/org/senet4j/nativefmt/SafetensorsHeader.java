package org.senet4j.nativefmt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * The checked header of a safetensors file: its metadata and its tensors' dtypes, shapes and byte ranges.
 *
 * <p>{@link #read} believes nothing it reads: the header length must fit the file and {@link
 * NativeFormat#MAX_HEADER_BYTES}, the header must be UTF-8 JSON small enough to parse, every tensor must have a known
 * dtype, non-negative dimensions and a byte range inside the data section whose length matches its shape, and no two
 * tensors may overlap. Gaps between tensors and bytes after the last one are tolerated (senet4j writes neither).
 *
 * @param metadata the {@code __metadata__} entries, in file order (empty when absent)
 * @param tensors the tensors in header order
 * @param headerLength N, the length of the JSON header in bytes (padding included)
 * @param fileSize the size of the file
 */
public record SafetensorsHeader(Map<String, String> metadata, List<TensorEntry> tensors, long headerLength,
                                long fileSize) {

    /**
     * One tensor of the header.
     *
     * @param begin first byte, relative to the data section
     * @param end one past the last byte, relative to the data section
     */
    public record TensorEntry(String name, String dtype, Shape shape, long begin, long end) {
        public TensorEntry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dtype, "dtype");
            Objects.requireNonNull(shape, "shape");
        }

        public long byteCount() {
            return end - begin;
        }
    }

    public SafetensorsHeader {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors = List.copyOf(tensors);
    }

    /** Where the data section starts in the file. */
    public long dataStart() {
        return 8 + headerLength;
    }

    /** The length of the data section. */
    public long dataLength() {
        return fileSize - dataStart();
    }

    /** The tensor called {@code name}, or null. */
    public TensorEntry tensor(String name) {
        for (TensorEntry t : tensors) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Reads and checks the header of any safetensors file, without mapping or checking its tensors' data.
     *
     * @throws ModelException naming the file when the header is not a valid safetensors header, or declares a dtype
     *     other than F32
     */
    public static SafetensorsHeader read(Path file) throws IOException, ModelException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(ch);
        } catch (ModelException e) {
            throw e.inFile(file);
        }
    }

    /**
     * Reads and checks the header of {@code ch}.
     *
     * @throws ModelException describing what is wrong (the caller adds the file)
     */
    static SafetensorsHeader read(FileChannel ch) throws IOException, ModelException {
        long size = ch.size();
        if (size < 8) {
            throw header("file of " + size + " bytes is too short for the 8-byte header length of a safetensors file");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long n = lenBuf.getLong(0);
        if (n < 0 || n > NativeFormat.MAX_HEADER_BYTES) {
            throw header("header length " + Long.toUnsignedString(n) + " exceeds the limit of "
                    + NativeFormat.MAX_HEADER_BYTES + " bytes (not a safetensors file, or a corrupt one)");
        }
        if (n > size - 8) {
            throw header("header length " + n + " exceeds the " + (size - 8) + " bytes after the length field"
                    + " (truncated file, or not a safetensors file)");
        }
        if (n < 2) {
            throw header("header length " + n + " is too small for a JSON object");
        }
        // the bytes, the decoded chars and the string: about 5 bytes of heap per header byte
        long available = JsonInput.availableHeap();
        if (5 * n > available / 2) {
            throw header("a header of " + n + " bytes needs about " + (5 * n >> 20) + " MiB of heap to read; "
                    + (available >> 20) + " MiB are available");
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) n);
        readFully(ch, bytes, 8);
        bytes.flip();
        String text = decodeUtf8(bytes);
        if (text.charAt(0) != '{') {
            throw header("the header does not start with '{' (not a safetensors file)");
        }
        Object json = JsonInput.parse(text, "header");
        return check(json, n, size);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException, ModelException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw header("the file ended while reading the header (it changed while being read?)");
            }
            pos += r;
        }
    }

    private static String decodeUtf8(ByteBuffer bytes) throws ModelException {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = d.decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw header("the header is not valid UTF-8 (near byte " + (8 + bytes.position()) + " of the file)");
        }
    }

    private static SafetensorsHeader check(Object json, long headerLength, long fileSize) throws ModelException {
        if (!(json instanceof Map<?, ?> root)) {
            throw header("the header is not a JSON object");
        }
        long dataLength = fileSize - 8 - headerLength;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorEntry> tensors = new ArrayList<>();
        for (Map.Entry<?, ?> e : root.entrySet()) {
            String key = (String) e.getKey();
            if (key.equals(NativeFormat.METADATA)) {
                if (!(e.getValue() instanceof Map<?, ?> m)) {
                    throw field(NativeFormat.METADATA, "expected an object of strings, got " + JsonInput.kind(
                            e.getValue()));
                }
                for (Map.Entry<?, ?> me : m.entrySet()) {
                    if (!(me.getValue() instanceof String s)) {
                        throw field(NativeFormat.METADATA + "." + me.getKey(), "expected a string (safetensors "
                                + "metadata values are strings), got " + JsonInput.kind(me.getValue()));
                    }
                    metadata.put((String) me.getKey(), s);
                }
            } else {
                tensors.add(tensor(key, e.getValue(), dataLength));
            }
        }
        checkOverlaps(tensors);
        return new SafetensorsHeader(metadata, tensors, headerLength, fileSize);
    }

    private static TensorEntry tensor(String name, Object v, long dataLength) throws ModelException {
        String f = "tensor \"" + name + "\"";
        if (!(v instanceof Map<?, ?> m)) {
            throw field(f, "expected an object with dtype, shape and data_offsets, got " + JsonInput.kind(v));
        }
        for (Object k : m.keySet()) {
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
                throw field(f + "." + k, "unknown key (expected dtype, shape, data_offsets)");
            }
        }
        Object dt = m.get("dtype");
        if (dt == null) {
            throw field(f + ".dtype", "missing");
        }
        if (!(dt instanceof String dtype)) {
            throw field(f + ".dtype", "expected a string, got " + JsonInput.kind(dt));
        }
        if (!NativeFormat.SAFETENSORS_DTYPES.contains(dtype)) {
            throw field(f + ".dtype", "unknown dtype \"" + dtype + "\"; safetensors dtypes are "
                    + String.join(", ", NativeFormat.SAFETENSORS_DTYPES));
        }
        if (!dtype.equals(NativeFormat.DTYPE)) {
            throw field(f + ".dtype", "dtype " + dtype + " is not supported: senet4j tensors are "
                    + NativeFormat.DTYPE);
        }
        Shape shape = shape(m.get("shape"), f + ".shape");
        Object off = m.get("data_offsets");
        if (!(off instanceof List<?> offsets) || offsets.size() != 2) {
            throw field(f + ".data_offsets", off == null ? "missing" : "expected [begin, end], got "
                    + (off instanceof List<?> l ? "a list of " + l.size() : JsonInput.kind(off)));
        }
        long begin = offset(offsets.get(0), f + ".data_offsets[0]");
        long end = offset(offsets.get(1), f + ".data_offsets[1]");
        String range = "[" + begin + ", " + end + ")";
        if (begin > end) {
            throw field(f + ".data_offsets", "begin " + begin + " is after end " + end);
        }
        if (end > dataLength) {
            throw field(f + ".data_offsets", range + " lies outside the data section of " + dataLength
                    + " bytes (truncated file?)");
        }
        long bytes = end - begin;
        long need = byteCount(shape, bytes);
        if (need != bytes) {
            throw field(f + ".data_offsets", range + " holds " + bytes + " bytes, but shape " + shape + " of "
                    + dtype + " needs " + (need < 0 ? "more than that" : need + " bytes"));
        }
        if (bytes > NativeFormat.MAX_TENSOR_BYTES) {
            throw field(f, bytes + " bytes is more than one tensor can hold (" + NativeFormat.MAX_TENSOR_BYTES
                    + ")");
        }
        return new TensorEntry(name, dtype, shape, begin, end);
    }

    /** 4 bytes per element, or -1 when that is more than {@code limit}. */
    private static long byteCount(Shape shape, long limit) {
        long c = 4;
        boolean over = false;
        for (int d : shape.dims()) {
            if (d == 0) {
                return 0;
            }
            if (!over && c > limit / d) {
                over = true;
            } else if (!over) {
                c *= d;
            }
        }
        return over || c > limit ? -1 : c;
    }

    private static Shape shape(Object v, String f) throws ModelException {
        if (v == null) {
            throw field(f, "missing");
        }
        if (!(v instanceof List<?> l)) {
            throw field(f, "expected a list of dimensions, got " + JsonInput.kind(v));
        }
        int[] dims = new int[l.size()];
        for (int i = 0; i < dims.length; i++) {
            Object d = l.get(i);
            if (!(d instanceof Long x)) {
                throw field(f + "[" + i + "]", "expected an integer, got " + JsonInput.kind(d));
            }
            if (x < 0) {
                throw field(f + "[" + i + "]", "negative dimension " + x);
            }
            if (x > Integer.MAX_VALUE) {
                throw field(f + "[" + i + "]", "dimension " + x + " is too large");
            }
            dims[i] = (int) (long) x;
        }
        return Shape.of(dims);
    }

    private static long offset(Object v, String f) throws ModelException {
        if (!(v instanceof Long x)) {
            throw field(f, "expected an integer, got " + JsonInput.kind(v));
        }
        if (x < 0) {
            throw field(f, "negative offset " + x);
        }
        return x;
    }

    private static void checkOverlaps(List<TensorEntry> tensors) throws ModelException {
        List<TensorEntry> sorted = new ArrayList<>();
        for (TensorEntry t : tensors) {
            if (t.byteCount() > 0) {
                sorted.add(t);
            }
        }
        sorted.sort(Comparator.comparingLong(TensorEntry::begin));
        TensorEntry reach = null;
        for (TensorEntry t : sorted) {
            if (reach != null && t.begin() < reach.end()) {
                throw header("tensors \"" + reach.name() + "\" [" + reach.begin() + ", " + reach.end() + ") and \""
                        + t.name() + "\" [" + t.begin() + ", " + t.end() + ") overlap");
            }
            if (reach == null || t.end() > reach.end()) {
                reach = t;
            }
        }
    }

    private static ModelException header(String detail) {
        return ModelException.field("header", detail);
    }

    private static ModelException field(String f, String detail) {
        return ModelException.field("header: " + f, detail);
    }
}
