package org.senet4j.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for the project's own formats (CLI output, native-file headers), through jackson-core's streaming API. Values
 * are {@link Map} (insertion-ordered), {@link List}, {@link String}, {@link Number} ({@link Long} for integers,
 * {@link Double} otherwise when parsed), {@link Boolean} and {@code null}.
 *
 * <p>Parsing is for untrusted text (native headers come from any file): nesting deeper than {@value #MAX_DEPTH}
 * levels, strings longer than {@value #MAX_STRING_CHARS} characters, numbers longer than {@value #MAX_NUMBER_CHARS}
 * characters, integers outside the 64-bit range, duplicate keys and anything after the value are refused with the
 * character offset.
 */
public final class Json {
    /** The deepest nesting of objects and lists accepted. */
    public static final int MAX_DEPTH = 200;
    /** The longest string accepted: the largest native header (a graph is one string in it). */
    public static final int MAX_STRING_CHARS = 100_000_000;
    /** The longest number accepted, in characters. */
    public static final int MAX_NUMBER_CHARS = 1000;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_STRING_CHARS)
                    .maxNumberLength(MAX_NUMBER_CHARS)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private Json() {
    }

    /** Compact JSON text for {@code value}. */
    public static String write(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Double || v instanceof Float) {
            g.writeNumber(number((Number) v));
        } else if (v instanceof Number n) {
            g.writeNumber(n.longValue());
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Iterable<?> it) {
            g.writeStartArray();
            for (Object x : it) {
                write(g, x);
            }
            g.writeEndArray();
        } else if (v instanceof int[] a) {
            g.writeArray(a, 0, a.length);
        } else if (v instanceof long[] a) {
            g.writeArray(a, 0, a.length);
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
        }
    }

    /**
     * The text of a floating-point value: integral values below 1e15 as {@code N.0} (never in exponent form), others
     * as Java prints them (the shortest text that reads back to the same float or double), NaN and infinities as
     * {@code null} (JSON has no such numbers).
     */
    private static String number(Number v) {
        double d = v.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "null";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return (long) d + ".0";
        }
        return v instanceof Float f ? Float.toString(f) : Double.toString(d);
    }

    /**
     * Parses JSON text.
     *
     * @throws IllegalArgumentException with the character offset when the text is not valid JSON or breaks a limit
     */
    public static Object parse(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() == null) {
                throw error(p.currentLocation(), "unexpected end");
            }
            Object v = value(p);
            if (p.nextToken() != null) {
                throw error(p.currentTokenLocation(), "unexpected text after the JSON value");
            }
            return v;
        } catch (StreamConstraintsException e) {
            throw error(e.getLocation(), e.getOriginalMessage().contains("nesting depth")
                    ? "nested too deeply (more than " + MAX_DEPTH + " levels)" : e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw error(e.getLocation(), describe(e));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a String does not fail
        }
    }

    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    p.nextToken();
                    m.put(k, value(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw error(p.currentTokenLocation(), "bad number " + p.getText() + " (outside the 64-bit range)");
                }
                return p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw error(p.currentTokenLocation(), "unexpected " + t);
        }
    }

    /** Jackson's message in the words of the project's earlier messages, which users and tests rely on. */
    private static String describe(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        if (m.contains("Duplicate field")) {
            return m.replaceFirst("Duplicate field '(.*)'", "duplicate key \"$1\"");
        }
        if (m.contains("CTRL-CHAR")) {
            return "control character in string (" + m + ")";
        }
        if (m.contains("closing quote for a string")) {
            return "unterminated string";
        }
        if (e instanceof JsonParseException && m.contains("end-of-input")) {
            return "unexpected end (" + m + ")";
        }
        return m;
    }

    private static IllegalArgumentException error(JsonLocation at, String msg) {
        long offset = at == null ? -1 : at.getCharOffset();
        return new IllegalArgumentException("invalid JSON" + (offset >= 0 ? " at character " + offset : "") + ": "
                + msg.lines().findFirst().orElse(msg));
    }
}
