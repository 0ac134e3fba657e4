package org.senet4j.api;

import java.util.Locale;
import org.senet4j.labels.ImageNetClass;

/**
 * One of the top classes of an image.
 *
 * @param index       the model's output index
 * @param probability the softmax probability
 * @param imageNetClass the class with its WordNet ID and name, or null when no labels were given
 */
public record Prediction(int index, float probability, ImageNetClass imageNetClass) {

    /** The WordNet ID, or null without labels. */
    public String wnid() {
        return imageNetClass == null ? null : imageNetClass.wnid();
    }

    /** The class name, or null without labels or when the labels name no classes. */
    public String name() {
        return imageNetClass == null ? null : imageNetClass.name();
    }

    /** {@code 0.8123 n01751748 sea snake}, or {@code 0.8123 index 489} without labels. */
    @Override
    public String toString() {
        String p = String.format(Locale.ROOT, "%.4f", probability);
        if (imageNetClass == null) {
            return p + " index " + index;
        }
        return p + " " + wnid() + (name() == null ? "" : " " + name());
    }
}
