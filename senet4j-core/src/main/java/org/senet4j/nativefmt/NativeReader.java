package org.senet4j.nativefmt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.io.MappedFile;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Tensor;
import org.senet4j.nativefmt.SafetensorsHeader.TensorEntry;

/**
 * Reads native model files ({@link NativeFormat}) without copying weights: the data section is memory-mapped and each
 * weight {@link Tensor} wraps its slice of the mapping. Only the JSON header is read into memory and parsed; the graph
 * is rebuilt through {@link Graph.Builder}, so its shapes are inferred and checked again.
 *
 * <p>Every check of {@link SafetensorsHeader} applies, then: the file must declare format {@value NativeFormat#FORMAT}
 * version {@value NativeFormat#VERSION}, its graph must be valid JSON describing a valid graph, and every weight it
 * names must be a tensor of the header whose shape the op accepts (tensors that no node names are allowed; they
 * appear only in {@link NativeModel#header()}). Any failure is a {@link ModelException} naming the file and what is
 * wrong (the node and field where there is one).
 *
 * <p>The data section is mapped in windows of at most {@link MappedFile#DEFAULT_SEGMENT} bytes that never split a
 * tensor (a tensor larger than a window gets a window of its own).
 */
public final class NativeReader {
    private NativeReader() {
    }

    /**
     * The graph stored in {@code file}, its weights mapped from the file.
     *
     * @throws IOException when the file cannot be read
     * @throws ModelException naming the file when it is not a valid native model
     */
    public static Graph read(Path file) throws IOException, ModelException {
        return open(file).graph();
    }

    /** Like {@link #read}, and also returns the file's header. */
    public static NativeModel open(Path file) throws IOException, ModelException {
        return open(file, MappedFile.DEFAULT_SEGMENT);
    }

    /** Reads {@code file} mapping windows of at most {@code window} bytes (small values serve tests). */
    static NativeModel open(Path file, int window) throws IOException, ModelException {
        if (window <= 0) {
            throw new IllegalArgumentException("window must be positive");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            SafetensorsHeader header = SafetensorsHeader.read(ch);
            String graphText = checkFormat(header.metadata());
            Object graphJson = JsonInput.parse(graphText, "header: " + NativeFormat.METADATA + "."
                    + NativeFormat.KEY_GRAPH);
            Map<String, Tensor> tensors = map(ch, header, window);
            Map<String, String> metadata = new LinkedHashMap<>(header.metadata());
            metadata.keySet().removeAll(NativeFormat.RESERVED_KEYS);
            Graph g = GraphCodec.decode(graphJson, metadata, tensors::get);
            return new NativeModel(file, g, header);
        } catch (ModelException e) {
            throw e.inFile(file);
        }
    }

    private static String checkFormat(Map<String, String> meta) throws ModelException {
        String field = "header: " + NativeFormat.METADATA + ".";
        String format = meta.get(NativeFormat.KEY_FORMAT);
        if (format == null) {
            throw ModelException.field(field + NativeFormat.KEY_FORMAT, "missing: a safetensors file, but not a "
                    + "senet4j model (it holds weights only, no graph)");
        }
        if (!format.equals(NativeFormat.FORMAT)) {
            throw ModelException.field(field + NativeFormat.KEY_FORMAT, "\"" + format + "\" is not \""
                    + NativeFormat.FORMAT + "\": not a senet4j model");
        }
        String version = meta.get(NativeFormat.KEY_FORMAT_VERSION);
        if (version == null) {
            throw ModelException.field(field + NativeFormat.KEY_FORMAT_VERSION, "missing");
        }
        if (!version.equals(NativeFormat.VERSION)) {
            throw ModelException.field(field + NativeFormat.KEY_FORMAT_VERSION, "version \"" + version
                    + "\" is not supported; this senet4j reads version " + NativeFormat.VERSION
                    + " (a file from a newer senet4j?)");
        }
        String graph = meta.get(NativeFormat.KEY_GRAPH);
        if (graph == null) {
            throw ModelException.field(field + NativeFormat.KEY_GRAPH, "missing");
        }
        return graph;
    }

    /** One tensor per header entry, each wrapping a slice of one mapping. */
    private static Map<String, Tensor> map(FileChannel ch, SafetensorsHeader h, int window) throws IOException {
        Map<String, Tensor> out = new HashMap<>();
        List<TensorEntry> sorted = new ArrayList<>();
        for (TensorEntry t : h.tensors()) {
            if (t.byteCount() == 0) {
                out.put(t.name(), Tensor.ofLittleEndian(t.shape(), ByteBuffer.allocate(0)));
            } else {
                sorted.add(t);
            }
        }
        sorted.sort(Comparator.comparingLong(TensorEntry::begin));
        int i = 0;
        while (i < sorted.size()) {
            long start = sorted.get(i).begin();
            long end = sorted.get(i).end();
            int j = i + 1;
            while (j < sorted.size() && sorted.get(j).end() - start <= window) {
                end = sorted.get(j).end();
                j++;
            }
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, h.dataStart() + start, end - start);
            for (int k = i; k < j; k++) {
                TensorEntry t = sorted.get(k);
                ByteBuffer slice = m.slice((int) (t.begin() - start), (int) t.byteCount());
                out.put(t.name(), Tensor.ofLittleEndian(t.shape(), slice));
            }
            i = j;
        }
        return out;
    }
}
