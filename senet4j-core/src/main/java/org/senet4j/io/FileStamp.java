package org.senet4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * What a file looked like when it was opened: its identity (device and inode where the file system has them), size
 * and modification time. A conversion that reads its input while writing its output (weights left in the caffemodel,
 * a memory mapping) takes one before the input is opened and {@link #verify verifies} it before the output is committed: an input rewritten or truncated in place
 * meanwhile fails the conversion instead of leaving a file made of mixed or missing bytes. A file replaced by another
 * (a rename over it) passes: the open channel or mapping still reads the old one, whole.
 *
 * <p>The check sees what the file system records: a change that keeps the size and does not move the modification
 * time (a writer through its own shared mapping, before the kernel updates the time; a file system with coarse times
 * rewritten twice within one tick to the same size) is not seen.
 */
public record FileStamp(Path path, Object fileKey, long size, FileTime modified) {

    public FileStamp {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(modified, "modified");
    }

    /** The stamp of {@code path} now. */
    public static FileStamp of(Path path) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        return new FileStamp(path, a.fileKey(), a.size(), a.lastModifiedTime());
    }

    /**
     * Throws when the file this stamp was taken of was changed in place since: same identity, but its size or
     * modification time differ. A file deleted or renamed away passes (an open channel or mapping still holds all
     * of it).
     *
     * @param cause the failure that made the caller look, attached to the error (may be null)
     */
    public void verify(Throwable cause) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            return;
        }
        boolean same = fileKey == null || fileKey.equals(a.fileKey());
        if (same && (a.size() != size || !a.lastModifiedTime().equals(modified))) {
            throw new IOException(path + " was modified while it was being converted (" + size + " bytes, modified "
                    + modified + " when opened; now " + a.size() + " bytes, modified " + a.lastModifiedTime()
                    + "): no output was written; convert it again", cause);
        }
    }
}
