package org.senet4j.labels;

import java.nio.file.Path;

/**
 * A label or ground-truth file that cannot be used: an unknown format, a malformed line, classes missing or
 * repeated, files that disagree, or a class order that cannot be derived from what was given. The message names the
 * file (and line, where there is one) and says what would work.
 */
public class LabelFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public LabelFileException(String message) {
        super(message);
    }

    /** An error about {@code file}, at 1-based {@code line} (0: the file as a whole). */
    public static LabelFileException at(Path file, int line, String detail) {
        return new LabelFileException(file + (line > 0 ? ":" + line : "") + ": " + detail);
    }
}
