package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.op.PriorBox;
import org.senet4j.verify.caffe.ForkCaffe;

/**
 * The SSD nets of ../shared/caffe-zoo (MobileNet-SSD twice, MobileNetv2-SSDLite COCO and VOC, FaceBoxes) with seeded random weights (computed in Java by {@link SeededWeights}: the
 * prototxts have no fillers; written as a caffemodel that the fork loads too) against the fork, batch 1 and 2: every
 * blob on the CPU engine (passes on and off), the reference engine (batch 1, passes on: it is slow, and proven on
 * every layer in SsdParityTest) and ONNX Runtime (folding on and off), and the detections row for row. Each net runs as published (MobileNet-SSD's threshold then leaves its random weights no
 * detection: the empty-result rows) and MobileNet-SSD also with its confidence threshold lowered, so that random weights
 * give many detections. FaceBoxes' PriorBox is its own fork's (densified anchors), which the oracle fork
 * lacks: its priors, computed by senet4j from that fork's source and checked by hand in senet4j-core, are fed to the
 * oracle as inputs in place of its PriorBox layers; every other blob is the oracle's.
 */
class SsdZooParityTest {
    @TempDir
    Path dir;

    private static final DetectionParity.Totals TOTALS = new DetectionParity.Totals("SsdZooParityTest");

    @AfterAll
    static void report() {
        TOTALS.print();
    }

    private void check(String file, String threshold, int minBlobs) throws Exception {
        Path home = DetectionParity.forkHome();
        Path original = TestData.requireShared("caffe-zoo/" + file);
        String stem = original.getFileName().toString().replace(".prototxt", "").replace("__", "_");
        String name = original.getParent().getFileName().toString().replaceFirst("^[^_]*_", "") + "_" + stem
                + (threshold == null ? "" : "_t" + threshold);
        String text = Files.readString(original);
        if (threshold != null) {
            text = text.replaceAll("confidence_threshold: [0-9.]+", "confidence_threshold: " + threshold);
        }
        ParityNets.Model m = ParityNets.seeded(dir, name, text, 2024);
        Path proto = m.prototxt();
        Path weights = m.weights();
        Graph g = m.graph();
        // the oracle's prototxt: PriorBox layers it cannot compute become inputs with senet4j's priors
        Map<String, Path> priors = new LinkedHashMap<>();
        Path forkProto = proto;
        String forkText = text;
        for (Node n : g.nodes()) {
            if (n.op() instanceof PriorBox pb && pb.dialect() != PriorBox.Dialect.SSD) {
                String top = n.outputs().get(0);
                float[] v = pb.priors(g.inputShapes(n).get(0), g.inputShapes(n).get(1));
                Path f = dir.resolve(name + "_" + top + ".npy");
                Npy.write(f, g.shape(top).dims(), v);
                priors.put(top, f);
                forkText = replaceLayer(forkText, n.name(), "layer { name: \"" + n.name() + "\" type: \"Input\" top: \""
                        + top + "\" input_param { shape { dim: 1 dim: 2 dim: " + g.shape(top).dim(2) + " } } }");
            }
        }
        if (!priors.isEmpty()) {
            forkProto = Files.writeString(dir.resolve(name + "_oracle.prototxt"), forkText);
        }
        DetectionParity parity = new DetectionParity(dir);
        int[] shape = g.shape(g.inputs().get(0)).dims();
        for (int batch : new int[] {1, 2}) {
            shape[0] = batch;
            Map<String, Path> in = new LinkedHashMap<>(DetectionParity.inputs(g.inputs().get(0),
                    DetectionParity.input(dir, name + "_b" + batch, shape, 100 + batch)));
            in.putAll(priors);
            ForkCaffe.Result r = ForkCaffe.forward(home, forkProto, weights, 0, in, dir.resolve(name + "_out" + batch),
                    Duration.ofMinutes(10));
            Map<String, Path> inputs = new LinkedHashMap<>(r.inputs());
            priors.keySet().forEach(inputs::remove);
            ReferenceSet ref = new ReferenceSet(r.dir(), inputs, r.blobs());
            parity.engines(name, g, ref, minBlobs, true);
            parity.onnx(name, g, ref, minBlobs, DetectionParity.Onnx.EXACT);
            TOTALS.found(name, batch, DetectionParity.detections(Npy.read(r.blobs().get("detection_out"))));
        }
        TOTALS.add(parity);
    }

    /** The prototxt with the top-level {@code layer { ... }} block named {@code layer} replaced. */
    static String replaceLayer(String text, String layer, String replacement) {
        int at = 0;
        while (true) {
            int start = text.indexOf("layer {", at);
            assertTrue(start >= 0, "layer " + layer + " not found");
            int depth = 0;
            int end = start;
            for (int i = text.indexOf('{', start); i < text.length(); i++) {
                char c = text.charAt(i);
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
                if (depth == 0) {
                    end = i + 1;
                    break;
                }
            }
            String block = text.substring(start, end);
            if (block.matches("(?s)layer \\{\\s*name: \"" + java.util.regex.Pattern.quote(layer) + "\".*")) {
                return text.substring(0, start) + replacement + text.substring(end);
            }
            at = end;
        }
    }

    @Test
    void mobileNetSsd() throws Exception {
        check("chuanqi305_MobileNet-SSD/deploy.prototxt", null, 50);
        check("chuanqi305_MobileNet-SSD/deploy.prototxt", "0.02", 50);
    }

    @Test
    void mobileNetSsdVocWithMergedBatchNorm() throws Exception {
        check("chuanqi305_MobileNet-SSD/voc__MobileNetSSD_deploy.prototxt", "0.02", 50);
    }

    @Test
    void mobileNetV2SsdLite() throws Exception {
        check("chuanqi305_MobileNetv2-SSDLite/coco__deploy.prototxt", null, 50);
    }

    @Test
    void mobileNetV2SsdLiteVocWithReLU6() throws Exception {
        check("chuanqi305_MobileNetv2-SSDLite/ssdlite__voc__deploy.prototxt", null, 50);
    }

    @Test
    void faceBoxes() throws Exception {
        check("sfzhang15_FaceBoxes/models__faceboxes__deploy.prototxt", null, 50);
    }
}
