package org.senet4j.caffe;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.NetParameter;

/**
 * Reads a .prototxt net definition (protobuf text format). A syntax error names the file, line and column; a field
 * that caffe.proto does not define is an error unless unknown fields are allowed, in which case each one is reported
 * as a warning and skipped.
 */
public final class PrototxtReader {
    private static final Logger TEXT_FORMAT_LOG = Logger.getLogger(TextFormat.class.getName());
    /** The largest prototxt read: far beyond any net definition (SENet-154's is 0.2 MB), far below the heap. */
    public static final long MAX_BYTES = 256L << 20;

    private PrototxtReader() {
    }

    public static NetParameter read(Path file) throws IOException, ModelException {
        return read(file, false, w -> { });
    }

    /**
     * @param allowUnknownFields skip fields caffe.proto does not know, reporting each to {@code warnings}
     */
    public static NetParameter read(Path file, boolean allowUnknownFields, Consumer<String> warnings)
            throws IOException, ModelException {
        String text;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new ModelException(file, null, null, null, "a file of " + size + " bytes is too large for a net "
                        + "definition (the limit is " + MAX_BYTES + " bytes): is it a prototxt?", null);
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such prototxt file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ModelException(file, null, null, null, "not a text file (invalid UTF-8): is it a caffemodel?",
                    e);
        }
        return parse(text, file, allowUnknownFields, warnings);
    }

    static NetParameter parse(String text, Path file, boolean allowUnknownFields, Consumer<String> warnings)
            throws ModelException {
        NetParameter.Builder b = NetParameter.newBuilder();
        TextFormat.Parser parser = TextFormat.Parser.newBuilder().setAllowUnknownFields(allowUnknownFields).build();
        List<String> unknown = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                unknown.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean useParent = TEXT_FORMAT_LOG.getUseParentHandlers();
        synchronized (TEXT_FORMAT_LOG) {
            TEXT_FORMAT_LOG.addHandler(capture);
            TEXT_FORMAT_LOG.setUseParentHandlers(false);
            try {
                parser.merge(text, b);
            } catch (TextFormat.ParseException e) {
                String msg = e.getMessage();
                String detail = msg;
                // Messages read "LINE:COLUMN: text"; restate them in words.
                int c1 = msg.indexOf(':');
                int c2 = c1 < 0 ? -1 : msg.indexOf(':', c1 + 1);
                if (e.getLine() >= 0 && c2 > 0) {
                    detail = "line " + e.getLine() + ", column " + e.getColumn() + ": " + msg.substring(c2 + 1).trim();
                }
                throw new ModelException(file, null, null, null, detail, e);
            } finally {
                TEXT_FORMAT_LOG.removeHandler(capture);
                TEXT_FORMAT_LOG.setUseParentHandlers(useParent);
            }
        }
        for (String u : unknown) {
            for (String line : u.split("\n")) {
                line = line.trim();
                if (!line.isEmpty() && !line.startsWith("Input contains unknown fields")) {
                    warnings.accept(file + ": unknown field skipped at " + line.replace('\t', ' '));
                }
            }
        }
        if (b.getLayerCount() == 0 && b.getLayersCount() == 0) {
            throw new ModelException(file, null, null, null, "no layers defined: is this a Caffe net prototxt?",
                    null);
        }
        return b.build();
    }
}
