package org.senet4j.caffe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.caffe.PrototxtReader.UnknownField;

/**
 * Everything that stops a net from importing, found in one pass, and what was left out on purpose: the layer types
 * no converter handles (with their layers), the fields and enum values caffe.proto does not define, and the data
 * layers whose shapes Caffe would only know from their data; plus the loss, accuracy and evaluation layers of a
 * training net that were dropped.
 *
 * @param unsupportedTypes layer type to the names of its layers, in net order
 * @param unknownFields    fields and enum values of the prototxt that caffe.proto lacks
 * @param shapesNeeded     net inputs that need {@code --input-shape}
 * @param leftOut          layers dropped from the graph, and why
 */
public record ImportReport(Path file, Map<String, List<String>> unsupportedTypes, List<UnknownField> unknownFields,
                           List<ShapeNeeded> shapesNeeded, List<LeftOut> leftOut) {

    /** A top of a data layer whose shape is not in the prototxt. */
    public record ShapeNeeded(String layer, String type, String top, String known, String missing, String example) {
        String describe() {
            return "layer \"" + layer + "\" (" + type + "): top \"" + top + "\" needs a shape: " + missing
                    + (known.isEmpty() ? "" : " (" + known + ")") + "; give --input-shape " + example;
        }
    }

    /** A layer that is not in the graph, and why. */
    public record LeftOut(String layer, String type, String reason) {
    }

    public ImportReport {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        unsupportedTypes.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        unsupportedTypes = java.util.Collections.unmodifiableMap(copy);
        unknownFields = List.copyOf(unknownFields);
        shapesNeeded = List.copyOf(shapesNeeded);
        leftOut = List.copyOf(leftOut);
    }

    /** Whether the net imports: nothing unsupported, unknown or missing. */
    public boolean supported() {
        return unsupportedTypes.isEmpty() && unknownFields.isEmpty() && shapesNeeded.isEmpty();
    }

    /**
     * The report in words: one line per problem kind, then one indented line per unknown field and per missing
     * shape. The first line keeps the form {@code unsupported layer types: T (n layers: a, b); ...}.
     */
    public String describe() {
        List<String> lines = new ArrayList<>();
        if (!unsupportedTypes.isEmpty()) {
            StringBuilder sb = new StringBuilder("unsupported layer type");
            sb.append(unsupportedTypes.size() == 1 ? ": " : "s: ");
            int k = 0;
            for (Map.Entry<String, List<String>> e : unsupportedTypes.entrySet()) {
                if (k++ > 0) {
                    sb.append("; ");
                }
                List<String> names = e.getValue();
                sb.append(e.getKey()).append(" (").append(names.size()).append(names.size() == 1 ? " layer: "
                        : " layers: ").append(String.join(", ", names.stream().limit(10).toList()));
                if (names.size() > 10) {
                    sb.append(", ...");
                }
                sb.append(')');
            }
            sb.append(". Supported types: ").append(String.join(", ", LayerConverters.supportedTypes()));
            lines.add(sb.toString());
        }
        if (!unknownFields.isEmpty()) {
            lines.add(unknownFields.size() + " unknown field" + (unknownFields.size() == 1 ? "" : "s")
                    + " (caffe.proto does not define " + (unknownFields.size() == 1 ? "it" : "them")
                    + "; --allow-unknown-fields skips them):");
            unknownFields.forEach(u -> lines.add("  " + u.describe()));
        }
        if (!shapesNeeded.isEmpty()) {
            lines.add(shapesNeeded.size() + " net input" + (shapesNeeded.size() == 1 ? " needs its shape" : "s need "
                    + "their shapes") + ":");
            shapesNeeded.forEach(s -> lines.add("  " + s.describe()));
        }
        return String.join("\n", lines);
    }

    /** The report as JSON values ({@code org.senet4j.io.Json}), for {@code inspect --json}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("supported", supported());
        m.put("file", file == null ? null : file.toString());
        m.put("unsupportedTypes", unsupportedTypes);
        List<Object> unknown = new ArrayList<>();
        for (UnknownField u : unknownFields) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("file", u.file() == null ? null : u.file().toString());
            f.put("line", u.line());
            f.put("column", u.column());
            f.put("layer", u.layer());
            f.put("type", u.type());
            f.put("message", u.message());
            f.put("field", u.field());
            if (u.value() != null) {
                f.put("value", u.value());
            }
            f.put("fork", u.fork());
            unknown.add(f);
        }
        m.put("unknownFields", unknown);
        List<Object> shapes = new ArrayList<>();
        for (ShapeNeeded s : shapesNeeded) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("layer", s.layer());
            f.put("type", s.type());
            f.put("top", s.top());
            f.put("known", s.known());
            f.put("missing", s.missing());
            f.put("example", "--input-shape " + s.example());
            shapes.add(f);
        }
        m.put("shapesNeeded", shapes);
        m.put("leftOut", toJson(leftOut));
        return m;
    }

    /** Left-out layers as JSON values. */
    public static List<Object> toJson(List<LeftOut> leftOut) {
        List<Object> out = new ArrayList<>();
        for (LeftOut l : leftOut) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("layer", l.layer());
            f.put("type", l.type());
            f.put("reason", l.reason());
            out.add(f);
        }
        return out;
    }
}
