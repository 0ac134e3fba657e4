package org.senet4j.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The escaping used by the oracle's TSV files ({@code manifest.tsv}, {@code blobs.tsv}, {@code layers.tsv}).
 * Fields are separated by tabs; inside a field, backslash, tab, newline, carriage return and comma are written as
 * {@code \\}, {@code \t}, {@code \n}, {@code \r} and {@code \,} so that a list of names can be joined with plain
 * commas. Lines starting with {@code #} are comments.
 */
public final class Tsv {

    private Tsv() {
    }

    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case ',' -> b.append("\\,");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Joins escaped names with commas. */
    public static String list(List<String> names) {
        return names.stream().map(Tsv::escape).collect(Collectors.joining(","));
    }

    public static String shape(int[] shape) {
        return Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    public static int[] parseShape(String s) {
        if (s.isEmpty()) {
            return new int[0];
        }
        return Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** Splits an escaped list field on unescaped commas and unescapes each element. */
    public static List<String> parseList(String field) {
        List<String> out = new ArrayList<>();
        if (field.isEmpty()) {
            return out;
        }
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 1 < field.length()) {
                cur.append(unescapeChar(field.charAt(++i)));
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    public static String unescape(String field) {
        StringBuilder b = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 1 < field.length()) {
                b.append(unescapeChar(field.charAt(++i)));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static char unescapeChar(char c) {
        return switch (c) {
            case 't' -> '\t';
            case 'n' -> '\n';
            case 'r' -> '\r';
            default -> c;
        };
    }

    /** Splits a line into its tab-separated fields (still escaped). */
    public static String[] fields(String line) {
        return line.split("\t", -1);
    }
}
