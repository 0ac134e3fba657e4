package org.senet4j.svg;

import org.senet4j.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Helpers for writing SVG by hand: escaping, number formatting, atomic files. */
public final class Svg {
    private Svg() {
    }

    /** Text escaped for XML character data and attribute values. */
    public static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    // characters XML 1.0 does not allow are dropped
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** A coordinate with at most one decimal. */
    static String n(double v) {
        long r = Math.round(v * 10);
        return r % 10 == 0 ? Long.toString(r / 10) : String.format(Locale.ROOT, "%.1f", r / 10.0);
    }

    /** {@code s} cut to {@code max} characters with an ellipsis. */
    static String fit(String s, int max) {
        return s.length() <= max ? s : s.substring(0, Math.max(1, max - 1)) + "\u2026";
    }

    /**
     * Writes {@code svg} to {@code target} through a temporary file in the same directory, renamed into place when
     * complete (an existing file is replaced).
     */
    public static void write(Path target, String svg) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null, "the directory of " + target
                    + " does not exist");
        }
        if (Files.isDirectory(abs)) {
            throw new IOException(target + " is a directory");
        }
        AtomicFiles.writeString(abs, svg);
    }
}
