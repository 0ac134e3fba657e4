package org.senet4j.onnx;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link OnnxExporter} writes a graph.
 *
 * @param opset        the version of the default ONNX operator set to target, {@value #MIN_OPSET} to
 *                     {@value #MAX_OPSET} (default {@value #DEFAULT_OPSET})
 * @param fold         run the inference passes first (drop identities, fold BatchNorm and Scale into the convolutions,
 *                     fuse ReLU); false keeps every Caffe layer as its own ONNX node(s)
 * @param metadata     entries for the model's {@code metadata_props} (source files, preprocessing, converter version),
 *                     added after the graph's own metadata and replacing entries with the same key
 * @param docString    the model's {@code doc_string}; empty for none
 * @param exposeAll    make every intermediate value a graph output too (for parity checks of intermediate blobs)
 * @param extraOutputs more values to make graph outputs, by value name or Caffe blob name (a blob name means the
 *                     blob's last value)
 */
public record ExportOptions(int opset, boolean fold, Map<String, String> metadata, String docString,
                            boolean exposeAll, List<String> extraOutputs) {

    public static final int MIN_OPSET = 13;
    public static final int MAX_OPSET = 21;
    public static final int DEFAULT_OPSET = 17;

    /** Opset {@value #DEFAULT_OPSET}, folding on, no extra metadata or outputs. */
    public static final ExportOptions DEFAULT = new ExportOptions(DEFAULT_OPSET, true, Map.of(), "", false, List.of());

    /**
     * @throws IllegalArgumentException when the opset lies outside {@value #MIN_OPSET}..{@value #MAX_OPSET}
     */
    public ExportOptions {
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new IllegalArgumentException("ONNX opset " + opset + " is not supported; the exporter writes opsets "
                    + MIN_OPSET + " to " + MAX_OPSET);
        }
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(docString, "docString");
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        extraOutputs = List.copyOf(extraOutputs);
    }

    public static ExportOptions defaults() {
        return DEFAULT;
    }

    public ExportOptions withOpset(int newOpset) {
        return new ExportOptions(newOpset, fold, metadata, docString, exposeAll, extraOutputs);
    }

    public ExportOptions withFold(boolean newFold) {
        return new ExportOptions(opset, newFold, metadata, docString, exposeAll, extraOutputs);
    }

    /** These options with the given metadata entries added (replacing those with the same keys). */
    public ExportOptions withMetadata(Map<String, String> more) {
        Map<String, String> m = new LinkedHashMap<>(metadata);
        m.putAll(more);
        return new ExportOptions(opset, fold, m, docString, exposeAll, extraOutputs);
    }

    public ExportOptions withDocString(String newDocString) {
        return new ExportOptions(opset, fold, metadata, newDocString, exposeAll, extraOutputs);
    }

    public ExportOptions withExposeAll(boolean newExposeAll) {
        return new ExportOptions(opset, fold, metadata, docString, newExposeAll, extraOutputs);
    }

    public ExportOptions withExtraOutputs(List<String> names) {
        return new ExportOptions(opset, fold, metadata, docString, exposeAll, names);
    }

    /**
     * The ONNX IR version that goes with this opset: the version of the ONNX release that introduced the opset
     * (13, 14: 7; 15 to 18: 8; 19, 20: 9; 21: 10).
     */
    public int irVersion() {
        if (opset <= 14) {
            return 7;
        }
        if (opset <= 18) {
            return 8;
        }
        return opset <= 20 ? 9 : 10;
    }
}
