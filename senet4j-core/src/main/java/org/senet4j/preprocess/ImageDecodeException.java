package org.senet4j.preprocess;

import java.io.IOException;
import java.nio.file.Path;

/** An image file that cannot be decoded: not an image, an unsupported format or colour model, or corrupt data. */
public class ImageDecodeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    /**
     * @param file   the image file, or null when the image came from memory
     * @param detail what is wrong, without the file name
     */
    public ImageDecodeException(Path file, String detail, Throwable cause) {
        super((file == null ? "" : file + ": ") + detail, cause);
        this.file = file;
    }

    public ImageDecodeException(Path file, String detail) {
        this(file, detail, null);
    }

    /** The file, or null when the image did not come from a file. */
    public Path file() {
        return file;
    }
}
