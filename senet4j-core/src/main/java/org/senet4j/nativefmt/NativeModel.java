package org.senet4j.nativefmt;

import java.nio.file.Path;
import java.util.Objects;
import org.senet4j.ir.Graph;

/**
 * A native model file as read: the graph, whose weights wrap the file's memory mapping, and the file's safetensors
 * header (all of {@code __metadata__}, and every tensor's dtype, shape and byte range).
 *
 * <p>The mapping stays valid while the graph's tensors are reachable; the garbage collector releases it. Changing the
 * file in place while it is mapped changes (or, if truncated, breaks) the weights: {@link NativeWriter} never does, it
 * replaces files by renaming.
 */
public record NativeModel(Path file, Graph graph, SafetensorsHeader header) {
    public NativeModel {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(header, "header");
    }

    /** The format version the file declares. */
    public String formatVersion() {
        return header.metadata().get(NativeFormat.KEY_FORMAT_VERSION);
    }
}
