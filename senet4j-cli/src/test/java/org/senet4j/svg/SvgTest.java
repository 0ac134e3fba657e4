package org.senet4j.svg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.cli.CliRunner;
import org.senet4j.cli.ExitCode;
import org.senet4j.io.Json;
import org.senet4j.ir.Graph;
import org.senet4j.verify.BlobResult;
import org.senet4j.ir.Shape;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** inspect --svg and verify --svg write well-formed SVG holding what they should. */
class SvgTest {
    @TempDir
    Path dir;

    static Document parse(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document d = f.newDocumentBuilder().parse(new ByteArrayInputStream(Files.readAllBytes(file)));
        assertEquals("svg", d.getDocumentElement().getLocalName());
        assertEquals("http://www.w3.org/2000/svg", d.getDocumentElement().getNamespaceURI());
        return d;
    }

    /** Elements whose class attribute is {@code cls}. */
    static List<Element> byClass(Document d, String cls) {
        List<Element> out = new ArrayList<>();
        NodeList all = d.getElementsByTagNameNS("*", "*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (cls.equals(e.getAttribute("class"))) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void inspectDrawsEveryLayerAndTheSeBlocksOfTheTestNets() throws Exception {
        for (String net : new String[] {"se_resnet_mini", "se_resnext_mini", "se_inception_mini"}) {
            Path proto = TestData.testdata().resolve(net + ".prototxt");
            Path out = dir.resolve(net + ".svg");
            CliRunner.Result r = CliRunner.run("inspect", proto.toString(), "--svg", out.toString(), "--json");
            assertEquals(0, r.code(), r.err());
            Json.parse(r.out());
            Document d = parse(out);
            Graph g = CaffeImporter.load(proto, null).graph();
            List<Element> layers = byClass(d, "layer");
            assertEquals(g.nodes().size(), layers.size(), net);
            assertEquals(g.nodes().get(0).name(), layers.get(0).getAttribute("data-name"), "execution order");
            List<Element> se = byClass(d, "se-block");
            assertEquals(SeBlocks.find(g).size(), se.size(), net);
            assertTrue(se.size() > 0, net + " has SE blocks");
            assertTrue(r.err().contains(se.size() + " SE blocks"), r.err());
        }
        List<SeBlocks.Block> mini = SeBlocks.find(CaffeImporter.load(TestData.testdata()
                .resolve("se_resnet_mini.prototxt"), null).graph());
        assertEquals(List.of("conv2_1", "conv2_2", "conv3_1"), mini.stream().map(SeBlocks.Block::name).toList());
        assertEquals(List.of("conv2_1_global_pool", "conv2_1_1x1_down", "conv2_1_1x1_down/relu", "conv2_1_1x1_up",
                "conv2_1_prob"), mini.get(0).chain().stream().map(n -> n.name()).toList());
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary file left");
        }
    }

    @ParameterizedTest
    @CsvSource({"SE-ResNet-50,16", "SE-ResNet-101,33", "SE-ResNet-152,50", "SE-ResNeXt-50,16", "SE-ResNeXt-101,33",
        "SE-BN-Inception,10", "SENet-154,50"})
    void oneSeGroupPerSeBlockOfTheReleasedNets(String name, int blocks) throws Exception {
        Path proto = TestData.requireShared("senet-models/" + name + ".prototxt");
        Path out = dir.resolve(name + ".svg");
        assertEquals(0, CliRunner.run("inspect", proto.toString(), "--svg", out.toString()).code());
        Document d = parse(out);
        assertEquals(blocks, byClass(d, "se-block").size(), name);
        Graph g = CaffeImporter.load(proto, null).graph();
        assertEquals(g.nodes().size(), byClass(d, "layer").size());
        int width = Integer.parseInt(d.getDocumentElement().getAttribute("width"));
        assertTrue(width <= 2100, name + " stays a few columns wide: " + width);
    }

    @Test
    @SuppressWarnings("unchecked")
    void verifyPlotsOnePointPerBlob() throws Exception {
        Path td = TestData.testdata();
        Path out = dir.resolve("errors.svg");
        CliRunner.Result r = CliRunner.run("verify", td.resolve("se_resnet_mini.prototxt").toString(),
                td.resolve("se_resnet_mini/model.caffemodel").toString(), "--reference",
                td.resolve("se_resnet_mini").toString(), "--json", "--svg", out.toString());
        assertEquals(0, r.code(), r.err());
        List<Object> blobs = (List<Object>) ((Map<String, Object>) Json.parse(r.out())).get("blobs");
        Document d = parse(out);
        List<Element> points = byClass(d, "blob");
        assertEquals(blobs.size(), points.size());
        for (int i = 0; i < blobs.size(); i++) {
            assertEquals(((Map<String, Object>) blobs.get(i)).get("name"), points.get(i).getAttribute("data-name"));
        }
        assertTrue(Files.readString(out).contains("tolerance 1.0e-04"));
        // a failing run still gets its picture, with red points
        CliRunner.Result strict = CliRunner.run("verify", td.resolve("se_resnet_mini.prototxt").toString(),
                td.resolve("se_resnet_mini/model.caffemodel").toString(), "--reference",
                td.resolve("se_resnet_mini").toString(), "--tolerance", "1e-9", "--svg", out.toString());
        assertEquals(ExitCode.CHECK_FAILED, strict.code());
        assertTrue(Files.readString(out).contains("#e03131"));
        CliRunner.Result noDir = CliRunner.run("inspect", td.resolve("se_resnet_mini.prototxt").toString(),
                "--svg", dir.resolve("no/such/dir/x.svg").toString());
        assertEquals(ExitCode.IO, noDir.code());
        assertFalse(Files.exists(dir.resolve("no")));
    }

    @Test
    void plotHandlesExactNanAndEmpty() throws Exception {
        Shape s = Shape.of(1, 2);
        List<BlobResult> r = List.of(new BlobResult("a<&>", s, 0, 0, true, ""),
                new BlobResult("b", s, 1e-7, 1e-7, true, ""),
                new BlobResult("c", s, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, false, "NaN or infinity"));
        Path f = dir.resolve("p.svg");
        Svg.write(f, ErrorPlotSvg.render("t\"itle", r, 1e-4));
        assertEquals(3, byClass(parse(f), "blob").size());
        Svg.write(f, ErrorPlotSvg.render("empty", List.of(), 1e-4));
        assertEquals(0, byClass(parse(f), "blob").size());
        String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
        assertTrue(text.contains("FAIL"), "nothing compared is not a pass");
    }
}
