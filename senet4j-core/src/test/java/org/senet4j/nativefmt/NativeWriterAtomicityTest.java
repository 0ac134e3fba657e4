package org.senet4j.nativefmt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.ir.Graph;

/** A failing write leaves no file behind and never damages the file already at the target. */
class NativeWriterAtomicityTest {
    @TempDir
    Path dir;

    private Graph placeholders;
    private Graph weighted;

    @BeforeEach
    void load() throws Exception {
        placeholders = CaffeImporter.load(TestData.testdata().resolve("se_resnext_mini.prototxt"), null).graph();
        weighted = NativeFixtures.withRandomWeights(placeholders, 9);
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void placeholderWeightsAreRefusedAndTheOldFileStays() throws Exception {
        Path target = Files.writeString(dir.resolve("model.senet4j"), "previous contents");
        ModelException e = assertThrows(ModelException.class, () -> NativeWriter.write(placeholders, target));
        assertTrue(e.getMessage().contains("has no values"), e.getMessage());
        assertTrue(e.getMessage().contains("placeholders"), e.getMessage());
        assertTrue(e.layer() != null, "the message names the first node without weights");
        assertEquals("previous contents", Files.readString(target));
        assertEquals(List.of(target), files());
    }

    @Test
    void failingInTheMiddleLeavesNothingBehind() throws Exception {
        Path target = Files.writeString(dir.resolve("model.senet4j"), "previous contents");
        RuntimeException e = assertThrows(RuntimeException.class, () -> NativeWriter.write(weighted, target,
                (written, total) -> {
                    if (written > total / 2) {
                        throw new IllegalStateException("disk full (simulated)");
                    }
                }));
        assertEquals("disk full (simulated)", e.getMessage());
        assertEquals("previous contents", Files.readString(target));
        assertEquals(List.of(target), files());
    }

    @Test
    void missingOrNonFolderParentsFailCleanly() throws Exception {
        assertThrows(IOException.class, () -> NativeWriter.write(weighted, dir.resolve("no/such/dir/m.senet4j")));
        Path file = Files.writeString(dir.resolve("plain.txt"), "x");
        assertThrows(IOException.class, () -> NativeWriter.write(weighted, file.resolve("m.senet4j")));
        assertEquals(List.of(file), files());
    }

    @Test
    void unwritableFolderFailsCleanly() throws Exception {
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Path target = Files.writeString(ro.resolve("model.senet4j"), "previous contents");
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(ro), "running as root: folder permissions are not enforced");
            assertThrows(IOException.class, () -> NativeWriter.write(weighted, target));
            assertEquals("previous contents", Files.readString(target));
            try (Stream<Path> s = Files.list(ro)) {
                assertEquals(List.of(target), s.toList());
            }
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void targetThatIsAFolderIsNotReplaced() throws Exception {
        Path target = Files.createDirectory(dir.resolve("model.senet4j"));
        Files.writeString(target.resolve("keep.txt"), "keep");
        assertThrows(IOException.class, () -> NativeWriter.write(weighted, target));
        assertEquals("keep", Files.readString(target.resolve("keep.txt")));
        assertEquals(List.of(target), files());
    }

    @Test
    void replacingAFileKeepsGraphsMappedFromItIntact() throws Exception {
        Path target = dir.resolve("model.senet4j");
        NativeWriter.write(weighted, target);
        byte[] before = Files.readAllBytes(target);
        Graph mapped = NativeReader.read(target);
        Graph other = NativeFixtures.withRandomWeights(placeholders, 10);
        NativeWriter.write(other, target);
        NativeFixtures.assertSameGraph(weighted, mapped);
        NativeFixtures.assertSameGraph(other, NativeReader.read(target));
        // a graph read from a file can be written back over that same file
        NativeWriter.write(mapped, target);
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(List.of(target), files());
    }
}
