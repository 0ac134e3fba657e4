package org.senet4j.nativefmt;

import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.io.Json;

/** Parsing untrusted JSON text within a memory budget, and naming JSON value kinds in messages. */
final class JsonInput {
    /** A generous bound on the heap one parsed JSON token (value, key, separator) takes. */
    private static final long BYTES_PER_TOKEN = 128;

    private JsonInput() {
    }

    /**
     * Parses {@code text}, first making sure the parsed tree fits comfortably in the heap: an adversarial 100 MB
     * header of empty objects would otherwise take gigabytes.
     *
     * @throws ModelException naming {@code what} when the text is not JSON or too large to parse
     */
    static Object parse(String text, String what) throws ModelException {
        long available = availableHeap();
        // there are fewer tokens than characters: count them only when the text is large for this heap
        long tokens = (BYTES_PER_TOKEN + 4) * text.length() > available / 2 ? tokens(text) : text.length();
        long need = tokens * BYTES_PER_TOKEN + 4L * text.length();
        if (need > available / 2) {
            throw ModelException.field(what, text.length() + " characters with " + tokens
                    + " JSON tokens would take about " + need / (1 << 20) + " MiB of heap to parse; "
                    + available / (1 << 20) + " MiB are available");
        }
        try {
            return Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw ModelException.field(what, "malformed JSON: " + e.getMessage());
        }
    }

    /** Heap that can still be allocated: the maximum heap less what is in use now. */
    static long availableHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /** Counts the structural characters outside strings: an upper bound on the values, keys and separators. */
    static long tokens(String s) {
        long n = 0;
        boolean inString = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                n++;
            } else if (c == '{' || c == '[' || c == ',' || c == ':') {
                n++;
            }
        }
        return n + 1;
    }

    /** The kind of a parsed JSON value, for messages: {@code a string}, {@code an object}... */
    static String kind(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Long) {
            return "an integer";
        }
        if (v instanceof Number) {
            return "a number";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof Map<?, ?>) {
            return "an object";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        return v.getClass().getSimpleName();
    }
}
