package org.senet4j.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.cli.CliRunner;
import org.senet4j.cli.ExitCode;
import org.senet4j.io.Json;

/**
 * Acceptance: classify images of every kind with a net whose weights make the class known ({@link ColourNet}), and
 * check the class mapping end to end: with a made-up label file always, with the real label files of
 * ../shared/imagenet-labels when present (index 0 kit fox, 489 sea snake, 448 tench).
 */
class ClassifyCommandTest {
    @TempDir
    Path dir;

    Path proto;
    Path weights;
    Path images;
    Map<String, String> expected;

    @BeforeEach
    void setUp() throws Exception {
        Path[] net = ColourNet.write(dir);
        proto = net[0];
        weights = net[1];
        images = Files.createDirectories(dir.resolve("images"));
        expected = ColourNet.writeAllKinds(images);
    }

    private CliRunner.Result classify(String... more) {
        List<String> args = new ArrayList<>(List.of("classify", proto.toString(), weights.toString(),
                images.toString(), "--resize", "32", "--crop", "24", "--json", "--batch", "4"));
        args.addAll(List.of(more));
        return CliRunner.run(args.toArray(String[]::new));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> bestByFile(CliRunner.Result r) {
        Map<String, Object> root = (Map<String, Object>) Json.parse(r.out());
        Map<String, Map<String, Object>> out = new java.util.LinkedHashMap<>();
        for (Object o : (List<Object>) root.get("images")) {
            Map<String, Object> img = (Map<String, Object>) o;
            String f = Path.of((String) img.get("file")).getFileName().toString();
            out.put(f, ((List<Map<String, Object>>) img.get("top")).get(0));
        }
        return out;
    }

    @Test
    void everyImageKindGetsItsClassWithoutLabels() throws Exception {
        CliRunner.Result r = classify();
        assertEquals(0, r.code(), r.err());
        Map<String, Map<String, Object>> best = bestByFile(r);
        assertEquals(expected.keySet(), best.keySet());
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Map<String, Object> top = best.get(e.getKey());
            int index = ColourNet.CLASS.get(e.getValue());
            assertEquals(index, ((Number) top.get("index")).intValue(), e.getKey());
            assertEquals(index + 1, ((Number) top.get("devkitId")).intValue(), "the rule: ID = index + 1");
            assertTrue(((Number) top.get("probability")).doubleValue() > 0.5, e.getKey() + " " + top);
        }
        CliRunner.Result text = CliRunner.run("classify", proto.toString(), weights.toString(),
                images.resolve("b_rgba.png").toString(), "--resize", "32", "--crop", "24", "--top", "2");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("index 489 (ILSVRC2012 ID 490)"), text.out());
        assertEquals(3, text.out().strip().split("\n").length, "the file and two classes: " + text.out());
    }

    @Test
    void madeUpLabelsMapThroughTheRule() throws Exception {
        Path labels = ColourNet.writeMadeUpLabels(dir.resolve("map_clsloc.txt"));
        CliRunner.Result r = classify("--labels", labels.toString());
        assertEquals(0, r.code(), r.err());
        for (Map.Entry<String, Map<String, Object>> e : bestByFile(r).entrySet()) {
            int index = ColourNet.CLASS.get(expected.get(e.getKey()));
            assertEquals(ColourNet.madeUpWnid(index + 1), e.getValue().get("wnid"), e.getKey());
            assertEquals("class " + (index + 1), e.getValue().get("name"));
            assertEquals(ColourNet.madeUpSortedIndex(index + 1), ((Number) e.getValue().get("sortedIndex"))
                    .intValue());
        }
        // a model numbering its outputs in sorted order maps the same outputs to other classes
        CliRunner.Result sorted = classify("--labels", labels.toString(), "--class-order", "sorted");
        assertEquals(0, sorted.code(), sorted.err());
        Map<String, Object> red = bestByFile(sorted).get("a_rgb.png");
        assertEquals(0, ((Number) red.get("index")).intValue());
        assertEquals("n01000000", red.get("wnid"), "sorted index 0 is the smallest WordNet ID");
    }

    @Test
    void nativeFileCarriesThePreprocessing() throws Exception {
        Path nat = dir.resolve("colour.safetensors");
        CliRunner.Result c = CliRunner.run("convert", proto.toString(), weights.toString(), "-o", nat.toString(),
                "--preprocessing", ColourNet.PREPROCESSING);
        assertEquals(0, c.code(), c.err());
        CliRunner.Result r = CliRunner.run("classify", nat.toString(), images.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(489, ((Number) bestByFile(r).get("f_cmyk.jpg").get("index")).intValue());
        CliRunner.Result wrongCrop = CliRunner.run("classify", nat.toString(), images.toString(), "--crop", "20");
        assertEquals(ExitCode.USAGE, wrongCrop.code());
        assertTrue(wrongCrop.err().contains("24x24"), wrongCrop.err());
    }

    @Test
    void unreadableImagesAreReportedAndTheOthersClassified() throws Exception {
        Files.write(images.resolve("z_broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        Files.writeString(images.resolve("notes.txt"), "not an image, not listed");
        CliRunner.Result r = classify();
        assertEquals(ExitCode.IO, r.code());
        assertTrue(r.err().contains("z_broken.jpg"), r.err());
        assertTrue(r.err().contains("1 of 10 images could not be read"), r.err());
        assertEquals(expected.keySet(), bestByFile(r).keySet(), "the readable images are all classified");
        @SuppressWarnings("unchecked")
        List<Object> errors = (List<Object>) ((Map<String, Object>) Json.parse(r.out())).get("errors");
        assertEquals(1, errors.size());
    }

    @Test
    void usageErrors() throws Exception {
        Path labels = ColourNet.writeMadeUpLabels(dir.resolve("map_clsloc.txt"));
        String mini = TestData.testdata().resolve("se_resnet_mini.prototxt").toString();
        String miniWeights = TestData.testdata().resolve("se_resnet_mini/model.caffemodel").toString();
        CliRunner.Result tenClasses = CliRunner.run("classify", mini, miniWeights, images.toString(), "--resize",
                "40", "--crop", "35", "--labels", labels.toString());
        assertEquals(ExitCode.USAGE, tenClasses.code());
        assertTrue(tenClasses.err().contains("10 outputs"), tenClasses.err());
        Path bad = Files.writeString(dir.resolve("bad.txt"), "hello world\n");
        CliRunner.Result badLabels = classify("--labels", bad.toString());
        assertEquals(ExitCode.USAGE, badLabels.code());
        assertTrue(badLabels.err().contains("bad.txt"), badLabels.err());
        assertEquals(ExitCode.IO, CliRunner.run("classify", proto.toString(), weights.toString(),
                dir.resolve("nothing.png").toString()).code());
        assertEquals(ExitCode.USAGE, classify("--top", "0").code());
        assertEquals(ExitCode.USAGE, classify("--channel-order", "GBR").code());
        assertEquals(ExitCode.USAGE, classify("--mean", "1,2").code());
        assertEquals(ExitCode.USAGE, classify("--class-order", "alphabetical").code());
        assertEquals(ExitCode.USAGE, CliRunner.run("classify", proto.toString(), weights.toString()).code());
    }

    @Test
    void realLabelFilesGiveTheReleaseClasses() throws Exception {
        Path clsloc = TestData.requireShared("imagenet-labels/wisetrue95_Classification2020/map_clsloc.txt");
        Path mapping = TestData.requireShared("imagenet-labels/fh295_semanticCNN/ILSVRC2012_mapping.txt");
        Path synset2012 = TestData.requireShared("imagenet-labels/soeaver_caffe-model/synset2012.txt");
        Path labelMap = TestData.requireShared("imagenet-labels/chainer_chainercv/label_map.csv");
        Path synset2015 = TestData.requireShared("imagenet-labels/soeaver_caffe-model/synset2015.txt");
        for (String[] labels : new String[][] {{clsloc.toString()}, {mapping.toString()}, {synset2015.toString()},
            {synset2012.toString(), labelMap.toString()}}) {
            List<String> args = new ArrayList<>();
            for (String l : labels) {
                args.add("--labels");
                args.add(l);
            }
            CliRunner.Result r = classify(args.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            Map<String, Map<String, Object>> best = bestByFile(r);
            Map<String, Object> red = best.get("a_rgb.png");
            assertEquals(0, ((Number) red.get("index")).intValue());
            assertEquals(1, ((Number) red.get("devkitId")).intValue());
            assertEquals("n02119789", red.get("wnid"), List.of(labels).toString());
            Map<String, Object> blue = best.get("b_rgba.png");
            assertEquals(489, ((Number) blue.get("index")).intValue());
            assertEquals(490, ((Number) blue.get("devkitId")).intValue());
            assertEquals("n01751748", blue.get("wnid"));
            assertEquals(65, ((Number) blue.get("sortedIndex")).intValue());
            Map<String, Object> green = best.get("d_palette.png");
            assertEquals(448, ((Number) green.get("index")).intValue());
            assertEquals("n01440764", green.get("wnid"), "tench: sorted index 0 is SENet index 448");
            assertEquals(0, ((Number) green.get("sortedIndex")).intValue());
            if (blue.containsKey("name")) {
                assertTrue(((String) blue.get("name")).startsWith("sea snake"), blue.toString());
                assertTrue(((String) red.get("name")).startsWith("kit fox"), red.toString());
            }
        }
        CliRunner.Result sortedOnly = classify("--labels", synset2012.toString());
        assertEquals(ExitCode.USAGE, sortedOnly.code());
        assertTrue(sortedOnly.err().contains("devkit"), sortedOnly.err());
        CliRunner.Result text = CliRunner.run("classify", proto.toString(), weights.toString(),
                images.resolve("b_rgba.png").toString(), "--resize", "32", "--crop", "24", "--top", "1",
                "--labels", clsloc.toString());
        assertTrue(text.out().contains("n01751748  sea snake  [index 489, ID 490]"), text.out());
    }
}
