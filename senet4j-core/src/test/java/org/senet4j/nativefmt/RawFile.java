package org.senet4j.nativefmt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.senet4j.io.Json;

/** A native file taken apart for tests that forge headers: the header as mutable JSON, and the data bytes. */
final class RawFile {
    final Map<String, Object> header;
    final byte[] data;

    private RawFile(Map<String, Object> header, byte[] data) {
        this.header = header;
        this.data = data;
    }

    @SuppressWarnings("unchecked")
    static RawFile read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String text = new String(all, 8, (int) n, StandardCharsets.UTF_8);
        return new RawFile((Map<String, Object>) Json.parse(text), Arrays.copyOfRange(all, 8 + (int) n, all.length));
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> metadata() {
        return (Map<String, Object>) header.get("__metadata__");
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> tensor(String name) {
        return (Map<String, Object>) header.get(name);
    }

    /** The graph JSON, parsed; change it, then {@link #setGraph}. */
    @SuppressWarnings("unchecked")
    Map<String, Object> graph() {
        return (Map<String, Object>) Json.parse((String) metadata().get("graph"));
    }

    void setGraph(Map<String, Object> graph) {
        metadata().put("graph", Json.write(graph));
    }

    /** The node called {@code name} in {@code graph}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> node(Map<String, Object> graph, String name) {
        for (Object n : (List<Object>) graph.get("nodes")) {
            Map<String, Object> m = (Map<String, Object>) n;
            if (m.get("name").equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException(name);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> attrs(Map<String, Object> node) {
        return (Map<String, Object>) node.get("attrs");
    }

    Path write(Path file) throws IOException {
        byte[] h = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        byte[] hp = Arrays.copyOf(h, padded);
        Arrays.fill(hp, h.length, padded, (byte) ' ');
        return writeRaw(file, padded, hp, data);
    }

    /** A file with any length field, header bytes and data. */
    static Path writeRaw(Path file, long headerLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(header).put(data);
        Files.write(file, b.array());
        return file;
    }
}
