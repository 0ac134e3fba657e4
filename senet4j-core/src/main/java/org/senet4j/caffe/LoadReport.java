package org.senet4j.caffe;

import java.nio.file.Path;
import java.util.List;
import org.senet4j.ir.Shape;

/**
 * What loading a Caffe model did: warnings (skipped unknown fields), which layers took weights from the caffemodel
 * and which of its layers were ignored because the deploy net lacks them (data, loss and accuracy layers of a training
 * net), and which layers of the net were left out of the graph (loss, accuracy and evaluation layers, unused data
 * tops).
 *
 * @param weightBytes bytes of weight values copied from the caffemodel
 * @param loadNanos   wall time of the whole load
 */
public record LoadReport(Path prototxt, Path caffemodel, List<String> warnings, List<LayerBlobs> loaded,
                         List<LayerBlobs> ignored, List<ImportReport.LeftOut> leftOut, long weightBytes,
                         long loadNanos) {

    /** A layer and the shapes of its blobs. */
    public record LayerBlobs(String layer, String type, List<Shape> blobs) {
        public LayerBlobs {
            blobs = List.copyOf(blobs);
        }
    }

    public LoadReport {
        warnings = List.copyOf(warnings);
        loaded = List.copyOf(loaded);
        ignored = List.copyOf(ignored);
        leftOut = List.copyOf(leftOut);
    }
}
