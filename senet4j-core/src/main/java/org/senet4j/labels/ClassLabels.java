package org.senet4j.labels;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The 1000 ILSVRC2012 classes as read from the user's label files: WordNet IDs in devkit order and/or in sorted
 * order, and names. The project ships no copy of this data.
 *
 * <h2>The rule</h2>
 * The SENet release's output {@code i} is the class with ILSVRC2012 devkit ID {@code i + 1}. The sorted index
 * {@code s} of a class (Caffe's {@code synset_words.txt}, torchvision) is the position of its WordNet ID among the
 * 1000 WordNet IDs sorted. So any file that gives the devkit order gives both orders; a file in sorted order alone
 * cannot give the devkit order, because the devkit numbering is not derivable from the WordNet IDs.
 *
 * <h2>Formats (recognised from the content; files may be combined)</h2>
 * <ul>
 *   <li>devkit order: {@code wnid ID name} ({@code map_clsloc.txt}; underscores in the name become spaces),
 *       {@code ID wnid} ({@code ILSVRC2012_mapping.txt}; IDs above 1000, the internal synsets, are ignored),
 *       and 1000 {@code wnid [name]} lines that are not sorted, line {@code k} being ID {@code k}
 *       ({@code synset2015.txt}); also 1860 such lines (the devkit's synsets in ID order) after an optional
 *       placeholder first line;</li>
 *   <li>sorted order: 1000 {@code wnid [name]} lines sorted by WordNet ID ({@code synset_words.txt},
 *       {@code synset2012.txt}, {@code imagenet_synsets.txt}), or a Keras class-index JSON
 *       {@code {"0": ["n01440764", "tench"], ...}} (a JSON whose WordNet IDs are not sorted is read as devkit
 *       order);</li>
 *   <li>the link between them: {@code senet_index,sorted_index} rows ({@code label_map.csv}), which names no class
 *       and so needs a sorted-order file beside it;</li>
 *   <li>names only: a {@code wnid name} list of more than 1000 synsets (a dictionary such as
 *       {@code imagenet_synset_to_lemma.txt}), which gives no order;</li>
 *   <li>a table {@code senet_index TAB devkit_ID TAB wnid TAB sorted_index TAB name}, which gives everything.</li>
 * </ul>
 * A first line that fits no format while the rest do is a header and is skipped; blank lines and lines starting with
 * {@code #} are skipped. When several files name a class, the first file's name wins. Files that disagree about the
 * classes or their order are an error.
 */
public final class ClassLabels {
    /** The number of ILSVRC2012 classes. */
    public static final int CLASSES = 1000;

    private final List<String> devkit;
    private final List<String> sorted;
    private final Map<String, Integer> sortedIndex;
    private final Map<String, Integer> devkitIndex;
    private final Map<String, String> names;
    private final List<String> sources;

    private ClassLabels(List<String> devkit, List<String> sorted, Map<String, String> names, List<String> sources) {
        this.devkit = devkit;
        this.sorted = sorted;
        this.names = Map.copyOf(names);
        this.sources = List.copyOf(sources);
        Map<String, Integer> idx = new HashMap<>();
        for (int s = 0; sorted != null && s < sorted.size(); s++) {
            idx.put(sorted.get(s), s);
        }
        this.sortedIndex = idx;
        Map<String, Integer> d = new HashMap<>();
        for (int i = 0; devkit != null && i < devkit.size(); i++) {
            d.put(devkit.get(i), i);
        }
        this.devkitIndex = d;
    }

    /**
     * Reads label files (see the class description) and joins them.
     *
     * @throws NoSuchFileException  when a file does not exist
     * @throws LabelFileException  naming the file when a file has no known format, or the files disagree, or
     *                              together they give no class order
     */
    public static ClassLabels read(List<Path> files) throws IOException, LabelFileException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no label file given");
        }
        List<LabelFiles.Piece> pieces = new ArrayList<>();
        for (Path f : files) {
            if (!java.nio.file.Files.exists(f)) {
                throw new NoSuchFileException(f.toString());
            }
            pieces.add(LabelFiles.read(f));
        }
        return join(pieces);
    }

    /** {@link #read(List)} for one or more files. */
    public static ClassLabels read(Path... files) throws IOException, LabelFileException {
        return read(List.of(files));
    }

    private static ClassLabels join(List<LabelFiles.Piece> pieces) throws LabelFileException {
        List<String> devkit = null;
        Path devkitFile = null;
        List<String> sorted = null;
        Path sortedFile = null;
        int[] map = null;
        Path mapFile = null;
        Map<String, String> names = new LinkedHashMap<>();
        List<String> sources = new ArrayList<>();
        for (LabelFiles.Piece p : pieces) {
            sources.add(p.file() + " (" + p.what() + ")");
            if (p.devkit() != null) {
                if (devkit != null && !devkit.equals(p.devkit())) {
                    throw new LabelFileException(p.file() + " and " + devkitFile + " give different devkit orders: "
                            + firstDifference(devkit, p.devkit(), "ID", 1));
                }
                devkit = p.devkit();
                devkitFile = p.file();
            }
            if (p.sorted() != null) {
                if (sorted != null && !sorted.equals(p.sorted())) {
                    throw new LabelFileException(p.file() + " and " + sortedFile + " list different classes: "
                            + firstDifference(sorted, p.sorted(), "sorted index", 0));
                }
                sorted = p.sorted();
                sortedFile = p.file();
            }
            if (p.indexMap() != null) {
                if (map != null && !java.util.Arrays.equals(map, p.indexMap())) {
                    throw new LabelFileException(p.file() + " and " + mapFile + " map indices differently");
                }
                map = p.indexMap();
                mapFile = p.file();
            }
            for (Map.Entry<String, String> e : p.names().entrySet()) {
                names.putIfAbsent(e.getKey(), e.getValue());
            }
        }
        if (devkit == null && sorted != null && map != null) {
            List<String> d = new ArrayList<>();
            for (int i = 0; i < CLASSES; i++) {
                d.add(sorted.get(map[i]));
            }
            devkit = List.copyOf(d);
            devkitFile = mapFile;
        }
        if (devkit != null) {
            List<String> derived = new ArrayList<>(devkit);
            derived.sort(null);
            if (sorted != null && !sorted.equals(derived)) {
                throw new LabelFileException(sortedFile + " (sorted order) and " + devkitFile + " (devkit order) do "
                        + "not list the same 1000 classes: " + firstDifference(derived, sorted, "sorted index", 0));
            }
            sorted = List.copyOf(derived);
            if (map != null) {
                Map<String, Integer> pos = new HashMap<>();
                for (int s = 0; s < CLASSES; s++) {
                    pos.put(sorted.get(s), s);
                }
                for (int i = 0; i < CLASSES; i++) {
                    if (map[i] != pos.get(devkit.get(i))) {
                        throw new LabelFileException(mapFile + " maps senet_index " + i + " to sorted_index " + map[i]
                                + ", but " + devkitFile + " puts " + devkit.get(i) + " (ID " + (i + 1)
                                + ") at sorted index " + pos.get(devkit.get(i)));
                    }
                }
            }
        }
        if (devkit == null && sorted == null) {
            if (map != null) {
                throw new LabelFileException(mapFile + " maps SENet output indices to sorted indices but names no "
                        + "class; give it together with a sorted-order label file (1000 \"wnid name\" lines sorted "
                        + "by WordNet ID, such as Caffe's synset_words.txt), as a second --labels");
            }
            throw new LabelFileException(pieces.get(0).file() + " gives names for " + names.size()
                    + " WordNet IDs but no class order; give a label file listing the 1000 classes too ("
                    + LabelFiles.FORMATS + ")");
        }
        return new ClassLabels(devkit, sorted, names, sources);
    }

    private static String firstDifference(List<String> a, List<String> b, String what, int base) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return what + " " + (i + base) + " is " + a.get(i) + " in one and " + b.get(i) + " in the other";
            }
        }
        return "they differ in length";
    }

    /** Whether these labels give the classes in {@code order}. */
    public boolean has(ClassOrder order) {
        return order == ClassOrder.DEVKIT ? devkit != null : sorted != null;
    }

    /**
     * Checks that the classes can be given in {@code order}.
     *
     * @throws LabelFileException explaining which file is missing, when they cannot
     */
    public void require(ClassOrder order) throws LabelFileException {
        if (has(order)) {
            return;
        }
        throw new LabelFileException(String.join(", ", sources) + ": this gives the classes in sorted WordNet-ID "
                + "order only (Caffe's synset_words.txt and torchvision order), but the model numbers its outputs in "
                + "the ILSVRC2012 devkit order of the SENet release (output i is devkit class ID i+1), which cannot "
                + "be derived from a sorted list. Give a devkit-order file as well, as a second --labels: "
                + "map_clsloc.txt (\"wnid ID name\"), ILSVRC2012_mapping.txt (\"ID wnid\"), 1000 \"wnid name\" "
                + "lines in devkit order, or the index map label_map.csv (\"senet_index,sorted_index\"); or, if the "
                + "model does use sorted order, say --class-order sorted");
    }

    /**
     * The class of output {@code index} of a model numbering its classes in {@code order}.
     *
     * @throws IllegalStateException when these labels do not give that order (see {@link #require})
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < 1000}
     */
    public ImageNetClass forOutput(int index, ClassOrder order) {
        Objects.checkIndex(index, CLASSES);
        if (!has(order)) {
            throw new IllegalStateException("the labels do not give the " + order.label() + " order");
        }
        String w = order == ClassOrder.DEVKIT ? devkit.get(index) : sorted.get(index);
        Integer d = devkitIndex.get(w);
        return d == null ? new ImageNetClass(-1, 0, w, sortedIndex.get(w), names.get(w))
                : new ImageNetClass(d, d + 1, w, sortedIndex.get(w), names.get(w));
    }

    /** The class with this WordNet ID, or null when it is not one of the 1000. */
    public ImageNetClass forWnid(String wnid) {
        Integer s = sortedIndex.get(wnid);
        if (s == null) {
            return null;
        }
        return forOutput(s, ClassOrder.SORTED);
    }

    /** The files read, each with the format recognised, e.g. {@code map_clsloc.txt (devkit order, "wnid ID name")}. */
    public List<String> sources() {
        return sources;
    }

    /** Whether some file gave class names (otherwise only WordNet IDs are known). */
    public boolean hasNames() {
        return !names.isEmpty();
    }
}
