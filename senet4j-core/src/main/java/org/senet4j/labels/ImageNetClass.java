package org.senet4j.labels;

/**
 * One of the 1000 ILSVRC2012 classes in both numberings.
 *
 * @param devkitIndex the 0-based index in devkit order, which is the SENet output index ({@code devkitId - 1}); -1
 *                    when unknown (the label files gave the sorted order only)
 * @param devkitId    the ILSVRC2012 devkit class ID, 1 to 1000; 0 when unknown
 * @param wnid        the WordNet ID, e.g. {@code n01751748}
 * @param sortedIndex the 0-based index in sorted-WordNet-ID order (Caffe's synset_words.txt, torchvision)
 * @param name        the class name from a label file, or null when no file named it
 */
public record ImageNetClass(int devkitIndex, int devkitId, String wnid, int sortedIndex, String name) {
    public ImageNetClass {
        if (devkitIndex < -1 || devkitIndex >= ClassLabels.CLASSES || devkitId != devkitIndex + 1) {
            throw new IllegalArgumentException("devkit index " + devkitIndex + " and ID " + devkitId
                    + " do not match (ID = index + 1, index 0 to 999)");
        }
        if (sortedIndex < 0 || sortedIndex >= ClassLabels.CLASSES) {
            throw new IllegalArgumentException("sorted index " + sortedIndex + " out of range");
        }
        java.util.Objects.requireNonNull(wnid, "wnid");
    }

    /** Whether the devkit ID is known. */
    public boolean hasDevkitId() {
        return devkitId > 0;
    }

    /** The index of this class among the outputs of a model numbering classes in {@code order}. */
    public int index(ClassOrder order) {
        return order == ClassOrder.DEVKIT ? devkitIndex : sortedIndex;
    }
}
