package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.GraphCut;
import org.senet4j.ir.Shape;
import org.senet4j.onnx.ExportOptions;
import org.senet4j.onnx.OnnxExporter;
import org.senet4j.verify.caffe.OpenCvOracle;

/**
 * py-faster-rcnn's ZF nets from ../shared/caffe-zoo against OpenCV dnn 4.6, with seeded weights written as a
 * caffemodel, at a small input (the prototxts' 224 x 224 made 128 x 160): Fast R-CNN's test net with a {@code rois}
 * input (every blob on the reference and CPU engines and ONNX Runtime, ROIPooling as MaxRoiPool), and the RPN test
 * net of the alternating-optimisation training (every blob before the proposals on every backend, ONNX cut there; the
 * proposals and their scores as RcnnParityTest compares them); and the VGG16 end-to-end Faster R-CNN test net at
 * 80 x 112, its fc6 and fc7 made 256 wide (25088 x 4096 random weights would be 411 MB), before the proposals on every
 * backend, then its head on its own proposals.
 */
class RcnnZooParityTest {
    @TempDir
    Path dir;

    private static final Map<String, Double> WORST = new TreeMap<>();
    private static final Map<String, String> ROWS = new TreeMap<>();

    @AfterAll
    static void report() {
        System.out.println("RcnnZooParityTest worst relative errors: " + WORST + "; proposals: " + ROWS);
    }

    private static final String ZOO = "caffe-zoo/rbgirshick_py-faster-rcnn/";

    /** The zoo net with each {@code replace} key (which it must contain) replaced, with seeded weights. */
    private ParityNets.Model model(String file, String name, Map<String, String> replace) throws Exception {
        String text = Files.readString(TestData.requireShared(ZOO + file));
        for (Map.Entry<String, String> e : replace.entrySet()) {
            assertTrue(text.contains(e.getKey()), e.getKey());
            text = text.replace(e.getKey(), e.getValue());
        }
        return ParityNets.seeded(dir, name, text, 2024);
    }

    /** An RPN net's inputs {@code data} and {@code im_info}, written as .npy files named after {@code prefix}. */
    private Map<String, Path> imageInputs(String prefix, Shape s, float[] data, float[] info) throws Exception {
        Map<String, Path> in = new LinkedHashMap<>();
        in.put("data", dir.resolve(prefix + "_data.npy"));
        in.put("im_info", dir.resolve(prefix + "_im_info.npy"));
        Npy.write(in.get("data"), s.dims(), data);
        Npy.write(in.get("im_info"), new int[] {1, 3}, info);
        return in;
    }

    private static final String SIZE = "  dim: 224\n  dim: 224";
    private static final String SMALL = "  dim: 128\n  dim: 160";

    @Test
    void zfFastRcnnWithRoisInput() throws Exception {
        ParityNets.Model m = model("models__pascal_voc__ZF__fast_rcnn__test.prototxt", "zf_fast_rcnn",
                Map.of(SIZE, SMALL, "dim: 1 # to be changed on-the-fly to num ROIs", "dim: 6"));
        assertEquals(Shape.of(6, 21), m.graph().shape("cls_prob"));
        Shape s = Shape.of(1, 3, 128, 160);
        Map<String, Path> in = new LinkedHashMap<>();
        in.put("data", dir.resolve("zf_data.npy"));
        in.put("rois", dir.resolve("zf_rois.npy"));
        Npy.write(in.get("data"), s.dims(), SeededWeights.input(s, InputDistribution.UNIFORM, 71));
        Npy.write(in.get("rois"), new int[] {6, 5}, new float[] {
            0, 0, 0, 159, 127,      // the whole image
            0, 8, 8, 56, 40,        // 0.5 after scaling by 1/16
            0, 100, 60, 180, 150,   // partly outside
            0, 40, 30, 45, 33,      // tiny
            0, 24, 24, 8, 8,        // inverted
            0, 63.9f, 17, 120.2f, 99});
        OpenCvOracle.Result r = OpenCvOracle.forward(m.prototxt(), m.weights(), in, dir.resolve("opencv_zf"),
                Duration.ofMinutes(10));
        assertTrue(r.blobs().keySet().containsAll(List.of("conv5", "roi_pool_conv5", "fc7", "cls_prob", "bbox_pred")),
                r.blobs().keySet().toString());
        BackendParity parity = new BackendParity(dir);
        parity.check("zf fast_rcnn", m.graph(), new ReferenceSet(r.dir(), r.inputs(), r.blobs()), 15);
        parity.worst().forEach((k, v) -> WORST.merge(k, v, Math::max));
    }

    @Test
    void zfRpnTestProposals() throws Exception {
        ParityNets.Model m = model("models__pascal_voc__ZF__faster_rcnn_alt_opt__rpn_test.pt", "zf_rpn",
                Map.of(SIZE, SMALL));
        Shape s = Shape.of(1, 3, 128, 160);
        float[] data = SeededWeights.input(s, InputDistribution.UNIFORM, 72);
        // OpenCV's proposal layer has no min-size filter: an image scale small enough that no box is filtered
        float[] info = {128, 160, 0.01f};
        Map<String, Path> in = imageInputs("rpn", s, data, info);
        OpenCvOracle.Result r = OpenCvOracle.forward(m.prototxt(), m.weights(), in, dir.resolve("opencv_rpn"),
                Duration.ofMinutes(10));
        List<String> rowBlobs = List.of("rois", "scores");
        Map<String, Path> before = new LinkedHashMap<>(r.blobs());
        before.keySet().removeAll(rowBlobs);
        Graph cut = GraphCut.upTo(m.graph(), List.of("rpn_cls_prob_reshape", "rpn_bbox_pred"));
        BackendParity parity = new BackendParity(dir);
        parity.check("zf rpn", cut, new ReferenceSet(r.dir(), in, before), 15);
        parity.worst().forEach((k, v) -> WORST.merge(k, v, Math::max));
        ModelException refused = assertThrows(ModelException.class, () -> OnnxExporter.toModel(m.graph(),
                ExportOptions.defaults()));
        assertTrue(refused.getMessage().contains("--outputs rpn_cls_prob_reshape,rpn_bbox_pred"),
                refused.getMessage());
        ROWS.putAll(RcnnParityTest.compareProposals("zf rpn proposals", m.graph(), Map.of("data",
                new HostTensor(s, data), "im_info", new HostTensor(Shape.of(1, 3), info)), r, rowBlobs, 0.0625f, 10,
                300, WORST));
    }

    /**
     * VGG16 end to end: every blob before the proposals against OpenCV's run of the whole net, on every backend; then
     * the head on the reference engine's own proposals: the head's layers alone, with inputs conv5_3 (OpenCV's) and
     * {@code rois} holding those proposals, run in OpenCV and on every backend (ONNX with MaxRoiPool: conv5_3 follows a ReLU), and the
     * end-to-end net's rows must equal OpenCV's. (OpenCV's own proposals are not compared here: its boxes are one
     * pixel wider, which moves NMS's choice where overlaps are near 0.7; RcnnParityTest and the ZF RPN net compare
     * proposals where that does not happen.)
     */
    @Test
    void vgg16FasterRcnnEnd2end() throws Exception {
        String file = "models__pascal_voc__VGG16__faster_rcnn_end2end__test.prototxt";
        Map<String, String> small = Map.of(SIZE, "  dim: 80\n  dim: 112", "num_output: 4096", "num_output: 256");
        ParityNets.Model m = model(file, "vgg16_e2e", small);
        Shape s = Shape.of(1, 3, 80, 112);
        float[] data = SeededWeights.input(s, InputDistribution.UNIFORM, 73);
        float[] info = {80, 112, 0.01f};
        Map<String, Path> in = imageInputs("vgg", s, data, info);
        OpenCvOracle.Result r = OpenCvOracle.forward(m.prototxt(), m.weights(), in, dir.resolve("opencv_vgg"),
                Duration.ofMinutes(10));
        List<String> rowBlobs = List.of("rois", "pool5", "fc6", "fc7", "cls_score", "cls_prob", "bbox_pred");
        assertTrue(r.blobs().keySet().containsAll(rowBlobs), r.blobs().keySet().toString());
        Map<String, Path> before = new LinkedHashMap<>(r.blobs());
        before.keySet().removeAll(rowBlobs);
        Graph cut = GraphCut.upTo(m.graph(), List.of("rpn_cls_prob_reshape", "rpn_bbox_pred"));
        BackendParity parity = new BackendParity(dir);
        parity.check("vgg16 end2end", cut, new ReferenceSet(r.dir(), in, before), 23);

        Map<String, HostTensor> ours;
        try (Engine e = Engines.create("reference", m.graph(), EngineOptions.DEFAULT)) {
            ours = e.run(Map.of("data", new HostTensor(s, data), "im_info", new HostTensor(Shape.of(1, 3), info)),
                    rowBlobs);
        }
        HostTensor rois = ours.get("rois");
        int k = rois.shape().dim(0);
        assertTrue(k >= 20, k + " proposals");
        // the head alone: inputs conv5_3 (OpenCV's, from the run above) and the proposals
        String text = Files.readString(m.prototxt());
        List<String> headLayers = List.of("roi_pool5", "fc6", "relu6", "drop6", "fc7", "relu7", "drop7", "cls_score",
                "bbox_pred", "cls_prob");
        Shape conv5 = m.graph().shape("conv5_3");
        String head = "name: \"vgg16_head\"\ninput: \"conv5_3\"\ninput_shape { dim: 1 dim: " + conv5.dim(1) + " dim: "
                + conv5.dim(2) + " dim: " + conv5.dim(3) + " }\ninput: \"rois\"\ninput_shape { dim: " + k
                + " dim: 5 }\n"
                // a ReLU (a no-op on conv5_3's values) tells the ONNX export that the pooled map is non-negative
                + "layer { name: \"relu_in\" type: \"ReLU\" bottom: \"conv5_3\" top: \"conv5_3_pos\" }\n"
                + SegOracleNets.replaceLayers(text.substring(text.indexOf("\nlayer {") + 1),
                        b -> headLayers.stream().anyMatch(n -> b.contains("name: \"" + n + "\"")) ? null : "")
                        .replace("bottom: \"conv5_3\"\n  bottom: \"rois\"", "bottom: \"conv5_3_pos\"\n  bottom: \"rois\"");
        assertTrue(head.contains("bottom: \"conv5_3_pos\"\n  bottom: \"rois\""), head);
        Path headProto = Files.writeString(dir.resolve("vgg16_head.prototxt"), head);
        Map<String, Path> headIn = new LinkedHashMap<>();
        headIn.put("conv5_3", r.blobs().get("conv5_3"));
        headIn.put("rois", dir.resolve("vgg_rois.npy"));
        Npy.write(headIn.get("rois"), rois.shape().dims(), rois.data());
        OpenCvOracle.Result h = OpenCvOracle.forward(headProto, m.weights(), headIn, dir.resolve("opencv_vgg_head"),
                Duration.ofMinutes(10));
        Graph headGraph = CaffeImporter.load(headProto, m.weights()).graph();
        parity.check("vgg16 head on its proposals", headGraph, new ReferenceSet(h.dir(), headIn, h.blobs()), 7);
        for (String b : rowBlobs.subList(1, rowBlobs.size())) {
            BlobResult c = BlobResult.compare(b, ours.get(b).shape(), ours.get(b).data(),
                    Npy.read(h.blobs().get(b)).data(), BackendParity.TOLERANCE);
            assertTrue(c.pass(), "vgg16 end2end reference " + c);
            WORST.merge("vgg16 end2end rows " + b, c.relError(), Math::max);
        }
        ROWS.put("vgg16 end2end reference", k + " proposals, every row compared");
        parity.worst().forEach((key, v) -> WORST.merge(key, v, Math::max));
    }
}
