package org.senet4j.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.classify.ColourNet;

/**
 * Label formats and the class-order rule on made-up label files (always run): devkit ID k has the made-up WordNet ID
 * of {@link ColourNet#madeUpWnid}, whose sorted index is {@code k * 337 mod 1000}.
 */
class ClassLabelsTest {
    @TempDir
    Path dir;

    private Path write(String name, CharSequence text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** The made-up classes as "wnid name" lines sorted by WordNet ID (synset_words.txt's form). */
    private Path sortedWords() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int id = 1; id <= 1000; id++) {
            lines.add(ColourNet.madeUpWnid(id) + " class " + id);
        }
        lines.sort(null);
        return write("synset_words.txt", String.join("\n", lines) + "\n");
    }

    /** "senet_index,sorted_index" rows in a scrambled order (label_map.csv's form). */
    private Path indexMap() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < 1000; j++) {
            int i = (j * 7) % 1000;
            sb.append(i).append(',').append(ColourNet.madeUpSortedIndex(i + 1)).append('\n');
        }
        return write("label_map.csv", sb);
    }

    private static void checkRule(ClassLabels l) {
        for (int i : new int[] {0, 489, 448, 999}) {
            ImageNetClass c = l.forOutput(i, ClassOrder.DEVKIT);
            assertEquals(i, c.devkitIndex());
            assertEquals(i + 1, c.devkitId(), "the rule: output i is devkit ID i+1");
            assertEquals(ColourNet.madeUpWnid(i + 1), c.wnid());
            assertEquals(ColourNet.madeUpSortedIndex(i + 1), c.sortedIndex());
            assertEquals(c, l.forOutput(c.sortedIndex(), ClassOrder.SORTED));
        }
    }

    @Test
    void devkitFileWithIdsAndShortNames() throws Exception {
        ClassLabels l = ClassLabels.read(ColourNet.writeMadeUpLabels(dir.resolve("map_clsloc.txt")));
        checkRule(l);
        assertEquals("class 490", l.forOutput(489, ClassOrder.DEVKIT).name(), "underscores become spaces");
        assertTrue(l.sources().get(0).contains("devkit order"), l.sources().toString());
    }

    @Test
    void idWnidFileIgnoresInternalSynsets() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int id = 1; id <= 1000; id++) {
            sb.append(id).append(' ').append(ColourNet.madeUpWnid(id)).append('\n');
        }
        for (int id = 1001; id <= 1860; id++) {
            sb.append(id).append(' ').append(String.format(Locale.ROOT, "n0900%04d", id)).append('\n');
        }
        ClassLabels l = ClassLabels.read(write("ILSVRC2012_mapping.txt", sb));
        checkRule(l);
        assertNull(l.forOutput(3, ClassOrder.DEVKIT).name());
        assertFalse(l.hasNames());
    }

    @Test
    void unsortedWnidNameListIsDevkitOrderAndAPlaceholderLineIsSkipped() throws Exception {
        StringBuilder sb = new StringBuilder("????????? dummy class for index 0\n");
        for (int id = 1; id <= 1000; id++) {
            sb.append(ColourNet.madeUpWnid(id)).append(" class ").append(id).append('\n');
        }
        for (int id = 1001; id <= 1860; id++) {
            sb.append(String.format(Locale.ROOT, "n0900%04d", id)).append(" internal\n");
        }
        ClassLabels l = ClassLabels.read(write("imagenet_synsets.txt", sb));
        checkRule(l);
        assertEquals("class 1", l.forOutput(0, ClassOrder.DEVKIT).name());
    }

    @Test
    void sortedListAloneCannotGiveTheSenetOrder() throws Exception {
        ClassLabels l = ClassLabels.read(sortedWords());
        assertTrue(l.has(ClassOrder.SORTED));
        assertFalse(l.has(ClassOrder.DEVKIT));
        LabelFileException e = assertThrows(LabelFileException.class, () -> l.require(ClassOrder.DEVKIT));
        assertTrue(e.getMessage().contains("synset_words.txt") && e.getMessage().contains("devkit"),
                e.getMessage());
        assertTrue(e.getMessage().contains("label_map.csv") && e.getMessage().contains("--class-order sorted"),
                e.getMessage());
        ImageNetClass s0 = l.forOutput(0, ClassOrder.SORTED);
        assertEquals("n01000000", s0.wnid());
        assertEquals(0, s0.devkitId(), "unknown without a devkit-order file");
        assertFalse(s0.hasDevkitId());
    }

    @Test
    void sortedListWithTheIndexMapGivesTheSenetOrder() throws Exception {
        ClassLabels l = ClassLabels.read(sortedWords(), indexMap());
        checkRule(l);
        assertEquals("class 490", l.forOutput(489, ClassOrder.DEVKIT).name());
        // the same with the devkit file: names from the first file that names a class
        ClassLabels both = ClassLabels.read(sortedWords(), ColourNet.writeMadeUpLabels(dir.resolve("m.txt")));
        checkRule(both);
    }

    @Test
    void kerasJsonIsSortedOrder() throws Exception {
        List<String> wnids = new ArrayList<>();
        for (int id = 1; id <= 1000; id++) {
            wnids.add(ColourNet.madeUpWnid(id));
        }
        wnids.sort(null);
        StringBuilder sb = new StringBuilder("{");
        for (int s = 0; s < 1000; s++) {
            sb.append(s == 0 ? "" : ", ").append('"').append(s).append("\": [\"").append(wnids.get(s))
                    .append("\", \"thing_").append(s).append("\"]");
        }
        ClassLabels l = ClassLabels.read(write("imagenet_class_index.json", sb.append('}')), indexMap());
        checkRule(l);
        assertEquals("thing 0", l.forOutput(0, ClassOrder.SORTED).name());
    }

    @Test
    void filesThatDisagreeOrTellNothingAreErrors() throws Exception {
        Path devkit = ColourNet.writeMadeUpLabels(dir.resolve("map_clsloc.txt"));
        String wrongMap = Files.readString(indexMap()).replaceFirst("(?m)^0,(\\d+)$", "0,999")
                .replaceFirst("(?m)^(\\d+),999$", "$1,XX");
        Path badMap = write("bad_map.csv", wrongMap);
        assertThrows(LabelFileException.class, () -> ClassLabels.read(badMap));
        StringBuilder swapped = new StringBuilder(Files.readString(indexMap()));
        Path swap = write("swap.csv", swapped.toString().replaceFirst("(?m)^0,", "TMP,").replaceFirst("(?m)^7,",
                "0,").replace("TMP,", "7,"));
        LabelFileException disagree = assertThrows(LabelFileException.class,
                () -> ClassLabels.read(devkit, swap));
        assertTrue(disagree.getMessage().contains("senet_index"), disagree.getMessage());
        LabelFileException mapOnly = assertThrows(LabelFileException.class, () -> ClassLabels.read(indexMap()));
        assertTrue(mapOnly.getMessage().contains("names no class"), mapOnly.getMessage());
        LabelFileException gt = assertThrows(LabelFileException.class, () -> ClassLabels.read(
                write("val.txt", "ILSVRC2012_val_00000001.JPEG 489\nILSVRC2012_val_00000002.JPEG 360\n")));
        assertTrue(gt.getMessage().contains("ground-truth"), gt.getMessage());
        LabelFileException names = assertThrows(LabelFileException.class, () -> ClassLabels.read(
                write("names.txt", "tench\ngoldfish\n")));
        assertTrue(names.getMessage().contains("names.txt") && names.getMessage().contains("unknown label format"),
                names.getMessage());
        LabelFileException mixed = assertThrows(LabelFileException.class, () -> ClassLabels.read(
                write("mixed.txt", "n01440764 1 tench\nn01443537 2 goldfish\nshark n01484850\n")));
        assertTrue(mixed.getMessage().contains("mixed.txt:3"), mixed.getMessage());
        String missing = Files.readString(devkit).replaceFirst("n0100\\d{4} 17 class_17\r\n", "");
        LabelFileException gap = assertThrows(LabelFileException.class,
                () -> ClassLabels.read(write("gap.txt", missing)));
        assertTrue(gap.getMessage().contains("[17]"), gap.getMessage());
        LabelFileException dup = assertThrows(LabelFileException.class, () -> ClassLabels.read(
                write("dup.txt", Files.readString(devkit).replace(" 18 class_18", " 17 class_18"))));
        assertTrue(dup.getMessage().contains("appears twice"), dup.getMessage());
        LabelFileException few = assertThrows(LabelFileException.class, () -> ClassLabels.read(
                write("few.txt", "n01440764 tench\nn01443537 goldfish\n")));
        assertTrue(few.getMessage().contains("lists 2 WordNet IDs"), few.getMessage());
        Path sorted = sortedWords();
        Path other = write("other.txt", Files.readString(sorted).replace("n01000000", "n01000000x")
                .replace("n01000000x", "n00000001"));
        assertThrows(LabelFileException.class, () -> ClassLabels.read(other, devkit),
                "a sorted list and a devkit list of different classes");
    }

    @Test
    void groundTruthForms() throws Exception {
        GroundTruth named = GroundTruth.read(write("ILSVRC2017_val.txt",
                "ILSVRC2012_val_00000001.JPEG 489\n/Data/val/ILSVRC2012_val_00000002.JPEG 360\n"));
        assertEquals(489, named.label("ILSVRC2012_val_00000001.JPEG"));
        assertEquals(360, named.label("ILSVRC2012_val_00000002.JPEG"), "directories are dropped");
        assertFalse(named.devkitIds());
        GroundTruth ids = GroundTruth.read(write("gt.txt", "490\r\n361\r\n"));
        assertEquals(489, ids.label("ILSVRC2012_val_00000001.JPEG"), "devkit ID - 1");
        assertEquals(360, ids.label("ILSVRC2012_val_00000002.JPEG"));
        assertTrue(ids.devkitIds());
        LabelFileException bad = assertThrows(LabelFileException.class, () -> GroundTruth.read(
                write("bad.txt", "a.JPEG 1\nb.JPEG one\n")));
        assertTrue(bad.getMessage().contains("bad.txt:2"), bad.getMessage());
        assertThrows(LabelFileException.class, () -> GroundTruth.read(write("zero.txt", "0\n1\n")));
        assertThrows(LabelFileException.class, () -> GroundTruth.read(write("twice.txt", "a.png 1\na.png 2\n")));
    }
}
