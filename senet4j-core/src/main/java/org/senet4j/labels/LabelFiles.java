package org.senet4j.labels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.senet4j.io.Json;

/**
 * Reads one label file and says what it contributes. The format is recognised from the content, never from the file
 * name; see {@link ClassLabels} for the formats.
 */
final class LabelFiles {
    static final Pattern WNID = Pattern.compile("n\\d{8}");

    /** The line formats, most specific first: a file has the first format that all its lines fit. */
    enum Format {
        TABLE("senet_index<TAB>devkit_ID<TAB>wnid<TAB>sorted_index<TAB>name",
                "^(\\d+)\\t(\\d+)\\t(n\\d{8})\\t(\\d+)\\t(.*)$"),
        INDEX_MAP("senet_index,sorted_index", "^(\\d+)\\s*,\\s*(\\d+)$"),
        ID_WNID("ID wnid", "^(\\d+)\\s+(n\\d{8})$"),
        WNID_ID_NAME("wnid ID name", "^(n\\d{8})\\s+(\\d+)\\s+(\\S.*)$"),
        WNID_NAME("wnid [name]", "^(n\\d{8})(?:\\s+(\\S.*))?$"),
        GROUND_TRUTH("image label", "^(\\S+\\.(?i:jpe?g|png|bmp))\\s+(-?\\d+)$"),
        INTEGER("integer", "^(-?\\d+)$");

        final String shape;
        final Pattern pattern;

        Format(String shape, String regex) {
            this.shape = shape;
            this.pattern = Pattern.compile(regex);
        }

        static Format of(String line) {
            for (Format f : values()) {
                if (f.pattern.matcher(line).matches()) {
                    return f;
                }
            }
            return null;
        }
    }

    /**
     * What one file says. Any of the parts may be null.
     *
     * @param what     a short description of the recognised format, for messages
     * @param devkit   WordNet ID by devkit index (0..999)
     * @param sorted   WordNet ID by sorted index (0..999)
     * @param indexMap sorted index by devkit index
     * @param names    class name by WordNet ID
     */
    record Piece(Path file, String what, List<String> devkit, List<String> sorted, int[] indexMap,
                 Map<String, String> names) {
    }

    record Line(int number, String text) {
    }

    private LabelFiles() {
    }

    /** The data lines of a text file: BOM, line ends and trailing blanks removed, blank and '#' lines skipped. */
    static List<Line> lines(Path file) throws IOException, LabelFileException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw LabelFileException.at(file, 0, "is not a UTF-8 text file");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<Line> out = new ArrayList<>();
        String[] raw = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < raw.length; i++) {
            String t = raw[i].strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                out.add(new Line(i + 1, raw[i].stripTrailing().stripLeading()));
            }
        }
        return out;
    }

    static Piece read(Path file) throws IOException, LabelFileException {
        String head;
        try {
            head = Files.readString(file, StandardCharsets.UTF_8).stripLeading();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw LabelFileException.at(file, 0, "is not a UTF-8 text file");
        }
        if (head.startsWith("\uFEFF")) {
            head = head.substring(1).stripLeading();
        }
        if (head.startsWith("{")) {
            return readJson(file, head);
        }
        List<Line> lines = lines(file);
        if (lines.isEmpty()) {
            throw LabelFileException.at(file, 0, "holds no labels");
        }
        // the first format (in enum order) that every line fits; failing that, every line but a first one, which
        // is then a header or a placeholder (like a "dummy class for index 0")
        Format f = fitting(lines);
        if (f == null && lines.size() > 1 && fitting(lines.subList(1, lines.size())) != null) {
            lines = lines.subList(1, lines.size());
            f = fitting(lines);
        }
        if (f == null) {
            Format first = Format.of(lines.get(0).text());
            if (first == null && lines.size() > 1) {
                first = Format.of(lines.get(1).text());
            }
            if (first == null) {
                throw LabelFileException.at(file, lines.get(0).number(), "unknown label format: \""
                        + abbreviate(lines.get(0).text()) + "\"; " + FORMATS);
            }
            for (Line l : lines.subList(1, lines.size())) {
                if (!fits(first, l.text())) {
                    throw LabelFileException.at(file, l.number(), "expected \"" + first.shape
                            + "\" like the lines before, got \"" + abbreviate(l.text()) + "\"");
                }
            }
            throw LabelFileException.at(file, lines.get(0).number(), "expected \"" + first.shape + "\", got \""
                    + abbreviate(lines.get(0).text()) + "\"");
        }
        List<Matcher> rows = new ArrayList<>();
        for (Line l : lines) {
            Matcher m = f.pattern.matcher(l.text());
            m.matches();
            rows.add(m);
        }
        return switch (f) {
            case TABLE -> table(file, lines, rows);
            case INDEX_MAP -> indexMap(file, lines, rows);
            case ID_WNID -> devkitIds(file, lines, rows, false);
            case WNID_ID_NAME -> devkitIds(file, lines, rows, true);
            case WNID_NAME -> list(file, lines, rows);
            case GROUND_TRUTH, INTEGER -> throw LabelFileException.at(file, 0, "looks like a ground-truth file (a "
                    + "label per image), not a label file naming the classes; ground truth goes to `evaluate "
                    + "--labels`. " + FORMATS);
        };
    }

    static final String FORMATS = "label files list the 1000 classes as \"wnid ID name\" (map_clsloc.txt), "
            + "\"ID wnid\" (ILSVRC2012_mapping.txt), \"wnid name\" or \"wnid\" per line in devkit or sorted order "
            + "(synset2015.txt, synset_words.txt, imagenet_synsets.txt), a Keras class-index JSON, or "
            + "\"senet_index,sorted_index\" (label_map.csv, with a file naming the classes)";

    private static Format fitting(List<Line> lines) {
        for (Format f : Format.values()) {
            if (lines.stream().allMatch(l -> fits(f, l.text()))) {
                return f;
            }
        }
        return null;
    }

    private static boolean fits(Format f, String line) {
        return f.pattern.matcher(line).matches();
    }

    private static Piece table(Path file, List<Line> lines, List<Matcher> rows) throws LabelFileException {
        String[] devkit = new String[ClassLabels.CLASSES];
        int[] map = new int[ClassLabels.CLASSES];
        java.util.Arrays.fill(map, -1);
        Map<String, String> names = new LinkedHashMap<>();
        for (int k = 0; k < rows.size(); k++) {
            Matcher m = rows.get(k);
            int line = lines.get(k).number();
            int i = index(file, line, m.group(1), "senet_index");
            int id = Integer.parseInt(m.group(2));
            if (id != i + 1) {
                throw LabelFileException.at(file, line, "devkit ID " + id + " should be senet_index + 1 = " + (i + 1));
            }
            int s = index(file, line, m.group(4), "sorted_index");
            if (devkit[i] != null) {
                throw LabelFileException.at(file, line, "senet_index " + i + " appears twice");
            }
            devkit[i] = m.group(3);
            map[i] = s;
            if (!m.group(5).isBlank()) {
                names.put(m.group(3), m.group(5).strip());
            }
        }
        List<String> d = complete(file, devkit, "senet_index");
        checkPermutation(file, map);
        return new Piece(file, "a table senet_index, devkit_ID, wnid, sorted_index, name", d, null, map, names);
    }

    private static Piece indexMap(Path file, List<Line> lines, List<Matcher> rows) throws LabelFileException {
        int[] map = new int[ClassLabels.CLASSES];
        java.util.Arrays.fill(map, -1);
        for (int k = 0; k < rows.size(); k++) {
            Matcher m = rows.get(k);
            int line = lines.get(k).number();
            int i = index(file, line, m.group(1), "senet_index");
            int s = index(file, line, m.group(2), "sorted_index");
            if (map[i] >= 0) {
                throw LabelFileException.at(file, line, "senet_index " + i + " appears twice");
            }
            map[i] = s;
        }
        checkPermutation(file, map);
        return new Piece(file, "an index map senet_index,sorted_index", null, null, map, Map.of());
    }

    private static Piece devkitIds(Path file, List<Line> lines, List<Matcher> rows, boolean withNames)
            throws LabelFileException {
        String[] devkit = new String[ClassLabels.CLASSES];
        Map<String, String> names = new LinkedHashMap<>();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int k = 0; k < rows.size(); k++) {
            Matcher m = rows.get(k);
            int line = lines.get(k).number();
            String wnid = withNames ? m.group(1) : m.group(2);
            int id;
            try {
                id = Integer.parseInt(withNames ? m.group(2) : m.group(1));
            } catch (NumberFormatException e) {
                throw LabelFileException.at(file, line, "class ID out of range");
            }
            if (id < 1) {
                throw LabelFileException.at(file, line, "class ID " + id + ": devkit IDs start at 1");
            }
            if (!seen.add(id)) {
                throw LabelFileException.at(file, line, "class ID " + id + " appears twice");
            }
            if (id <= ClassLabels.CLASSES) {
                // IDs above 1000 are the devkit's internal (non-leaf) synsets
                devkit[id - 1] = wnid;
                if (withNames) {
                    names.put(wnid, m.group(3).strip().replace('_', ' '));
                }
            }
        }
        List<String> d = complete(file, devkit, "devkit ID (index + 1)");
        return new Piece(file, withNames ? "devkit order, \"wnid ID name\"" : "devkit order, \"ID wnid\"", d, null,
                null, names);
    }

    private static Piece list(Path file, List<Line> lines, List<Matcher> rows) throws LabelFileException {
        List<String> wnids = new ArrayList<>();
        Map<String, String> names = new LinkedHashMap<>();
        for (Matcher m : rows) {
            wnids.add(m.group(1));
            if (m.group(2) != null) {
                names.putIfAbsent(m.group(1), m.group(2).strip());
            }
        }
        return ordered(file, lines, wnids, names, names.isEmpty() ? "one wnid per line" : "\"wnid name\" lines");
    }

    /** A list of WordNet IDs in file order: sorted means sorted order, otherwise line k is devkit ID k. */
    private static Piece ordered(Path file, List<Line> lines, List<String> wnids, Map<String, String> names,
                                 String kind) throws LabelFileException {
        boolean sorted = isSorted(wnids);
        int n = wnids.size();
        if (n == ClassLabels.CLASSES || (n == DEVKIT_SYNSETS && !sorted)) {
            Map<String, Integer> first = new HashMap<>();
            for (int k = 0; k < ClassLabels.CLASSES; k++) {
                Integer before = first.putIfAbsent(wnids.get(k), k);
                if (before != null) {
                    int line = lines == null ? 0 : lines.get(k).number();
                    throw LabelFileException.at(file, line, wnids.get(k) + " appears twice");
                }
            }
            List<String> classes = List.copyOf(wnids.subList(0, ClassLabels.CLASSES));
            Map<String, String> classNames = new LinkedHashMap<>();
            for (String w : classes) {
                if (names.containsKey(w)) {
                    classNames.put(w, names.get(w));
                }
            }
            if (sorted) {
                return new Piece(file, "sorted order, " + kind, null, classes, null, classNames);
            }
            return new Piece(file, "devkit order (line k is ID k), " + kind, classes, null, null, classNames);
        }
        if (n > ClassLabels.CLASSES && !names.isEmpty()) {
            return new Piece(file, "a dictionary of " + n + " names", null, null, null, names);
        }
        throw LabelFileException.at(file, 0, "lists " + n + " WordNet IDs; a label list names the 1000 classes, "
                + "one per line (or the devkit's " + DEVKIT_SYNSETS + " synsets in ID order)");
    }

    /** Synsets in the ILSVRC2012 devkit's meta.mat: the 1000 classes (IDs 1-1000), then 860 internal ones. */
    static final int DEVKIT_SYNSETS = 1860;

    private static Piece readJson(Path file, String text) throws LabelFileException {
        Object o;
        try {
            o = Json.parse(text);
        } catch (RuntimeException e) {
            throw LabelFileException.at(file, 0, "is not valid JSON: " + e.getMessage());
        }
        if (!(o instanceof Map<?, ?> m)) {
            throw LabelFileException.at(file, 0, "expected a JSON object {\"0\": [\"wnid\", \"name\"], ...}");
        }
        TreeMap<Integer, List<?>> byIndex = new TreeMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            int k;
            try {
                k = Integer.parseInt(String.valueOf(e.getKey()));
            } catch (NumberFormatException ex) {
                throw LabelFileException.at(file, 0, "key \"" + e.getKey() + "\" is not a class index");
            }
            if (!(e.getValue() instanceof List<?> l) || l.size() < 1 || !(l.get(0) instanceof String w)
                    || !WNID.matcher(w).matches()) {
                throw LabelFileException.at(file, 0, "class " + k + ": expected [\"wnid\", \"name\"]");
            }
            byIndex.put(k, l);
        }
        List<String> wnids = new ArrayList<>();
        Map<String, String> names = new LinkedHashMap<>();
        int expect = 0;
        for (Map.Entry<Integer, List<?>> e : byIndex.entrySet()) {
            if (e.getKey() != expect++) {
                throw LabelFileException.at(file, 0, "class indices must run 0, 1, 2, ...; " + (expect - 1)
                        + " is missing");
            }
            String w = (String) e.getValue().get(0);
            wnids.add(w);
            if (e.getValue().size() > 1 && e.getValue().get(1) instanceof String name) {
                names.putIfAbsent(w, name.replace('_', ' '));
            }
        }
        return ordered(file, null, wnids, names, "a class-index JSON");
    }

    private static boolean isSorted(List<String> wnids) {
        for (int i = 1; i < wnids.size(); i++) {
            if (wnids.get(i - 1).compareTo(wnids.get(i)) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static int index(Path file, int line, String text, String what) throws LabelFileException {
        int v;
        try {
            v = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            v = -1;
        }
        if (v < 0 || v >= ClassLabels.CLASSES) {
            throw LabelFileException.at(file, line, what + " " + text + " is not within 0 to 999");
        }
        return v;
    }

    private static List<String> complete(Path file, String[] byIndex, String what) throws LabelFileException {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < byIndex.length; i++) {
            if (byIndex[i] == null) {
                missing.add(what.startsWith("devkit") ? i + 1 : i);
            }
        }
        if (!missing.isEmpty()) {
            throw LabelFileException.at(file, 0, missing.size() + " of the 1000 classes are missing, " + what + " "
                    + missing.subList(0, Math.min(5, missing.size())) + (missing.size() > 5 ? "..." : ""));
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < byIndex.length; i++) {
            Integer before = seen.put(byIndex[i], i);
            if (before != null) {
                throw LabelFileException.at(file, 0, byIndex[i] + " is listed for two classes");
            }
        }
        return List.of(byIndex);
    }

    private static void checkPermutation(Path file, int[] map) throws LabelFileException {
        boolean[] hit = new boolean[map.length];
        for (int i = 0; i < map.length; i++) {
            if (map[i] < 0) {
                throw LabelFileException.at(file, 0, "senet_index " + i + " is missing (expected 1000 rows)");
            }
            if (hit[map[i]]) {
                throw LabelFileException.at(file, 0, "sorted_index " + map[i] + " appears twice");
            }
            hit[map[i]] = true;
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
