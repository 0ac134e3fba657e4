package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.engine.ref.RcnnKernels;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Proposal;
import org.senet4j.ir.op.PsRoiPooling;
import org.senet4j.ir.op.RoiPooling;
import org.senet4j.verify.InputDistribution;
import org.senet4j.verify.SeededWeights;

/**
 * The R-CNN layers in the importer: ROIPooling's and PSROIPooling's parameters, py-faster-rcnn's Python proposal layer
 * (its param_str, its TEST configuration, batch 1 only) while other Python layers stay unsupported, errors naming
 * layer, type and field, and the engines' cut of the proposals and of every value computed row by row from them.
 */
class RcnnLayersTest {
    @TempDir
    Path dir;

    private Path write(String text) throws Exception {
        return Fixtures.write(dir, "net.prototxt", text);
    }

    private Graph load(String text) throws Exception {
        return CaffeImporter.load(write(text), null).graph();
    }

    private static String net(String tops, String paramStr) {
        return RcnnNets.rpn(48, 64, 4, tops, paramStr);
    }

    private ModelException refused(String text) {
        return assertThrows(ModelException.class, () -> load(text));
    }

    private static void mentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "\"" + p + "\" in: " + e.getMessage());
        }
    }

    @Test
    void theProposalLayerImportsWithPyFasterRcnnsTestConfiguration() throws Exception {
        Graph g = load(net("top: \"scores\"", "'feat_stride': 16"));
        Proposal p = (Proposal) g.node("proposal").op();
        assertEquals(new Proposal(16, 16, List.of(0.5f, 1f, 2f), List.of(8f, 16f, 32f), 6000, 300, 0.7f, 16f, 2), p);
        // 3 x 4 cells x 9 anchors = 108 candidates bound the rows
        assertEquals(Shape.of(108, 5), g.shape("rois"));
        assertEquals(Shape.of(108, 1), g.shape("scores"));
        assertEquals(Shape.of(108, 4, 2, 2), g.shape("pool"));
        assertEquals(new RoiPooling(2, 2, 0.0625f), g.node("roi_pool").op());
        Graph s = load(net("", "{'feat_stride': 16, 'scales': [4, 8], 'ratios': (1,)}")
                .replace("num_output: 18", "num_output: 4").replace("num_output: 36", "num_output: 8")
                .replace("dim: 18", "dim: 4"));
        assertEquals(List.of(4f, 8f), ((Proposal) s.node("proposal").op()).scales());
        assertEquals(List.of(1f), ((Proposal) s.node("proposal").op()).ratios());
        assertEquals(1, ((Proposal) s.node("proposal").op()).tops());
    }

    @Test
    void otherPythonLayersStayUnsupported() throws Exception {
        String other = net("", "'feat_stride': 16").replace("rpn.proposal_layer", "rpn.anchor_target_layer");
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> CaffeImporter.load(write(other), null));
        assertEquals(Map.of("Python (rpn.anchor_target_layer.ProposalLayer)", List.of("proposal")),
                e.report().unsupportedTypes());
    }

    @Test
    void badParametersNameLayerTypeAndField() {
        mentions(refused(net("", "'stride': 16")), "\"proposal\"", "(Python)", "python_param.param_str",
                "feat_stride");
        mentions(refused(net("", "'feat_stride': 16, 'foo': 1")), "python_param.param_str", "[foo]");
        mentions(refused(net("", "'feat_stride': -4")), "python_param.param_str", "positive");
        mentions(refused(net("", "'feat_stride': 16, 'scales': [8, x]")), "'scales'");
        mentions(refused(net("top: \"a\" top: \"b\"", "'feat_stride': 16")), "(Python)", "top");
        mentions(refused(net("", "'feat_stride': 16").replace("dim: 18", "dim: 6").replace("num_output: 18",
                "num_output: 6")), "(Python)", "bottom[0]", "18 score channels");
        mentions(refused(net("", "'feat_stride': 16").replace("input_shape { dim: 1 dim: 3 }",
                "input_shape { dim: 1 dim: 2 }")), "bottom[2]", "im_info");
        mentions(refused(net("", "'feat_stride': 16").replace("pooled_w: 2 ", "")), "\"roi_pool\"", "(ROIPooling)",
                "roi_pooling_param.pooled_w");
        mentions(refused(net("", "'feat_stride': 16").replace("spatial_scale: 0.0625", "spatial_scale: 0")),
                "roi_pooling_param.spatial_scale");
        mentions(refused(net("", "'feat_stride': 16").replace("bottom: \"conv\" bottom: \"rois\"",
                "bottom: \"conv\"")), "(ROIPooling)", "bottom", "2 bottoms");
        mentions(refused(net("", "'feat_stride': 16").replace("bottom: \"conv\" bottom: \"rois\"",
                "bottom: \"conv\" bottom: \"conv\"")), "(ROIPooling)", "bottom[1]", "R x 5");
    }

    @Test
    void batchTwoIsRefusedByTheProposalLayer() throws Exception {
        Graph g = load(net("", "'feat_stride': 16"));
        ModelException e = assertThrows(ModelException.class, () -> g.withBatchSize(2));
        mentions(e, "\"proposal\"", "only batch 1");
    }

    @Test
    void fastRcnnsDropoutWithoutScaleTrainScalesAtTestTime() throws Exception {
        String net = """
                input: "x" input_shape { dim: 1 dim: 4 }
                layer { name: "d" type: "Dropout" bottom: "x" top: "x" dropout_param { dropout_ratio: 0.3 %s } }
                """;
        // caffe-fast-rcnn's dropout_layer.cpp: scale_ = 1 / (1 - ratio), and at test y = x / scale_ (in float)
        float scale = (float) (1.0 / (1.0 - 0.3f));
        assertEquals(new org.senet4j.ir.op.Power(1f, (float) (1.0 / scale), 0f),
                load(net.formatted("scale_train: false")).node("d").op());
        assertEquals(new org.senet4j.ir.op.Dropout(0.3f), load(net.formatted("scale_train: true")).node("d").op());
        assertEquals(new org.senet4j.ir.op.Dropout(0.3f), load(net.formatted("")).node("d").op());
        mentions(refused(net.formatted("scale_train: false").replace("0.3", "1")), "\"d\"", "(Dropout)",
                "dropout_param.dropout_ratio");
        assertEquals(0.7f, (float) (1.0 / scale), 1e-7f);
    }

    @Test
    void onnxExportsRoiPoolingOnlyOnANonNegativeMap() throws Exception {
        String net = """
                input: "x" input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }
                input: "rois" input_shape { dim: 4 dim: 5 }
                layer { name: "conv" type: "Convolution" bottom: "x" top: "conv" convolution_param { num_output: 2 kernel_size: 1 } }
                %s
                layer { name: "roi" type: "ROIPooling" bottom: "conv" bottom: "rois" top: "roi"
                        roi_pooling_param { pooled_h: 2 pooled_w: 2 spatial_scale: 0.5 } }
                """;
        Graph relu = SeededWeights.fill(load(net.formatted(
                "layer { name: \"relu\" type: \"ReLU\" bottom: \"conv\" top: \"conv\" }")), 1);
        for (boolean fold : new boolean[] {true, false}) {
            var model = org.senet4j.onnx.OnnxExporter.toModel(relu,
                    org.senet4j.onnx.ExportOptions.defaults().withFold(fold));
            assertTrue(model.getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("MaxRoiPool")),
                    "fold " + fold);
        }
        Graph plain = SeededWeights.fill(load(net.formatted("")), 1);
        ModelException e = assertThrows(ModelException.class, () -> org.senet4j.onnx.OnnxExporter.toModel(plain,
                org.senet4j.onnx.ExportOptions.defaults()));
        mentions(e, "\"roi\" (ROIPooling)", "MaxRoiPool", "--outputs conv,rois");
    }

    static final String PS = """
            name: "ps"
            input: "x" input_shape { dim: 2 dim: 8 dim: 5 dim: 5 }
            input: "rois" input_shape { dim: 3 dim: 5 }
            layer { name: "ps" type: "PSROIPooling" bottom: "x" bottom: "rois" top: "y"
                    psroi_pooling_param { spatial_scale: 0.5 output_dim: 2 group_size: 2 } }
            """;

    @Test
    void psRoiPoolingNeedsAllThreeFields() throws Exception {
        Graph g = load(PS);
        assertEquals(new PsRoiPooling(0.5f, 2, 2), g.node("ps").op());
        assertEquals(Shape.of(3, 2, 2, 2), g.shape("y"));
        mentions(refused(PS.replace("spatial_scale: 0.5 ", "")), "\"ps\"", "(PSROIPooling)",
                "psroi_pooling_param.spatial_scale", "missing");
        mentions(refused(PS.replace("output_dim: 2 ", "")), "psroi_pooling_param.output_dim");
        mentions(refused(PS.replace("group_size: 2", "group_size: 0")), "psroi_pooling_param.group_size");
        mentions(refused(PS.replace("output_dim: 2", "output_dim: 3")), "psroi_pooling_param.output_dim",
                "channels");
    }

    @Test
    void enginesCutTheProposalsAndTheRowsComputedFromThem() throws Exception {
        Graph g = SeededWeights.fill(load(net("top: \"scores\"", "'feat_stride': 16")), 3);
        float[] x = SeededWeights.input(Shape.of(1, 3, 48, 64), InputDistribution.UNIFORM, 2);
        float[] info = {48, 64, 0.5f};
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(1, 3, 48, 64), x),
                "im_info", new HostTensor(Shape.of(1, 3), info));
        Map<String, HostTensor> all;
        Map<String, HostTensor> only;
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            all = e.run(in, List.of("rpn_cls_prob_reshape", "rpn_bbox_pred", "conv", "rois", "scores", "pool",
                    "cls_prob"));
            only = e.run(in, List.of("cls_prob"));
        }
        int k = all.get("rois").shape().dim(0);
        assertTrue(k > 0 && k < 108, "some proposals, fewer than the bound: " + k);
        assertEquals(Shape.of(k, 5), all.get("rois").shape());
        assertEquals(Shape.of(k, 1), all.get("scores").shape());
        assertEquals(Shape.of(k, 4, 2, 2), all.get("pool").shape());
        assertEquals(Shape.of(k, 3), all.get("cls_prob").shape());
        assertEquals(Shape.of(k, 3), only.get("cls_prob").shape(), "cut also when the proposals are not requested");
        assertArrayEquals(all.get("cls_prob").data(), only.get("cls_prob").data());
        // the kernels on the requested blobs give the same rows
        Proposal p = (Proposal) g.node("proposal").op();
        float[] rois = new float[108 * 5];
        float[] scores = new float[108];
        RcnnKernels.proposal(p, g.shape("rpn_cls_prob_reshape"), all.get("rpn_cls_prob_reshape").data(),
                all.get("rpn_bbox_pred").data(), info, rois, scores);
        assertArrayEquals(Arrays.copyOf(rois, k * 5), all.get("rois").data());
        assertEquals(-1f, rois[k * 5], "padding after the real rows");
        float[] pooled = new float[k * 16];
        RcnnKernels.roiPooling((RoiPooling) g.node("roi_pool").op(), g.shape("conv"), all.get("conv").data(),
                all.get("rois").data(), k, pooled);
        assertArrayEquals(pooled, all.get("pool").data());
        for (int i = 1; i < k; i++) {
            assertTrue(all.get("scores").data()[i - 1] >= all.get("scores").data()[i], "scores descend");
        }
    }
}
