package org.senet4j.verify.caffe;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Moves {@code tmp} onto {@code target}, atomically where the file system allows it. */
    static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Creates an empty, hidden temporary file next to {@code target} (unlike {@code Files.createTempFile}, with the
     * permissions the umask gives an ordinary new file, which it keeps after {@link #moveIntoPlace}).
     */
    static Path tempSibling(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** Writes {@code text} (UTF-8) to {@code target} through a temporary file in the same directory. */
    static void writeString(Path target, String text) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = tempSibling(abs);
        boolean done = false;
        try {
            Files.writeString(tmp, text);
            moveIntoPlace(tmp, abs);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
