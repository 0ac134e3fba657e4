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
import org.senet4j.caffe.CaffemodelWriter;
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
 * proposals and their scores as RcnnParityTest compares them).
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

    private record Model(Path prototxt, Path weights, Graph graph) {
    }

    private Model model(String file, String name, Map<String, String> replace) throws Exception {
        String text = Files.readString(TestData.requireShared(ZOO + file));
        for (Map.Entry<String, String> e : replace.entrySet()) {
            assertTrue(text.contains(e.getKey()), e.getKey());
            text = text.replace(e.getKey(), e.getValue());
        }
        Path proto = Files.writeString(dir.resolve(name + ".prototxt"), text);
        Path weights = dir.resolve(name + ".caffemodel");
        CaffemodelWriter.write(SeededWeights.fill(CaffeImporter.load(proto, null).graph(), 2024), weights);
        return new Model(proto, weights, CaffeImporter.load(proto, weights).graph());
    }

    private static final String SIZE = "  dim: 224\n  dim: 224";
    private static final String SMALL = "  dim: 128\n  dim: 160";

    @Test
    void zfFastRcnnWithRoisInput() throws Exception {
        Model m = model("models__pascal_voc__ZF__fast_rcnn__test.prototxt", "zf_fast_rcnn", Map.of(SIZE, SMALL,
                "dim: 1 # to be changed on-the-fly to num ROIs", "dim: 6"));
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
        Model m = model("models__pascal_voc__ZF__faster_rcnn_alt_opt__rpn_test.pt", "zf_rpn", Map.of(SIZE, SMALL));
        Shape s = Shape.of(1, 3, 128, 160);
        float[] data = SeededWeights.input(s, InputDistribution.UNIFORM, 72);
        // OpenCV's proposal layer has no min-size filter: an image scale small enough that no box is filtered
        float[] info = {128, 160, 0.01f};
        Map<String, Path> in = new LinkedHashMap<>();
        in.put("data", dir.resolve("rpn_data.npy"));
        in.put("im_info", dir.resolve("rpn_im_info.npy"));
        Npy.write(in.get("data"), s.dims(), data);
        Npy.write(in.get("im_info"), new int[] {1, 3}, info);
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
}
