package org.senet4j.nativefmt;

import org.senet4j.io.AtomicFiles;
import org.senet4j.io.FileStamp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.senet4j.ModelException;
import org.senet4j.io.Json;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.TensorPrefetcher;
import org.senet4j.nativefmt.GraphCodec.NamedTensor;

/**
 * Writes a graph with its weights as a native model file ({@link NativeFormat}).
 *
 * <p>The file is written under a temporary name ({@code .NAME.RANDOM.tmp}) in the target's folder, flushed to disk,
 * then renamed over the target in one atomic step: the target is either left as it was or replaced by a complete
 * file, and no partial file is left behind when writing fails (only a killed process can leave its temporary file).
 * A symbolic link at the target is replaced, not followed. Weights are streamed through a small buffer, never
 * assembled in memory (weights still in their caffemodel, {@code CaffeImporter.Options.lazyWeights}, are read from it
 * chunk by chunk by other threads while the previous chunk is written). The output is deterministic: the same graph gives the same bytes.
 */
public final class NativeWriter {
    private static final int CHUNK = 1 << 20;

    private NativeWriter() {
    }

    /** Receives the progress of a write. */
    @FunctionalInterface
    public interface Progress {
        /** Called after each piece written, last with {@code written == total}; {@code total} is the file size. */
        void update(long written, long total);
    }

    /**
     * Writes {@code graph} to {@code out}.
     *
     * @throws ModelException when the graph cannot be stored: some weight lacks values (a graph loaded without its
     *     caffemodel), a metadata key is reserved ({@link NativeFormat#RESERVED_KEYS}), a name is not valid Unicode,
     *     or a tensor is too large
     * @throws IOException when the file cannot be written; the target is then unchanged
     */
    public static void write(Graph graph, Path out) throws IOException, ModelException {
        write(graph, out, null);
    }

    /** Like {@link #write(Graph, Path)}, reporting progress to {@code progress} (may be null). */
    public static void write(Graph graph, Path out, Progress progress) throws IOException, ModelException {
        write(graph, out, progress, List.of());
    }

    /**
     * {@link #write(Graph, Path, Progress)} for a graph whose weights are still read from {@code inputs} (a
     * caffemodel loaded with {@code CaffeImporter.Options.withLazyWeights()}): nothing is written when an input
     * changes in place while it is read ({@link AtomicFiles#write(Path, AtomicFiles.Content, List)}).
     */
    public static void write(Graph graph, Path out, Progress progress, List<FileStamp> inputs)
            throws IOException, ModelException {
        checkWeights(graph);
        GraphCodec.Encoded enc = GraphCodec.encode(graph);
        byte[] header = header(graph, enc);
        long total = header.length;
        for (NamedTensor t : enc.tensors()) {
            total += 4 * t.tensor().count();
        }
        long size = total;
        AtomicFiles.write(out, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                long[] written = {writeFully(ch, ByteBuffer.wrap(header))};
                report(progress, written[0], size);
                // the next chunks are read (from a caffemodel left on disk) or copied by other threads meanwhile
                List<Tensor> tensors = enc.tensors().stream().map(NamedTensor::tensor).toList();
                try (TensorPrefetcher prefetch = TensorPrefetcher.packed(tensors, CHUNK)) {
                    prefetch.writeAll(ch, bytes -> report(progress, written[0] += bytes, size));
                }
                if (written[0] != size || ch.size() != size) {
                    throw new IOException("wrote " + written[0] + " bytes to " + tmp + ", expected " + size);
                }
            }
        }, inputs);
    }

    private static void report(Progress progress, long written, long total) {
        if (progress != null) {
            progress.update(written, total);
        }
    }

    private static long writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        long n = 0;
        while (b.hasRemaining()) {
            n += ch.write(b);
        }
        return n;
    }

    private static void checkWeights(Graph g) throws ModelException {
        int missing = 0;
        int total = 0;
        Node firstNode = null;
        String firstWeight = null;
        for (Node n : g.nodes()) {
            for (Map.Entry<String, Tensor> e : n.op().weights().entrySet()) {
                total++;
                if (!e.getValue().hasData()) {
                    missing++;
                    if (firstNode == null) {
                        firstNode = n;
                        firstWeight = e.getKey();
                    }
                } else if (4 * e.getValue().count() > NativeFormat.MAX_TENSOR_BYTES) {
                    throw ModelException.layer(n.name(), n.type(), "weights." + e.getKey(), "tensor "
                            + e.getValue().shape() + " is too large for the native format");
                }
            }
        }
        if (firstNode != null) {
            throw ModelException.layer(firstNode.name(), firstNode.type(), "weights." + firstWeight, "has no values: "
                    + missing + " of " + total + " weight tensors are placeholders (was the graph loaded without "
                    + "weights?)");
        }
    }

    /** The length field, the JSON header and its padding. */
    private static byte[] header(Graph g, GraphCodec.Encoded enc) throws ModelException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(NativeFormat.KEY_FORMAT, NativeFormat.FORMAT);
        meta.put(NativeFormat.KEY_FORMAT_VERSION, NativeFormat.VERSION);
        for (Map.Entry<String, String> e : g.metadata().entrySet()) {
            if (NativeFormat.RESERVED_KEYS.contains(e.getKey())) {
                throw ModelException.field("metadata." + e.getKey(), "this key is reserved by the native format "
                        + NativeFormat.RESERVED_KEYS);
            }
            meta.put(e.getKey(), e.getValue());
        }
        meta.put(NativeFormat.KEY_GRAPH, Json.write(enc.json()));
        Map<String, Object> header = new LinkedHashMap<>();
        header.put(NativeFormat.METADATA, meta);
        Set<String> names = new HashSet<>();
        long offset = 0;
        for (NamedTensor t : enc.tensors()) {
            if (!names.add(t.name())) {
                throw ModelException.field("weights", "two weights share the tensor name \"" + t.name() + "\"");
            }
            long bytes = 4 * t.tensor().count();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("dtype", NativeFormat.DTYPE);
            e.put("shape", AttrWriter.shape(t.tensor().shape()));
            e.put("data_offsets", List.of(offset, offset + bytes));
            header.put(t.name(), e);
            offset += bytes;
        }
        byte[] json;
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(Json.write(header)));
            json = new byte[b.remaining()];
            b.get(json);
        } catch (CharacterCodingException e) {
            throw ModelException.field("header", "a name or metadata entry is not valid Unicode (unpaired surrogate)");
        }
        int padded = (json.length + NativeFormat.ALIGNMENT - 1) / NativeFormat.ALIGNMENT * NativeFormat.ALIGNMENT;
        if (padded > NativeFormat.MAX_HEADER_BYTES) {
            throw ModelException.field("header", padded + " bytes exceed the safetensors limit of "
                    + NativeFormat.MAX_HEADER_BYTES);
        }
        ByteBuffer out = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        while (out.hasRemaining()) {
            out.put((byte) ' ');
        }
        return out.array();
    }
}
