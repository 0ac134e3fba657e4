package org.senet4j.caffe;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.BlobShape;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.caffe.proto.V1LayerParameter;
import org.senet4j.io.MappedFile;
import org.senet4j.ir.Shape;

/**
 * A binary .caffemodel read without ever holding the whole message: the file is memory-mapped and walked field by
 * field. Opening it indexes every layer (its parameters, already upgraded from V1 where needed, and where each blob's
 * values lie); {@link #read} copies one blob's values into a float array on demand, so blobs that are never asked for
 * (the data and loss layers of a training net) cost nothing.
 *
 * <p>Layer parameters that a Caffe fork writes at a number {@code caffe.proto} gives another meaning are moved to
 * the declared number by the layer's type before parsing ({@link ForkFields}). A layer whose parameters still do not
 * parse keeps its name, type and blobs, with its parameters left at their defaults, and a {@link #warnings()
 * warning}: only names, types and blobs are needed from a caffemodel. Malformed blobs and truncations stay errors.
 */
public final class CaffemodelFile implements AutoCloseable {
    /** NetParameter fields. */
    private static final int NET_LAYER = 100;
    private static final int NET_V1_LAYERS = 2;
    /** LayerParameter / V1LayerParameter fields. */
    private static final int LAYER_NAME = 1;
    private static final int LAYER_TYPE = 2;
    private static final int LAYER_BLOBS = 7;
    private static final int V1_NAME = 4;
    private static final int V1_TYPE = 5;
    private static final int V1_BLOBS = 6;
    /** V1LayerParameter.layer: a pre-2014 (V0) layer, which holds the name and the blobs itself. */
    private static final int V1_V0_LAYER = 1;
    private static final int V0_NAME = 1;
    private static final int V0_BLOBS = 50;
    /** BlobProto fields. */
    private static final int BLOB_NUM = 1;
    private static final int BLOB_WIDTH = 4;
    private static final int BLOB_DATA = 5;
    private static final int BLOB_SHAPE = 7;
    private static final int BLOB_DOUBLE_DATA = 8;
    /** The most bytes of parameters (all fields but blobs) of one layer, or of the net's own fields, held in memory. */
    static final int MAX_PARAMETER_BYTES = 64 << 20;

    private final MappedFile file;
    private final NetParameter header;
    private final List<StoredLayer> layers;
    private final List<String> warnings;

    /** A run of {@code count} values starting at {@code offset}, {@code stride} bytes apart. */
    record Chunk(long offset, int count, int stride, boolean isDouble) {
    }

    /**
     * One stored blob: its shape as written ({@code legacy} when given as num/channels/height/width), its value count
     * and where the values are.
     */
    public record StoredBlob(int index, Shape shape, boolean legacy, long count, List<Chunk> chunks, long offset) {
    }

    /** One stored layer: its parameters without blobs (upgraded to the modern form) and its blobs. */
    public record StoredLayer(String name, String type, LayerParameter param, List<StoredBlob> blobs,
                              boolean fromV1, long offset) {
    }

    private CaffemodelFile(MappedFile file, NetParameter header, List<StoredLayer> layers, List<String> warnings) {
        this.file = file;
        this.header = header;
        this.layers = List.copyOf(layers);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Maps and indexes {@code path}.
     *
     * @throws ModelException naming the file and byte offset when the bytes are not a well-formed caffemodel
     */
    public static CaffemodelFile open(Path path) throws IOException, ModelException {
        return open(path, MappedFile.DEFAULT_SEGMENT);
    }

    static CaffemodelFile open(Path path, int segmentSize) throws IOException, ModelException {
        MappedFile f = MappedFile.open(path, segmentSize);
        if (f.size() == 0) {
            throw new ModelException(path, null, null, null, "the file is empty, not a caffemodel", null);
        }
        WireReader r = new WireReader(f, 0, f.size(), "NetParameter");
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        List<Long> restStarts = new ArrayList<>();
        List<StoredLayer> layers = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        while (r.hasMore()) {
            long tagStart = r.position();
            int tag = r.readTag();
            int field = tag >>> 3;
            if ((field == NET_LAYER || field == NET_V1_LAYERS) && (tag & 7) == WireReader.LEN) {
                long len = r.readLength(field);
                long start = r.position();
                layers.add(readLayer(f, start, start + len, field == NET_V1_LAYERS, layers.size(), warnings));
                r.advance(len, field);
            } else {
                r.skip(tag);
                restStarts.add(tagStart);
                copyParameters(r, tagStart, rest, "net-level fields");
            }
        }
        NetParameter header;
        try {
            header = NetParameter.parseFrom(rest.toByteArray());
        } catch (InvalidProtocolBufferException e) {
            throw malformedNetField(f, restStarts, e);
        }
        if (layers.isEmpty()) {
            throw new ModelException(path, null, null, null,
                    "no layers found: this is not a caffemodel (or the file is truncated)", null);
        }
        return new CaffemodelFile(f, header, layers, warnings);
    }

    /**
     * Appends the field just read ({@code [start, r.position())}) to {@code to}, unless parameters would grow past
     * {@link #MAX_PARAMETER_BYTES}: only blob data may be large, and it is never copied here.
     */
    private static void copyParameters(WireReader r, long start, ByteArrayOutputStream to, String what)
            throws ModelException {
        long size = r.position() - start;
        if (to.size() + size > MAX_PARAMETER_BYTES) {
            throw r.error(start, what + " take more than " + MAX_PARAMETER_BYTES + " bytes (this field alone "
                    + size + "); only blob data can be that large");
        }
        to.writeBytes(r.bytes(start, r.position()));
    }

    /** Finds which net-level field (each parses on its own) is malformed, to name its offset. */
    private static ModelException malformedNetField(MappedFile f, List<Long> starts, InvalidProtocolBufferException e)
            throws ModelException {
        for (long start : starts) {
            WireReader r = new WireReader(f, start, f.size(), "NetParameter");
            int tag = r.readTag();
            r.skip(tag);
            try {
                NetParameter.parseFrom(r.bytes(start, r.position()));
            } catch (InvalidProtocolBufferException fe) {
                return r.error(start, "net-level field " + (tag >>> 3) + " (wire type " + (tag & 7)
                        + ") is malformed: " + fe.getMessage());
            }
        }
        return new ModelException(f.path(), null, null, null, "net-level fields are malformed: " + e.getMessage(), e);
    }

    private static StoredLayer readLayer(MappedFile f, long start, long end, boolean v1, int index,
                                         List<String> warnings) throws ModelException {
        WireReader r = new WireReader(f, start, end, "layer #" + index);
        int nameField = v1 ? V1_NAME : LAYER_NAME;
        int blobsField = v1 ? V1_BLOBS : LAYER_BLOBS;
        ByteArrayOutputStream params = new ByteArrayOutputStream();
        List<StoredBlob> blobs = new ArrayList<>();
        String name = null;
        String type = null;
        Integer v1Type = null;
        boolean v0 = false;
        while (r.hasMore()) {
            long tagStart = r.position();
            int tag = r.readTag();
            int field = tag >>> 3;
            if (v1 && field == V1_V0_LAYER && (tag & 7) == WireReader.LEN) {
                if (!v0 && !blobs.isEmpty()) {
                    throw r.error(tagStart, "a V0 layer holds its blobs in its 'layer' block, not beside it");
                }
                long len = r.readLength(field);
                String v0Name = readV0Layer(f, r.position(), r.position() + len, index, blobs, params);
                if (v0Name != null) {
                    name = v0Name;
                    r.context("layer \"" + name + "\"");
                }
                r.advance(len, field);
                v0 = true;
                continue;
            }
            if (field == blobsField && (tag & 7) == WireReader.LEN) {
                if (v0) {
                    throw r.error(tagStart, "a V0 layer holds its blobs in its 'layer' block, not beside it");
                }
                long len = r.readLength(field);
                long bstart = r.position();
                blobs.add(readBlob(f, bstart, bstart + len, blobs.size(), name == null ? "layer #" + index
                        : "layer \"" + name + "\""));
                r.advance(len, field);
                continue;
            }
            if ((field == nameField || !v1 && field == LAYER_TYPE) && (tag & 7) == WireReader.LEN) {
                long len = r.readLength(field);
                if (len > MAX_PARAMETER_BYTES) {
                    throw r.error(r.position(), "a layer " + (field == nameField ? "name" : "type") + " of " + len
                            + " bytes is too long");
                }
                String value = new String(r.bytes(r.position(), r.position() + len), StandardCharsets.UTF_8);
                if (field == nameField) {
                    name = value;
                    r.context("layer \"" + name + "\"");
                } else {
                    type = value;
                }
                r.advance(len, field);
            } else if (v1 && field == V1_TYPE && (tag & 7) == WireReader.VARINT) {
                v1Type = (int) r.readVarint();
            } else {
                r.skip(tag);
            }
            copyParameters(r, tagStart, params, "the fields of this layer (blobs aside)");
        }
        byte[] bytes = params.toByteArray();
        LayerParameter param;
        if (v1) {
            try {
                param = NetUpgrader.upgradeV1Layer(V1LayerParameter.parseFrom(bytes), f.path());
            } catch (InvalidProtocolBufferException e) {
                warnings.add(lenient(f, start, name, v1Type == null ? null : "V1 type " + v1Type, e));
                V1LayerParameter.Builder b = V1LayerParameter.newBuilder().setName(name == null ? "" : name);
                V1LayerParameter.LayerType t = v1Type == null ? null : V1LayerParameter.LayerType.forNumber(v1Type);
                if (t != null) {
                    b.setType(t);
                }
                param = NetUpgrader.upgradeV1Layer(b.build(), f.path());
            }
        } else {
            param = parseLayer(f, start, name, type, bytes, warnings);
        }
        return new StoredLayer(param.getName(), param.getType(), param, blobs, v1, start);
    }

    /**
     * A modern layer's parameters: with the fork fields of its type renumbered ({@link ForkFields}), else as they
     * are, else (neither parses) only its name and type, with a warning.
     */
    private static LayerParameter parseLayer(MappedFile f, long start, String name, String type, byte[] bytes,
                                             List<String> warnings) {
        byte[] renumbered = type == null ? bytes : ForkFields.rewrite(type, bytes);
        InvalidProtocolBufferException failure;
        try {
            return LayerParameter.parseFrom(renumbered);
        } catch (InvalidProtocolBufferException e) {
            failure = e;
        }
        if (renumbered != bytes) {
            try {
                LayerParameter p = LayerParameter.parseFrom(bytes);
                warnings.add(f.path() + ": byte " + start + ": layer \"" + name + "\" (type " + type + "): its "
                        + "parameters do not parse with the fork fields of its type renumbered ("
                        + failure.getMessage() + "); read with the numbers as written");
                return p;
            } catch (InvalidProtocolBufferException e) {
                // as malformed as written: keep name and type only
            }
        }
        warnings.add(lenient(f, start, name, type, failure));
        LayerParameter.Builder b = LayerParameter.newBuilder().setName(name == null ? "" : name);
        if (type != null) {
            b.setType(type);
        }
        return b.build();
    }

    private static String lenient(MappedFile f, long start, String name, String type,
                                  InvalidProtocolBufferException e) {
        return f.path() + ": byte " + start + ": the parameters of layer " + (name == null ? "(unnamed)"
                : "\"" + name + "\"") + (type == null ? "" : " (type " + type + ")") + " are malformed ("
                + e.getMessage() + "); its name, type and blobs are kept, its parameters left at their defaults";
    }

    /**
     * Indexes the blobs of a V0 layer ({@code [start, end)}, the V1 layer's {@code layer} field) into {@code blobs}
     * and appends the field, blobs left out, to {@code params}; returns the layer's name (null when it has none).
     */
    private static String readV0Layer(MappedFile f, long start, long end, int index, List<StoredBlob> blobs,
                                      ByteArrayOutputStream params) throws ModelException {
        WireReader r = new WireReader(f, start, end, "layer #" + index);
        ByteArrayOutputStream fields = new ByteArrayOutputStream();
        String name = null;
        while (r.hasMore()) {
            long tagStart = r.position();
            int tag = r.readTag();
            int field = tag >>> 3;
            if (field == V0_BLOBS && (tag & 7) == WireReader.LEN) {
                long len = r.readLength(field);
                long bstart = r.position();
                blobs.add(readBlob(f, bstart, bstart + len, blobs.size(), name == null ? "layer #" + index
                        : "layer \"" + name + "\""));
                r.advance(len, field);
                continue;
            }
            if (field == V0_NAME && (tag & 7) == WireReader.LEN) {
                long len = r.readLength(field);
                if (len > MAX_PARAMETER_BYTES) {
                    throw r.error(r.position(), "a layer name of " + len + " bytes is too long");
                }
                name = new String(r.bytes(r.position(), r.position() + len), java.nio.charset.StandardCharsets.UTF_8);
                r.context("layer \"" + name + "\"");
                r.advance(len, field);
            } else {
                r.skip(tag);
            }
            copyParameters(r, tagStart, fields, "the fields of this layer (blobs aside)");
        }
        if (params.size() + fields.size() + 16 > MAX_PARAMETER_BYTES) {
            throw r.error(start, "the fields of this layer (blobs aside) take more than " + MAX_PARAMETER_BYTES
                    + " bytes; only blob data can be that large");
        }
        writeVarint(params, V1_V0_LAYER << 3 | WireReader.LEN);
        writeVarint(params, fields.size());
        params.writeBytes(fields.toByteArray());
        return name;
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static StoredBlob readBlob(MappedFile f, long start, long end, int index, String owner)
            throws ModelException {
        WireReader r = new WireReader(f, start, end, owner + " blobs[" + index + "]");
        long[] legacy = new long[4];
        boolean hasLegacy = false;
        Shape shape = null;
        List<Chunk> floats = new ArrayList<>();
        List<Chunk> doubles = new ArrayList<>();
        while (r.hasMore()) {
            int tag = r.readTag();
            int field = tag >>> 3;
            int wire = tag & 7;
            if (field >= BLOB_NUM && field <= BLOB_WIDTH && wire == WireReader.VARINT) {
                legacy[field - 1] = r.readVarint();
                hasLegacy = true;
            } else if (field == BLOB_SHAPE && wire == WireReader.LEN) {
                long len = r.readLength(field);
                if (len > MAX_PARAMETER_BYTES) {
                    throw r.error(r.position(), "a blob shape of " + len + " bytes is too large");
                }
                try {
                    BlobShape bs = BlobShape.parseFrom(r.bytes(r.position(), r.position() + len));
                    shape = Shape.ofLongs(bs.getDimList().stream().mapToLong(Long::longValue).toArray());
                } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
                    throw r.error(r.position(), "malformed blob shape: " + e.getMessage());
                }
                r.advance(len, field);
            } else if (field == BLOB_DATA || field == BLOB_DOUBLE_DATA) {
                boolean dbl = field == BLOB_DOUBLE_DATA;
                int width = dbl ? 8 : 4;
                List<Chunk> target = dbl ? doubles : floats;
                if (wire == WireReader.LEN) {
                    long len = r.readLength(field);
                    if (len % width != 0) {
                        throw r.error(r.position(), "packed " + (dbl ? "double" : "float") + " data of " + len
                                + " bytes is not a whole number of values");
                    }
                    if (len / width > Integer.MAX_VALUE) {
                        throw r.error(r.position(), "blob of " + len / width + " values is too large");
                    }
                    target.add(new Chunk(r.position(), (int) (len / width), width, dbl));
                    r.advance(len, field);
                } else if (wire == (dbl ? WireReader.FIXED64 : WireReader.FIXED32)) {
                    long at = r.position();
                    r.advance(width, field);
                    appendUnpacked(target, at, width + 1, dbl);
                } else {
                    throw r.error(r.position(), "field " + field + " (" + (dbl ? "double_data" : "data")
                            + ") has wire type " + wire);
                }
            } else {
                r.skip(tag);
            }
        }
        Shape s;
        try {
            s = hasLegacy ? Shape.ofLongs(legacy) : shape != null ? shape : Shape.of();
        } catch (IllegalArgumentException e) {
            throw r.error(start, "legacy blob dimensions num/channels/height/width " + java.util.Arrays.toString(legacy)
                    + " must lie in [0, " + Integer.MAX_VALUE + "]");
        }
        if (!s.countFits()) {
            throw r.error(start, "blob of shape " + s + " holds more than " + Shape.MAX_COUNT
                    + " values (the most one Caffe blob can hold)");
        }
        List<Chunk> chunks = doubles.isEmpty() ? floats : doubles;
        long count = chunks.stream().mapToLong(Chunk::count).sum();
        if (count != s.count()) {
            throw r.error(start, "blob of shape " + s + " holds " + count + " values, expected " + s.count());
        }
        return new StoredBlob(index, s, hasLegacy, count, List.copyOf(chunks), start);
    }

    private static void appendUnpacked(List<Chunk> target, long at, int stride, boolean dbl) {
        if (!target.isEmpty()) {
            Chunk last = target.get(target.size() - 1);
            if (last.stride() == stride && last.offset() + (long) last.count() * stride == at) {
                target.set(target.size() - 1, new Chunk(last.offset(), last.count() + 1, stride, dbl));
                return;
            }
        }
        target.add(new Chunk(at, 1, stride, dbl));
    }

    public Path path() {
        return file.path();
    }

    public long size() {
        return file.size();
    }

    /** Net-level fields (name, legacy inputs, state), without layers. */
    public NetParameter header() {
        return header;
    }

    public List<StoredLayer> layers() {
        return layers;
    }

    /**
     * What opening the file let pass: layers whose parameters do not parse (kept with their name, type and blobs
     * and default parameters), each naming the file, the layer's byte offset and the layer.
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The byte offset in the file of a blob's values when they are stored as one packed run of little-endian float32
     * values (as Caffe writes them), else -1 (then only {@link #read} gives them).
     */
    public long packedFloats(StoredBlob blob) {
        if (blob.chunks().size() != 1) {
            return -1;
        }
        Chunk c = blob.chunks().get(0);
        return c.isDouble() || c.stride() != 4 ? -1 : c.offset();
    }

    /** Copies a blob's values into a new array (double data narrowed to float). */
    public float[] read(StoredBlob blob) {
        float[] out = new float[Math.toIntExact(blob.count())];
        int at = 0;
        for (Chunk c : blob.chunks()) {
            if (c.stride() == 4 && !c.isDouble()) {
                file.floats(c.offset(), out, at, c.count());
            } else if (c.stride() == 8 && c.isDouble()) {
                file.doublesAsFloats(c.offset(), out, at, c.count());
            } else {
                for (int i = 0; i < c.count(); i++) {
                    long p = c.offset() + (long) i * c.stride();
                    if (c.isDouble()) {
                        file.doublesAsFloats(p, out, at + i, 1);
                    } else {
                        file.floats(p, out, at + i, 1);
                    }
                }
            }
            at += c.count();
        }
        return out;
    }

    @Override
    public void close() {
        file.close();
    }
}
