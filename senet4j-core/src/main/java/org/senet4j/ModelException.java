package org.senet4j;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A model file or graph that cannot be used: malformed bytes, an unknown field or layer type, weights that do not fit,
 * shapes that do not agree. The message names where the problem is, as precisely as it is known:
 * {@code FILE: layer "conv1" (Convolution): convolution_param.kernel_size: expected 1 or 2 values, got 3}.
 *
 * <p>Checked, because it describes bad input rather than a programming error.
 */
public class ModelException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Path file;
    private final String layer;
    private final String layerType;
    private final String field;
    private final String detail;

    public ModelException(String detail) {
        this(null, null, null, null, detail, null);
    }

    public ModelException(String detail, Throwable cause) {
        this(null, null, null, null, detail, cause);
    }

    public ModelException(Path file, String layer, String layerType, String field, String detail, Throwable cause) {
        super(compose(file, layer, layerType, field, detail), cause);
        this.file = file;
        this.layer = layer;
        this.layerType = layerType;
        this.field = field;
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    /** An error about one layer (node) of a model. */
    public static ModelException layer(String layer, String type, String field, String detail) {
        return new ModelException(null, layer, type, field, detail, null);
    }

    /** An error about one field of whatever is being read; the layer is added by the caller. */
    public static ModelException field(String field, String detail) {
        return new ModelException(null, null, null, field, detail, null);
    }

    /** The same error with the model file it came from, unless a file is already named. */
    public ModelException inFile(Path file) {
        if (this.file != null || file == null) {
            return this;
        }
        ModelException e = new ModelException(file, layer, layerType, field, detail, getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The same error attributed to a layer, unless a layer is already named. */
    public ModelException inLayer(String layer, String type) {
        if (this.layer != null) {
            return this;
        }
        ModelException e = new ModelException(file, layer, type, field, detail, getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    public Path file() {
        return file;
    }

    public String layer() {
        return layer;
    }

    public String layerType() {
        return layerType;
    }

    public String field() {
        return field;
    }

    /** The message without file, layer and field. */
    public String detail() {
        return detail;
    }

    private static String compose(Path file, String layer, String type, String field, String detail) {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file).append(": ");
        }
        if (layer != null) {
            sb.append("layer \"").append(layer).append('"');
            if (type != null) {
                sb.append(" (").append(type).append(')');
            }
            sb.append(": ");
        }
        if (field != null) {
            sb.append(field).append(": ");
        }
        return sb.append(detail).toString();
    }
}
