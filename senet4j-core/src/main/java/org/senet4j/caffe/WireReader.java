package org.senet4j.caffe;

import java.nio.file.Path;
import org.senet4j.ModelException;
import org.senet4j.io.MappedFile;

/**
 * A cursor over protobuf wire-format bytes of a {@link MappedFile}, bounded by the end of the enclosing message.
 * Every length is checked against that bound before anything is allocated; errors name the file and byte offset.
 */
final class WireReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LEN = 2;
    static final int FIXED32 = 5;

    private final MappedFile file;
    private long pos;
    private final long end;
    private String context;

    WireReader(MappedFile file, long start, long end, String context) {
        this.file = file;
        this.pos = start;
        this.end = end;
        this.context = context;
    }

    void context(String c) {
        this.context = c;
    }

    boolean hasMore() {
        return pos < end;
    }

    long position() {
        return pos;
    }

    long end() {
        return end;
    }

    long readVarint() throws ModelException {
        long start = pos;
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw error(start, "truncated varint (the data ends at byte " + end + ")");
            }
            byte b = file.get(pos++);
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw error(start, "malformed varint (more than 10 bytes)");
    }

    /** Reads a tag; returns it (field number {@code tag >>> 3}, wire type {@code tag & 7}). */
    int readTag() throws ModelException {
        long start = pos;
        long tag = readVarint();
        int field = (int) (tag >>> 3);
        int wire = (int) (tag & 7);
        if (tag < 0 || tag > 0xffffffffL || field == 0) {
            throw error(start, "invalid field tag " + Long.toUnsignedString(tag));
        }
        if (wire != VARINT && wire != FIXED64 && wire != LEN && wire != FIXED32) {
            throw error(start, "field " + field + " has unsupported wire type " + wire
                    + (wire == 3 || wire == 4 ? " (groups)" : ""));
        }
        return (int) tag;
    }

    /** Reads a length prefix and checks that that many bytes remain; returns the length. */
    long readLength(int field) throws ModelException {
        long start = pos;
        long len = readVarint();
        if (len < 0 || len > end - pos) {
            throw error(start, "field " + field + " declares " + Long.toUnsignedString(len) + " bytes but only "
                    + (end - pos) + " remain" + (end == file.size() ? " in the file (truncated?)"
                    : " in the enclosing message"));
        }
        return len;
    }

    void skip(int tag) throws ModelException {
        int field = tag >>> 3;
        switch (tag & 7) {
            case VARINT -> readVarint();
            case FIXED64 -> advance(8, field);
            case FIXED32 -> advance(4, field);
            case LEN -> {
                long len = readLength(field);
                pos += len;
            }
            default -> throw error(pos, "unsupported wire type " + (tag & 7));
        }
    }

    void advance(long n, int field) throws ModelException {
        if (n > end - pos) {
            throw error(pos, "field " + field + " needs " + n + " bytes but only " + (end - pos) + " remain");
        }
        pos += n;
    }

    int readFixed32(int field) throws ModelException {
        long p = pos;
        advance(4, field);
        byte[] b = file.bytes(p, 4);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    byte[] bytes(long from, long to) throws ModelException {
        if (to - from > Integer.MAX_VALUE - 16) {
            throw error(from, "message of " + (to - from) + " bytes is too large");
        }
        return file.bytes(from, (int) (to - from));
    }

    ModelException error(long offset, String message) {
        return new ModelException(file.path(), null, null, null,
                "byte " + offset + (context == null ? "" : " (" + context + ")") + ": " + message, null);
    }

    Path path() {
        return file.path();
    }
}
