package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.CaffemodelWriter;
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
import org.senet4j.passes.Passes;
import org.senet4j.verify.caffe.OpenCvOracle;

/**
 * The R-CNN layers against OpenCV dnn 4.6 (neither BVLC Caffe nor fork-caffe has them), with seeded weights written
 * as a caffemodel that OpenCV loads, every blob within 1e-4 (relative L-infinity) on the reference and CPU engines
 * (passes on and off) and, where ONNX can express the net, ONNX Runtime (folding on and off):
 * <ul>
 *   <li>ROIPooling, two layers of different grids and scales over fixed regions chosen for the corner cases (corners
 *       at .5 after scaling, partly and wholly outside the map, tiny and inverted regions), at batch 1 and 2 (regions
 *       of both images), exported as MaxRoiPool;</li>
 *   <li>PSROIPooling (group sizes 2 and 3, two output dims) at batch 1 and 2; ONNX refuses it, naming the layer;</li>
 *   <li>py-faster-rcnn's proposal layer in a small RPN + Fast R-CNN head: every blob before it, then the proposals
 *       (rows and scores) and the pooled regions, head and probabilities computed from them, row by row against
 *       OpenCV's first rows; ONNX runs the net cut before the proposals. OpenCV's proposal layer has no min-size
 *       filter, so im_info's scale is small enough that no box is filtered (the filter is proven by hand-computed
 *       cases in senet4j-core's RcnnKernelsTest).</li>
 * </ul>
 */
class RcnnParityTest {
    @TempDir
    Path dir;

    private static final Map<String, Double> WORST = new TreeMap<>();

    @AfterAll
    static void report() {
        System.out.println("RcnnParityTest worst relative errors: " + WORST);
    }

    static final String ROI_NET = """
            name: "roi"
            input: "data" input_shape { dim: %d dim: 3 dim: 20 dim: 24 }
            input: "rois" input_shape { dim: %d dim: 5 }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 6 kernel_size: 3 pad: 1 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "roi_a" type: "ROIPooling" bottom: "conv1" bottom: "rois" top: "roi_a"
                    roi_pooling_param { pooled_h: 3 pooled_w: 2 spatial_scale: 0.25 } }
            layer { name: "roi_b" type: "ROIPooling" bottom: "conv1" bottom: "rois" top: "roi_b"
                    roi_pooling_param { pooled_h: 2 pooled_w: 2 spatial_scale: 0.5 } }
            layer { name: "fc" type: "InnerProduct" bottom: "roi_a" top: "fc" inner_product_param { num_output: 4 } }
            layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
            """;

    /** Regions in image coordinates (the map is the image at scale 0.25 for roi_a, 0.5 for roi_b). */
    static final float[][] ROIS = {
        {0, 0, 0, 95, 79},        // the whole map of roi_a
        {0, 2, 2, 10, 10},        // 0.5 and 2.5 after scaling by 0.25 (rounded away from zero: 1 and 3)
        {0, -20, -8, 30, 14},     // partly outside, top left
        {0, 90, 70, 200, 150},    // partly outside, bottom right (wholly outside roi_b's map: empty bins)
        {0, 50, 30, 51, 31},      // tiny
        {0, 6, 6, 6, 6},          // a point (1.5 -> 2 at 0.25, 3 at 0.5)
        {0, 30, 20, 14, 10},      // inverted: one cell
        {0, 3, 5, 41, 33},        // 0.75 / 1.25: rounding up and down
    };

    static final String PS_NET = """
            name: "psroi"
            input: "data" input_shape { dim: %d dim: 3 dim: 12 dim: 14 }
            input: "rois" input_shape { dim: %d dim: 5 }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 18 kernel_size: 3 pad: 1 } }
            layer { name: "ps2" type: "PSROIPooling" bottom: "conv1" bottom: "rois" top: "ps2"
                    psroi_pooling_param { spatial_scale: 0.5 output_dim: 2 group_size: 3 } }
            layer { name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2"
                    convolution_param { num_output: 4 kernel_size: 1 } }
            layer { name: "ps1" type: "PSROIPooling" bottom: "conv2" bottom: "rois" top: "ps1"
                    psroi_pooling_param { spatial_scale: 0.25 output_dim: 1 group_size: 2 } }
            """;

    static final String RPN_NET = org.senet4j.caffe.RcnnNets.rpn(64, 80, 8, "top: \"scores\"", "'feat_stride': 16");

    private record Model(Path prototxt, Path weights, Graph graph) {
    }

    /** The net at this batch size, with weights seeded from its batch-1 form and written as a caffemodel. */
    private Model model(String name, String text, long seed) throws Exception {
        Path proto = Files.writeString(dir.resolve(name + ".prototxt"), text);
        Path weights = dir.resolve(name + ".caffemodel");
        CaffemodelWriter.write(SeededWeights.fill(CaffeImporter.load(proto, null).graph(), seed), weights);
        return new Model(proto, weights, CaffeImporter.load(proto, weights).graph());
    }

    /** The rois of {@link #ROIS} for this batch: at batch 2 every region once on each image. */
    private static float[] rois(int batch, float scale) {
        float[] r = new float[ROIS.length * 5 * batch];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < ROIS.length; i++) {
                int o = (b * ROIS.length + i) * 5;
                r[o] = b;
                for (int k = 1; k < 5; k++) {
                    r[o + k] = ROIS[i][k] * scale;
                }
            }
        }
        return r;
    }

    private Map<String, Path> inputs(int batch, int seed, float roiScale, int h, int w) throws Exception {
        Map<String, Path> in = new LinkedHashMap<>();
        Shape s = Shape.of(batch, 3, h, w);
        Path data = dir.resolve("data_b" + batch + "_" + seed + ".npy");
        Npy.write(data, s.dims(), SeededWeights.input(s, InputDistribution.UNIFORM, seed));
        in.put("data", data);
        Path r = dir.resolve("rois_b" + batch + "_" + seed + ".npy");
        Npy.write(r, new int[] {ROIS.length * batch, 5}, rois(batch, roiScale));
        in.put("rois", r);
        return in;
    }

    private void record(BackendParity p) {
        p.worst().forEach((k, v) -> WORST.merge(k, v, Math::max));
    }

    @Test
    void roiPoolingMatchesOpenCvAndOnnxRuntimesMaxRoiPool() throws Exception {
        BackendParity parity = new BackendParity(dir);
        for (int batch : new int[] {1, 2}) {
            Model m = model("roi" + batch, ROI_NET.formatted(batch, ROIS.length * batch), 31);
            OpenCvOracle.Result r = OpenCvOracle.forward(m.prototxt(), m.weights(), inputs(batch, 40 + batch, 1f, 20,
                    24), dir.resolve("opencv_roi" + batch), Duration.ofMinutes(5));
            assertTrue(r.blobs().keySet().containsAll(List.of("conv1", "roi_a", "roi_b", "prob")),
                    r.blobs().keySet().toString());
            parity.check("opencv roi", m.graph(), new ReferenceSet(r.dir(), r.inputs(), r.blobs()), 5);
        }
        record(parity);
    }

    @Test
    void psRoiPoolingMatchesOpenCvAndOnnxRefusesIt() throws Exception {
        BackendParity parity = new BackendParity(dir);
        for (int batch : new int[] {1, 2}) {
            Model m = model("ps" + batch, PS_NET.formatted(batch, ROIS.length * batch), 32);
            // regions scaled to this smaller image (12 x 14 at 0.5)
            OpenCvOracle.Result r = OpenCvOracle.forward(m.prototxt(), m.weights(), inputs(batch, 50 + batch, 0.3f,
                    12, 14), dir.resolve("opencv_ps" + batch), Duration.ofMinutes(5));
            assertTrue(r.blobs().keySet().containsAll(List.of("conv1", "ps2", "conv2", "ps1")),
                    r.blobs().keySet().toString());
            parity.check("opencv psroi", m.graph(), new ReferenceSet(r.dir(), r.inputs(), r.blobs()), 4, false);
            ModelException e = assertThrows(ModelException.class, () -> OnnxExporter.toModel(m.graph(),
                    ExportOptions.defaults()));
            assertTrue(e.getMessage().contains("\"ps2\" (PSROIPooling)") && e.getMessage().contains("--outputs"),
                    e.getMessage());
        }
        record(parity);
    }

    @Test
    void proposalsAndTheRowsComputedFromThemMatchOpenCv() throws Exception {
        Model m = model("rpn", RPN_NET, 33);
        Map<String, Path> in = new LinkedHashMap<>();
        Shape s = Shape.of(1, 3, 64, 80);
        float[] data = SeededWeights.input(s, InputDistribution.UNIFORM, 61);
        float[] info = {64, 80, 0.01f};
        in.put("data", dir.resolve("rpn_data.npy"));
        in.put("im_info", dir.resolve("rpn_im_info.npy"));
        Npy.write(in.get("data"), s.dims(), data);
        Npy.write(in.get("im_info"), new int[] {1, 3}, info);
        OpenCvOracle.Result r = OpenCvOracle.forward(m.prototxt(), m.weights(), in, dir.resolve("opencv_rpn"),
                Duration.ofMinutes(5));
        List<String> rowBlobs = List.of("rois", "scores", "pool", "fc", "cls_score", "cls_prob", "bbox_pred");
        assertTrue(r.blobs().keySet().containsAll(rowBlobs), r.blobs().keySet().toString());
        // every blob before the proposals, on every backend; ONNX runs the net cut there
        Map<String, Path> before = new LinkedHashMap<>(r.blobs());
        before.keySet().removeAll(rowBlobs);
        Graph cut = GraphCut.upTo(m.graph(), List.of("rpn_cls_prob_reshape", "rpn_bbox_pred"));
        BackendParity parity = new BackendParity(dir);
        parity.check("opencv rpn", cut, new ReferenceSet(r.dir(), in, before), 6);
        record(parity);
        ModelException refused = assertThrows(ModelException.class, () -> OnnxExporter.toModel(m.graph(),
                ExportOptions.defaults()));
        assertTrue(refused.getMessage().contains("\"proposal\" (Python)")
                && refused.getMessage().contains("--outputs rpn_cls_prob_reshape,rpn_bbox_pred"),
                refused.getMessage());
        Map<String, HostTensor> feed = Map.of("data", new HostTensor(s, data), "im_info",
                new HostTensor(Shape.of(1, 3), info));
        ROWS.putAll(compareProposals("opencv proposals", m.graph(), feed, r, rowBlobs, 0.0625f, 10, 180, WORST));
        System.out.println("RcnnParityTest proposals, rows compared after ROI pooling: " + ROWS);
    }

    private static final Map<String, String> ROWS = new TreeMap<>();

    /**
     * Runs {@code g} on the reference and CPU engines (passes on and off) and compares its proposals ({@code rowBlobs}
     * 0 and, where the net exposes them, 1: rois and scores) and the rows computed from them (the rest of
     * {@code rowBlobs}) with OpenCV's first
     * rows (ours are cut to the real proposals, OpenCV's blobs keep its bound of 300 rows). OpenCV decodes
     * {@code x2 = cx + w/2} where py-faster-rcnn's bbox_transform_inv writes {@code cx + w/2 - 1} (the defining
     * source wins): its x2 and y2 are ours + 1 before clipping to the image, {@code min(ours + 1, size - 1)} after (and
     * in [0, 1] where ours is clipped to 0). The rows after ROI pooling (at {@code spatialScale}) are compared where
     * both sides' boxes pool the same cells. Returns, per run, the rows compared.
     */
    static Map<String, String> compareProposals(String what, Graph g, Map<String, HostTensor> feed,
                                                OpenCvOracle.Result r, List<String> rowBlobs, float spatialScale,
                                                int minRows, int maxRows, Map<String, Double> worst)
            throws Exception {
        float[] info = feed.get("im_info").data();
        Map<String, String> rows = new TreeMap<>();
        float[] cvRois = Npy.read(r.blobs().get("rois")).data();
        for (String device : List.of("reference", "cpu")) {
            for (List<String> disabled : List.of(List.<String>of(), List.of("all"))) {
                Map<String, HostTensor> ours;
                try (Engine e = Engines.create(device, Passes.optimize(g, disabled), EngineOptions.DEFAULT)) {
                    ours = e.run(feed, rowBlobs);
                }
                int k = ours.get("rois").shape().dim(0);
                String label = what + " " + device + " passes " + (disabled.isEmpty() ? "on" : "off");
                assertTrue(k >= minRows && k <= maxRows, label + ": " + k + " proposals");
                assertTrue(Arrays.equals(Arrays.copyOfRange(cvRois, k * 5, k * 5 + 5), new float[5]),
                        label + ": OpenCV has more proposals than " + k);
                float[] rois = ours.get("rois").data();
                float[] expected = rois.clone();
                List<Integer> samePool = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    boolean same = true;
                    for (int c = 3; c <= 4; c++) {
                        float size = c == 3 ? info[1] : info[0];
                        float mine = rois[i * 5 + c];
                        float cv = cvRois[i * 5 + c];
                        if (mine == 0) { // clipped at 0: OpenCV's end was below 1 before clipping
                            assertTrue(cv >= 0 && cv <= 1, label + ": row " + i + " " + cv);
                            expected[i * 5 + c] = cv;
                        } else {
                            expected[i * 5 + c] = Math.min(mine + 1, size - 1);
                        }
                        same &= Math.round(mine * spatialScale) == Math.round(cv * spatialScale);
                    }
                    if (same) {
                        samePool.add(i);
                    }
                }
                compare(label, "rois", ours.get("rois").shape(), expected, cvRois, worst);
                int rowsFrom = 1;
                if (rowBlobs.get(1).equals("scores")) {
                    compare(label, "scores", ours.get("scores").shape(), ours.get("scores").data(),
                            Npy.read(r.blobs().get("scores")).data(), worst);
                    rowsFrom = 2;
                }
                // the rows computed from the proposals, where OpenCV's wider box pools the same cells
                assertTrue(samePool.size() >= k / 2, label + ": " + samePool.size() + " of " + k);
                for (String b : rowBlobs.subList(rowsFrom, rowBlobs.size())) {
                    HostTensor t = ours.get(b);
                    assertEquals(k, t.shape().dim(0), label + " " + b);
                    int per = t.data().length / k;
                    float[] cv = Npy.read(r.blobs().get(b)).data();
                    float[] mine = new float[samePool.size() * per];
                    float[] theirs = new float[mine.length];
                    for (int j = 0; j < samePool.size(); j++) {
                        System.arraycopy(t.data(), samePool.get(j) * per, mine, j * per, per);
                        System.arraycopy(cv, samePool.get(j) * per, theirs, j * per, per);
                    }
                    compare(label, b, t.shape().with(0, samePool.size()), mine, theirs, worst);
                }
                rows.put(label, samePool.size() + " of " + k + " rows");
            }
        }
        return rows;
    }

    private static void compare(String label, String blob, Shape shape, float[] ours, float[] opencv,
                                Map<String, Double> worst) {
        BlobResult c = BlobResult.compare(blob, shape, ours, Arrays.copyOf(opencv, ours.length),
                BackendParity.TOLERANCE);
        assertTrue(c.pass(), label + ": " + c);
        worst.merge(label.substring(0, label.indexOf(" passes")) + " " + blob, c.relError(), Math::max);
    }

    /** Row counts no oracle fixes: the bound ({@code 9 x 4 x 5 = 180} anchors, under post_nms_topN 300). */
    @Test
    void theProposalBoundIsTheCandidateCount() throws Exception {
        Graph g = CaffeImporter.load(Files.writeString(dir.resolve("b.prototxt"), RPN_NET), null).graph();
        assertEquals(Shape.of(180, 5), g.shape("rois"));
        assertEquals(Shape.of(180, 3), g.shape("cls_prob"));
        assertEquals(Shape.of(180, 8, 2, 2), g.shape("pool"));
    }
}
