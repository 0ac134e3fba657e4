package org.senet4j.caffe;

import org.senet4j.ModelException;
import org.senet4j.ir.op.Op;

/** Turns one Caffe layer into an op: reads its parameters, checks them, and takes its blobs as weights. */
@FunctionalInterface
public interface LayerConverter {
    /**
     * @throws ModelException naming the offending field (the caller adds file and layer)
     */
    Op convert(LayerContext layer) throws ModelException;
}
