package org.senet4j.labels;

import java.util.Locale;

/**
 * How a model numbers its 1000 ImageNet outputs.
 *
 * <p>The SENet release's rule: output {@code i} is the class with ILSVRC2012 devkit ID {@code i + 1} (the order of
 * the devkit's {@code meta.mat}, {@code map_clsloc.txt} and its validation ground truth). Most other ImageNet models
 * (Caffe's {@code synset_words.txt}, torchvision, Keras) number the classes by sorted WordNet ID instead.
 */
public enum ClassOrder {
    /** Output {@code i} is ILSVRC2012 devkit class ID {@code i + 1}: the SENet release's order. */
    DEVKIT,
    /** Output {@code s} is the {@code s}-th class by sorted WordNet ID: Caffe's synset_words.txt, torchvision. */
    SORTED;

    /**
     * Parses {@code devkit} or {@code sorted} (any case).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static ClassOrder parse(String s) {
        for (ClassOrder o : values()) {
            if (o.name().equalsIgnoreCase(s)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown class order \"" + s + "\"; expected devkit or sorted");
    }

    /** The lower-case name used on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
