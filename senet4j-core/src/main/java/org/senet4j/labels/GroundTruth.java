package org.senet4j.labels;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The true class of each validation image, read from one of:
 *
 * <ul>
 *   <li>{@code IMAGE LABEL} per line, LABEL an output index 0 to 999 of the model: the SENet release's
 *       {@code ILSVRC2017_val.txt} ({@code ILSVRC2012_val_00000001.JPEG 489}, devkit order) or Caffe's
 *       {@code val.txt} (sorted order, for models that use it). IMAGE may carry a directory; only its file name
 *       counts.</li>
 *   <li>one devkit class ID (1 to 1000) per line, line {@code k} being {@code ILSVRC2012_val_0000000k.JPEG}: the
 *       devkit's {@code ILSVRC2012_validation_ground_truth.txt}. The label is {@code ID - 1}, an index in devkit
 *       order, so this form suits devkit-order models such as the SENets only.</li>
 * </ul>
 */
public final class GroundTruth {
    private static final Pattern NAMED = Pattern.compile("^(\\S+)\\s+(\\d+)$");
    private static final Pattern ID = Pattern.compile("^(\\d+)$");

    private final Path file;
    private final Map<String, Integer> labels;
    private final boolean devkitIds;

    private GroundTruth(Path file, Map<String, Integer> labels, boolean devkitIds) {
        this.file = file;
        this.labels = Collections.unmodifiableMap(labels);
        this.devkitIds = devkitIds;
    }

    /**
     * Reads a ground-truth file.
     *
     * @throws LabelFileException naming the file and line when a line fits neither form, a label is out of range or
     *                            an image is listed twice
     */
    public static GroundTruth read(Path file) throws IOException, LabelFileException {
        if (!java.nio.file.Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        List<LabelFiles.Line> lines = LabelFiles.lines(file);
        if (lines.isEmpty()) {
            throw LabelFileException.at(file, 0, "holds no ground truth");
        }
        boolean ids = ID.matcher(lines.get(0).text()).matches();
        Map<String, Integer> labels = new LinkedHashMap<>();
        int k = 0;
        for (LabelFiles.Line l : lines) {
            k++;
            String name;
            String label;
            if (ids) {
                Matcher m = ID.matcher(l.text());
                if (!m.matches()) {
                    throw LabelFileException.at(file, l.number(), "expected a devkit class ID (1 to 1000) like the "
                            + "lines before, got \"" + l.text() + "\"");
                }
                name = String.format(Locale.ROOT, "ILSVRC2012_val_%08d.JPEG", k);
                label = m.group(1);
            } else {
                Matcher m = NAMED.matcher(l.text());
                if (!m.matches()) {
                    throw LabelFileException.at(file, l.number(), "expected \"IMAGE LABEL\" (as in "
                            + "ILSVRC2017_val.txt) or one devkit class ID per line, got \"" + l.text() + "\"");
                }
                name = baseName(m.group(1));
                label = m.group(2);
            }
            int v;
            try {
                v = Integer.parseInt(label);
            } catch (NumberFormatException e) {
                v = Integer.MAX_VALUE;
            }
            if (ids) {
                if (v < 1 || v > ClassLabels.CLASSES) {
                    throw LabelFileException.at(file, l.number(), "devkit class ID " + label
                            + " is not within 1 to 1000");
                }
                v--;
            } else if (v == Integer.MAX_VALUE) {
                throw LabelFileException.at(file, l.number(), "label " + label + " is out of range");
            }
            if (labels.put(name, v) != null) {
                throw LabelFileException.at(file, l.number(), name + " is listed twice");
            }
        }
        return new GroundTruth(file, labels, ids);
    }

    /** The file name part of a path written with / or \ separators. */
    static String baseName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }

    public Path file() {
        return file;
    }

    /** The label of each image by file name, in the file's order. */
    public Map<String, Integer> labels() {
        return labels;
    }

    /** The label of the image with this file name, or null when the file does not list it. */
    public Integer label(String fileName) {
        return labels.get(fileName);
    }

    /** Whether the file gave devkit class IDs (labels are then indices in devkit order). */
    public boolean devkitIds() {
        return devkitIds;
    }

    /** The largest label. */
    public int maxLabel() {
        return labels.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
    }
}
