package org.senet4j.caffe;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.TextFormat;
import com.google.protobuf.TextFormatParseInfoTree;
import com.google.protobuf.TextFormatParseLocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.NetParameter;

/**
 * Reads a .prototxt net definition (protobuf text format). A syntax error names the file, line and column. Fields and
 * enum values that caffe.proto does not define never stop the parse: each is collected with its line, column and
 * layer ({@link ParsedNet#unknown()}), so that one report can list them all; V1 layer types that BVLC lacks (forks
 * added their own, e.g. {@code IMAGE_SEG_DATA}) are kept as the layer's type ({@link ParsedNet#v1ForkTypes()}).
 */
public final class PrototxtReader {
    private static final Logger TEXT_FORMAT_LOG = Logger.getLogger(TextFormat.class.getName());
    /** The largest prototxt read: far beyond any net definition (SENet-154's is 0.2 MB), far below the heap. */
    public static final long MAX_BYTES = 256L << 20;
    /** "LINE:COL:\tcaffe.Message.field" lines of protobuf's unknown-field warning. */
    private static final Pattern UNKNOWN_LINE = Pattern.compile("(\\d+):(\\d+):\\s*caffe\\.([\\w.]+)\\.(\\w+)");
    private static final Pattern UNKNOWN_ENUM =
            Pattern.compile("Enum type \"caffe\\.([\\w.]+)\" has no value named \"(\\w+)\"");
    private static final String V1_LAYER_TYPE = "V1LayerParameter.LayerType";
    /** Fields of forks that caffe.proto does not declare (docs/fork-fields.md, "Not declared"), with their fork. */
    private static final Map<String, String> KNOWN_FORK_FIELDS = Map.ofEntries(
            Map.entry("mat_write_param", "DeepLab v2 / PSPNet (MatWrite)"),
            Map.entry("mat_read_param", "DeepLab v2 / PSPNet (MatRead)"),
            Map.entry("seg_accuracy_param", "DeepLab v2 / PSPNet (SegAccuracy)"),
            Map.entry("dense_crf_param", "DeepLab v2 (DenseCRF)"),
            Map.entry("domain_transform_param", "DeepLab v2 (DomainTransform)"),
            Map.entry("bias_channel_param", "DeepLab v2 (BiasChannel)"),
            Map.entry("unique_label_param", "DeepLab v2 (UniqueLabel)"),
            Map.entry("scale_factors", "DeepLab v2 / PSPNet / senlinuc data augmentation"),
            Map.entry("crop_width", "DeepLab v2 / PSPNet / senlinuc data augmentation"),
            Map.entry("crop_height", "DeepLab v2 / PSPNet / senlinuc data augmentation"),
            Map.entry("seg_data_param", "yjxiong/caffe (SegData)"),
            Map.entry("batch_reduction_param", "yjxiong/caffe (BatchReduction)"),
            Map.entry("mem_param", "yjxiong/caffe"),
            Map.entry("selu_param", "jolibrain/caffe (SELU)"),
            Map.entry("selu_dropout_param", "jolibrain/caffe (SELUDropout)"),
            Map.entry("focal_loss_param", "jolibrain/caffe (FocalLoss)"),
            Map.entry("labelsequence_accuracy_param", "jolibrain/caffe (LabelsequenceAccuracy)"),
            Map.entry("dice_coef_loss_param", "jolibrain/caffe (DiceCoefLoss)"),
            Map.entry("geometry_param", "jolibrain/caffe data augmentation"),
            Map.entry("cudnn_flavor", "jolibrain/caffe"),
            Map.entry("detection_loss_param", "caffe-yolo forks (Harick1, gklz1982: DetectionLoss)"),
            Map.entry("quantization_param", "gklz1982/caffe-yolov2"));

    private PrototxtReader() {
    }

    /**
     * A field or enum value of the text that caffe.proto does not define.
     *
     * @param message the protobuf message it appeared in, e.g. {@code PoolingParameter}
     * @param field   the field's name; for an unknown enum value, the field that held it
     * @param value   the unknown enum value, or null for an unknown field
     * @param layer   the layer it belongs to, or null for a net-level field
     * @param type    that layer's type, or null
     * @param fork    the Caffe fork known to define it, or null
     */
    public record UnknownField(Path file, int line, int column, String message, String field, String value,
                               String layer, String type, String fork) {
        /** {@code file:line:column: layer "x" (Type): Message.field} with the fork when known. */
        public String describe() {
            StringBuilder sb = new StringBuilder();
            sb.append(file).append(':').append(line).append(':').append(column).append(": ");
            if (layer != null) {
                sb.append("layer \"").append(layer).append("\" (").append(type).append("): ");
            }
            sb.append(value == null ? "unknown field " : "unknown value " + value + " of ")
                    .append(message).append('.').append(field);
            if (fork != null) {
                sb.append(" (from ").append(fork).append(", not supported)");
            }
            return sb.toString();
        }
    }

    /**
     * A parsed prototxt: the net, what caffe.proto did not define, and fork V1 types by index of the V1 layer.
     */
    public record ParsedNet(NetParameter net, List<UnknownField> unknown, Map<Integer, String> v1ForkTypes) {
        public ParsedNet {
            unknown = List.copyOf(unknown);
            v1ForkTypes = Map.copyOf(v1ForkTypes);
        }
    }

    public static NetParameter read(Path file) throws IOException, ModelException {
        return read(file, false, w -> { });
    }

    /**
     * The net, with unknown fields either an error (listing every one) or, when allowed, skipped and reported to
     * {@code warnings}.
     */
    public static NetParameter read(Path file, boolean allowUnknownFields, Consumer<String> warnings)
            throws IOException, ModelException {
        ParsedNet p = parse(file);
        List<UnknownField> fields = p.unknown().stream().filter(u -> u.value() == null).toList();
        if (!fields.isEmpty() && !allowUnknownFields) {
            throw new UnsupportedModelException(new ImportReport(file, Map.of(), fields, List.of(), List.of()));
        }
        for (UnknownField u : p.unknown()) {
            warnings.accept(u.describe() + " skipped");
        }
        return p.net();
    }

    /** Reads and parses the file, collecting what caffe.proto does not define instead of failing on it. */
    public static ParsedNet parse(Path file) throws IOException, ModelException {
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
        return parse(text, file);
    }

    /** A value-less placeholder of an unknown enum value: where it was and what it was. */
    private record Removed(int line, int column, String enumType, String field, String value) {
    }

    static ParsedNet parse(String text, Path file) throws ModelException {
        List<Removed> removed = new ArrayList<>();
        StringBuilder current = new StringBuilder(text);
        while (true) {
            try {
                return finish(parseOnce(current.toString(), file), removed, file);
            } catch (TextFormat.ParseException e) {
                Matcher m = UNKNOWN_ENUM.matcher(e.getMessage());
                Removed r = m.find() && e.getLine() > 0 && removed.size() < 10_000
                        ? blankEnumValue(current, e.getLine(), e.getColumn(), m.group(1), m.group(2)) : null;
                if (r == null) {
                    throw syntaxError(e, file);
                }
                removed.add(r);
            }
        }
    }

    private record Once(NetParameter net, List<String> unknownLines, TextFormatParseInfoTree tree) {
    }

    private static Once parseOnce(String text, Path file) throws TextFormat.ParseException {
        NetParameter.Builder b = NetParameter.newBuilder();
        TextFormatParseInfoTree.Builder tree = TextFormatParseInfoTree.builder();
        TextFormat.Parser parser = TextFormat.Parser.newBuilder().setAllowUnknownFields(true)
                .setParseInfoTreeBuilder(tree).build();
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
        synchronized (TEXT_FORMAT_LOG) {
            boolean useParent = TEXT_FORMAT_LOG.getUseParentHandlers();
            TEXT_FORMAT_LOG.addHandler(capture);
            TEXT_FORMAT_LOG.setUseParentHandlers(false);
            try {
                parser.merge(text, b);
            } finally {
                TEXT_FORMAT_LOG.removeHandler(capture);
                TEXT_FORMAT_LOG.setUseParentHandlers(useParent);
            }
        }
        List<String> lines = new ArrayList<>();
        for (String u : unknown) {
            for (String line : u.split("\n")) {
                if (UNKNOWN_LINE.matcher(line.trim()).matches()) {
                    lines.add(line.trim());
                }
            }
        }
        return new Once(b.build(), lines, tree.build());
    }

    /**
     * Blanks {@code field: VALUE} out of the text (spaces keep every other position), so that the parse goes on as if
     * the field were absent. Null when the text there is not such a field.
     */
    private static Removed blankEnumValue(StringBuilder text, int line, int column, String enumType, String value) {
        int lineStart = 0;
        for (int l = 1; l < line; l++) {
            lineStart = text.indexOf("\n", lineStart) + 1;
            if (lineStart == 0) {
                return null;
            }
        }
        int at = lineStart + column - 1;
        if (at < 0 || at + value.length() > text.length() || !text.substring(at, at + value.length()).equals(value)) {
            return null;
        }
        Matcher f = Pattern.compile("(\\w+)\\s*:?\\s*$").matcher(text.substring(lineStart, at));
        if (!f.find()) {
            return null;
        }
        int from = lineStart + f.start(1);
        for (int i = from; i < at + value.length(); i++) {
            text.setCharAt(i, ' ');
        }
        return new Removed(line, column, enumType, f.group(1), value);
    }

    private static ParsedNet finish(Once once, List<Removed> removed, Path file) throws ModelException {
        NetParameter net = once.net();
        if (net.getLayerCount() == 0 && net.getLayersCount() == 0) {
            throw new ModelException(file, null, null, null, "no layers defined: is this a Caffe net prototxt?",
                    null);
        }
        Layers layers = new Layers(net, once.tree());
        List<UnknownField> unknown = new ArrayList<>();
        for (String line : once.unknownLines()) {
            Matcher m = UNKNOWN_LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            int l = Integer.parseInt(m.group(1));
            int c = Integer.parseInt(m.group(2));
            String message = m.group(3);
            int i = message.equals("NetParameter") ? -1 : layers.at(l, c);
            unknown.add(new UnknownField(file, l, c, message, m.group(4), null, layers.name(i), layers.type(i),
                    KNOWN_FORK_FIELDS.get(m.group(4))));
        }
        Map<Integer, String> forkTypes = new LinkedHashMap<>();
        for (Removed r : removed) {
            int i = layers.at(r.line(), r.column());
            if (r.enumType().equals(V1_LAYER_TYPE) && r.field().equals("type") && net.getLayersCount() > 0
                    && i >= 0) {
                forkTypes.put(i, r.value());
            } else {
                unknown.add(new UnknownField(file, r.line(), r.column(), r.enumType(), r.field(), r.value(),
                        layers.name(i), layers.type(i), null));
            }
        }
        unknown.sort(java.util.Comparator.comparingInt(UnknownField::line).thenComparingInt(UnknownField::column));
        return new ParsedNet(net, unknown, forkTypes);
    }

    /** Where each layer starts in the text, to tell which layer a position belongs to. */
    private static final class Layers {
        private final NetParameter net;
        private final boolean v1;
        private final List<TextFormatParseLocation> starts = new ArrayList<>();

        Layers(NetParameter net, TextFormatParseInfoTree tree) {
            this.net = net;
            this.v1 = net.getLayerCount() == 0;
            FieldDescriptor f = NetParameter.getDescriptor().findFieldByNumber(v1
                    ? NetParameter.LAYERS_FIELD_NUMBER : NetParameter.LAYER_FIELD_NUMBER);
            starts.addAll(tree.getLocations(f));
        }

        /** The index of the last layer starting before (line, column), or -1. */
        int at(int line, int column) {
            int found = -1;
            for (int i = 0; i < starts.size(); i++) {
                TextFormatParseLocation s = starts.get(i);
                if (s.getLine() + 1 < line || (s.getLine() + 1 == line && s.getColumn() + 1 <= column)) {
                    found = i;
                }
            }
            return found;
        }

        String name(int i) {
            if (i < 0) {
                return null;
            }
            return v1 ? net.getLayers(i).getName() : net.getLayer(i).getName();
        }

        String type(int i) {
            if (i < 0) {
                return null;
            }
            if (v1) {
                return net.getLayers(i).getType().name();
            }
            LayerParameter l = net.getLayer(i);
            return l.getType();
        }
    }

    private static ModelException syntaxError(TextFormat.ParseException e, Path file) {
        String msg = e.getMessage();
        String detail = msg;
        // Messages read "LINE:COLUMN: text"; restate them in words.
        int c1 = msg.indexOf(':');
        int c2 = c1 < 0 ? -1 : msg.indexOf(':', c1 + 1);
        if (e.getLine() >= 0 && c2 > 0) {
            detail = "line " + e.getLine() + ", column " + e.getColumn() + ": " + msg.substring(c2 + 1).trim();
        }
        return new ModelException(file, null, null, null, detail, e);
    }
}
