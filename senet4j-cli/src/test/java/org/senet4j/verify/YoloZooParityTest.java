package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.op.DetectionRows;
import org.senet4j.verify.caffe.ForkCaffe;

/**
 * The YOLO nets of ../shared/caffe-zoo/eric612_MobileNet-YOLO against the fork, batch 1 and 2, at small input sizes
 * (the prototxts' input dims rewritten; the nets are fully convolutional): darknet's yolov3-tiny and the YOLOv2
 * MobileNet-YOLO with seeded random weights ({@link SeededWeights}, written as a caffemodel the fork loads), each as
 * published and with its threshold changed (yolov3-tiny: raised to 1, nothing detected; the YOLOv2 net, which finds
 * nothing as published: lowered to 0.02); and tusimple's MobileNet-YOLOv3-lite with its
 * trained weights. Every blob on the CPU engine (passes on and off) and the reference engine (batch 1, passes on: it
 * is slow, and proven on every layer in YoloParityTest), the detections row for row, and
 * ONNX Runtime: the whole lite net, and for the detection nets the export cut before the head (the head itself is
 * refused, naming it).
 */
class YoloZooParityTest {
    @TempDir
    Path dir;

    private static final String ZOO = "caffe-zoo/eric612_MobileNet-YOLO/";
    private static final DetectionParity.Totals TOTALS = new DetectionParity.Totals("YoloZooParityTest");

    @AfterAll
    static void report() {
        TOTALS.print();
    }

    /**
     * @param size      the input's height and width
     * @param threshold a confidence_threshold to set (inserted where the prototxt has none), or null
     * @param weights   a trained caffemodel under the zoo folder, or null for seeded random weights
     * @return the fork's detection counts at batch 1 and 2 (empty for a net without a head)
     */
    private List<Integer> check(String file, int size, String threshold, String weights, int minBlobs)
            throws Exception {
        Path home = DetectionParity.forkHome();
        Path original = TestData.requireShared(ZOO + file);
        String name = file.replace(".prototxt", "").replace("models__", "") + (threshold == null ? "" : "_t"
                + threshold);
        String text = Files.readString(original)
                .replaceAll("(input_dim: \\d+\\s+input_dim: \\d+\\s+)input_dim: \\d+\\s+input_dim: \\d+",
                        "$1input_dim: " + size + "\ninput_dim: " + size)
                .replaceAll("(dim: \\d+\\s+dim: \\d+\\s+)dim: \\d+\\s+dim: \\d+(\\s*})", "$1dim: " + size + "\n  dim: "
                        + size + "$2");
        if (threshold != null) {
            text = text.contains("confidence_threshold")
                    ? text.replaceAll("confidence_threshold: [0-9.]+", "confidence_threshold: " + threshold)
                    : text.replace("detection_output_param {", "detection_output_param {\n        confidence_threshold: "
                            + threshold);
        }
        Path proto;
        Path caffemodel;
        Graph g;
        if (weights == null) {
            ParityNets.Model m = ParityNets.seeded(dir, name, text, 2024);
            proto = m.prototxt();
            caffemodel = m.weights();
            g = m.graph();
        } else {
            proto = Files.writeString(dir.resolve(name + ".prototxt"), text);
            caffemodel = TestData.requireShared(ZOO + weights);
            g = CaffeImporter.load(proto, caffemodel).graph();
        }
        assertEquals(size, g.shape(g.inputs().get(0)).dim(2), "input size rewritten");
        DetectionParity parity = new DetectionParity(dir);
        int[] shape = g.shape(g.inputs().get(0)).dims();
        List<Integer> counts = new ArrayList<>();
        Node head = g.nodes().stream().filter(n -> n.op() instanceof DetectionRows).findFirst().orElse(null);
        for (int batch : new int[] {1, 2}) {
            shape[0] = batch;
            Map<String, Path> in = DetectionParity.inputs(g.inputs().get(0),
                    DetectionParity.input(dir, name + "_b" + batch, shape, 300 + batch));
            ForkCaffe.Result r = ForkCaffe.forward(home, proto, caffemodel, 0, in, dir.resolve(name + "_out" + batch),
                    Duration.ofMinutes(10));
            ReferenceSet ref = DetectionParity.reference(r);
            parity.engines(name, g, ref, minBlobs, true);
            if (head == null) {
                parity.onnx(name, g, ref, minBlobs, DetectionParity.Onnx.EXACT);
                continue;
            }
            parity.onnxRefusedThenCut(name, g, ref, minBlobs - 1);
            int n = DetectionParity.detections(Npy.read(r.blobs().get(g.value(head.outputs().get(0)).blob())));
            counts.add(n);
            TOTALS.found(name, batch, n);
            System.out.printf("YoloZooParityTest %s batch %d: the fork found %d detections%n", name, batch, n);
        }
        TOTALS.add(parity);
        return counts;
    }

    @Test
    void yolov3Tiny() throws Exception {
        List<Integer> n = check("models__darknet_yolov3__yolov3-tiny.prototxt", 128, null, null, 25);
        assertTrue(n.get(0) > 0 && n.get(1) > 0, n.toString());
        assertEquals(List.of(0, 0), check("models__darknet_yolov3__yolov3-tiny.prototxt", 128, "1", null, 25));
    }

    @Test
    void mobileNetYoloV2() throws Exception {
        // as published (threshold 0.4) random weights find nothing: the empty rows
        assertEquals(List.of(0, 0), check("models__yolov2__mobilenet_yolo_deploy.prototxt", 128, null, null, 37));
        List<Integer> n = check("models__yolov2__mobilenet_yolo_deploy.prototxt", 128, "0.02", null, 37);
        assertTrue(n.get(0) > 0 && n.get(1) > 0, n.toString());
    }

    @Test
    void mobileNetYoloV3LiteTrained() throws Exception {
        check("models__tusimple__mobilenet_yolov3_lite_deploy.prototxt", 128, null,
                "models__tusimple__mobilenet_yolov3_lite_deploy_iter_50000.caffemodel", 25);
    }
}
