package org.senet4j.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.List;

/**
 * Writing files so that readers never see a partial one and a failure leaves no trace: the content goes to a hidden
 * temporary file in the target's folder, which is renamed over the target only when complete (an existing target is
 * replaced then, and stays as it was on failure). Not forced to disk: a power loss right after a write can still lose
 * it.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Writes the content of a file, given the temporary path to write it to. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path tmp) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} through {@code content}: a temporary sibling is created (empty, with the permissions the
     * umask gives an ordinary new file), filled, then moved into place; on any failure it is deleted.
     */
    public static void write(Path target, Content content) throws IOException {
        write(target, content, List.of());
    }

    /**
     * {@link #write(Path, Content)} from {@code inputs} that are read while it is written (lazily loaded weights, mappings): each input's stamp is verified
     * before the move (and when writing fails, to name a changed input as the cause), so an input changed in place
     * while it was read leaves no output and an error naming it ({@link FileStamp#verify}).
     */
    public static void write(Path target, Content content, List<FileStamp> inputs) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = tempSibling(abs);
        boolean done = false;
        try {
            try {
                content.writeTo(tmp);
            } catch (IOException | RuntimeException | Error e) {
                for (FileStamp in : inputs) {
                    in.verify(e);
                }
                throw e;
            }
            for (FileStamp in : inputs) {
                in.verify(null);
            }
            moveIntoPlace(tmp, abs);
            done = true;
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is the one to report
                }
            }
        }
    }

    /** Writes {@code text} (UTF-8) to {@code target}; see {@link #write(Path, Content)}. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
    }

    /** Creates an empty hidden temporary file next to {@code target}. */
    public static Path tempSibling(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(RANDOM.nextLong() >>> 1)
                    + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    /** Moves {@code tmp} onto {@code target}, atomically where the file system allows it. */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
