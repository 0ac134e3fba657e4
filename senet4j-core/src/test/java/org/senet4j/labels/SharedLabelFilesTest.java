package org.senet4j.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.senet4j.TestData;

/**
 * The real label files of ../shared/imagenet-labels (skipped when absent) give the documented rule: output i is
 * devkit ID i+1, e.g. 489 -> ID 490 -> n01751748 sea snake, 0 -> n02119789 kit fox, sorted index 0 (tench) is 448.
 */
class SharedLabelFilesTest {
    private static final String L = "imagenet-labels/";

    private static List<Path> files(String spec) {
        List<Path> out = new ArrayList<>();
        for (String f : spec.split("\\+")) {
            out.add(TestData.requireShared(L + f));
        }
        return out;
    }

    /** The joined table: senet_index, devkit_ID, wnid, sorted_index, name. */
    private static List<String[]> table() throws Exception {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(TestData.requireShared(L + "derived/senet_index_map.tsv"))) {
            if (!line.startsWith("#") && !line.isBlank()) {
                rows.add(line.split("\t"));
            }
        }
        assertEquals(1000, rows.size());
        return rows;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "wisetrue95_Classification2020/map_clsloc.txt",
        "fh295_semanticCNN/ILSVRC2012_mapping.txt",
        "soeaver_caffe-model/synset2015.txt",
        "Cadene_pretrained-models.pytorch/imagenet_synsets.txt",
        "soeaver_caffe-model/synset2012.txt+chainer_chainercv/label_map.csv",
        "timm/imagenet_synsets.txt+chainer_chainercv/label_map.csv+timm/imagenet_synset_to_lemma.txt",
        "timm/imagenet_synsets.txt+fh295_semanticCNN/ILSVRC2012_mapping.txt",
        "derived/senet_index_map.tsv"})
    void everyDevkitSourceGivesTheRule(String spec) throws Exception {
        ClassLabels l = ClassLabels.read(files(spec));
        ImageNetClass seaSnake = l.forOutput(489, ClassOrder.DEVKIT);
        assertEquals(490, seaSnake.devkitId());
        assertEquals("n01751748", seaSnake.wnid());
        assertEquals(65, seaSnake.sortedIndex());
        assertEquals("n02119789", l.forOutput(0, ClassOrder.DEVKIT).wnid());
        ImageNetClass tench = l.forOutput(0, ClassOrder.SORTED);
        assertEquals("n01440764", tench.wnid());
        assertEquals(448, tench.devkitIndex());
        if (l.hasNames()) {
            assertTrue(seaSnake.name().startsWith("sea snake"), seaSnake.name());
            assertTrue(l.forOutput(0, ClassOrder.DEVKIT).name().startsWith("kit fox"));
        }
        for (String[] r : table()) {
            ImageNetClass c = l.forOutput(Integer.parseInt(r[0]), ClassOrder.DEVKIT);
            assertEquals(Integer.parseInt(r[1]), c.devkitId());
            assertEquals(r[2], c.wnid(), "SENet index " + r[0]);
            assertEquals(Integer.parseInt(r[3]), c.sortedIndex(), "SENet index " + r[0]);
        }
    }

    @Test
    void sortedFilesAloneGiveTheSortedOrderOnlyAndSaySo() throws Exception {
        for (String f : new String[] {"soeaver_caffe-model/synset2012.txt", "timm/imagenet_synsets.txt"}) {
            ClassLabels l = ClassLabels.read(files(f));
            assertFalse(l.has(ClassOrder.DEVKIT), f);
            assertEquals("n01440764", l.forOutput(0, ClassOrder.SORTED).wnid());
            LabelFileException e = assertThrows(LabelFileException.class, () -> l.require(ClassOrder.DEVKIT));
            assertTrue(e.getMessage().contains("devkit"), e.getMessage());
        }
        assertThrows(LabelFileException.class, () -> ClassLabels.read(files("chainer_chainercv/label_map.csv")));
        assertThrows(LabelFileException.class,
                () -> ClassLabels.read(files("timm/imagenet_synset_to_lemma.txt")));
        assertThrows(LabelFileException.class, () -> ClassLabels.read(files("hujie-frank_SENet/ILSVRC2017_val.txt")));
    }

    @Test
    void theReleaseGroundTruthAgreesWithIndependentWnidLabels() throws Exception {
        ClassLabels l = ClassLabels.read(files("wisetrue95_Classification2020/map_clsloc.txt"));
        GroundTruth senet = GroundTruth.read(TestData.requireShared(L + "hujie-frank_SENet/ILSVRC2017_val.txt"));
        GroundTruth devkit = GroundTruth.read(TestData.requireShared(
                L + "fh295_semanticCNN/ILSVRC2012_validation_ground_truth.txt"));
        assertEquals(50_000, senet.labels().size());
        assertEquals(senet.labels(), devkit.labels(), "release labels are devkit IDs minus 1");
        List<String> wnids = Files.readAllLines(TestData.requireShared(
                L + "tensorflow_models/imagenet_2012_validation_synset_labels.first1600.txt"));
        for (int k = 1; k <= wnids.size(); k++) {
            String name = String.format(java.util.Locale.ROOT, "ILSVRC2012_val_%08d.JPEG", k);
            assertEquals(wnids.get(k - 1).strip(), l.forOutput(senet.label(name), ClassOrder.DEVKIT).wnid(), name);
        }
    }
}
