package org.senet4j.caffe;

import org.senet4j.ModelException;

/**
 * Thrown by a converter for a layer of a supported type in a form that is not supported (STOCHASTIC pooling, batch
 * statistics in BatchNorm, ...): the import goes on and lists the layer under {@link #label()} with the unsupported
 * layer types, instead of stopping at it.
 */
public class UnsupportedLayerException extends ModelException {
    private static final long serialVersionUID = 1L;
    private final String label;

    /**
     * @param label  how the report lists it, e.g. {@code Pooling (STOCHASTIC)}
     * @param field  the field that asks for the unsupported form
     * @param detail what is not supported
     */
    public UnsupportedLayerException(String label, String field, String detail) {
        super(null, null, null, field, detail, null);
        this.label = label;
    }

    public String label() {
        return label;
    }
}
