package org.senet4j.caffe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.senet4j.ir.Tensor;

/**
 * A blob's values left in the caffemodel: little-endian float32 bytes at {@code offset}, read from the file (positional
 * reads, no mapping) each time they are needed. A file that is shorter by then gives an error naming it and the byte
 * offset, never a crash; one rewritten in place gives its new bytes, which is why a conversion verifies the file's
 * {@link org.senet4j.io.FileStamp stamp} before committing its output.
 */
record StoredFloats(Path path, FileChannel channel, long offset) implements Tensor.Source {

    @Override
    public void fill(long from, ByteBuffer dst) {
        long pos = offset + 4 * from;
        try {
            while (dst.hasRemaining()) {
                int r = channel.read(dst, pos);
                if (r < 0) {
                    throw new UncheckedIOException(new IOException(path + ": byte " + pos + ": the file ends inside "
                            + "weights it held when it was loaded (was it truncated since?)"));
                }
                pos += r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException(path + ": reading weights at byte " + pos + ": "
                    + e.getMessage(), e));
        }
    }
}
