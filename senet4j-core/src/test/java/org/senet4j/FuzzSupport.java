package org.senet4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.senet4j.ir.Graph;
import org.senet4j.ir.GraphSummary;

/**
 * Shared by the fuzz tests: fuzzed bytes become a file (the readers take paths and memory-map them), and the checks
 * every outcome must pass.
 */
public final class FuzzSupport {
    private static Path dir;

    private FuzzSupport() {
    }

    /** Writes {@code data} to a new file with this suffix in a private temporary folder; delete it after use. */
    public static synchronized Path write(byte[] data, String suffix) throws IOException {
        if (dir == null) {
            dir = scratchDirectory("senet4j-fuzz");
            dir.toFile().deleteOnExit();
        }
        Path p = Files.createTempFile(dir, "input", suffix);
        Files.write(p, data);
        return p;
    }

    /**
     * A new temporary folder in memory ({@code /dev/shm}) where there is one: tests that write thousands of small files
     * would otherwise wait on the disk.
     */
    public static Path scratchDirectory(String prefix) throws IOException {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return Files.createTempDirectory(shm, prefix);
        }
        return Files.createTempDirectory(prefix);
    }

    /** Deletes a folder made by {@link #scratchDirectory} and the files in it. */
    public static void deleteScratch(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(folder);
    }

    /** A rejected input: the error says what is wrong and names the file (one of {@code files}). */
    public static void checkRejection(ModelException e, Path... files) {
        assertNotNull(e.getMessage());
        assertFalse(e.detail().isBlank(), "an error without a message");
        for (Path f : files) {
            if (f.equals(e.file())) {
                return;
            }
        }
        assertEquals(files[0], e.file(), "the error does not name the file: " + e.getMessage());
    }

    /** An accepted input: the graph is usable as inspect uses it (shapes, parameter and MAC counts). */
    public static void exercise(Graph g) {
        GraphSummary s = GraphSummary.of(g);
        assertEquals(g.nodes().size(), s.rows().size());
        for (String v : g.outputs()) {
            assertNotNull(g.shape(v));
        }
    }
}
