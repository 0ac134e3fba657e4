package org.senet4j.api;

import java.util.List;

/**
 * The top classes of one image, most probable first.
 *
 * @param source where the image came from (its file), or null for an image given in memory
 * @param top    the predictions, at most the K asked for
 */
public record Classification(String source, List<Prediction> top) {
    public Classification {
        top = List.copyOf(top);
    }

    /** The most probable class. */
    public Prediction best() {
        return top.get(0);
    }
}
