package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.senet4j.TestData;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;

/** The published SENet prototxts and the real trained models of ../shared (skipped when it is absent). */
class SharedModelsTest {

    /**
     * Totals against the SENet paper's figures (Table 2: GFLOPs counted as multiply-accumulates at 224x224;
     * parameters where the paper or its repository states them). Within 1%.
     */
    @ParameterizedTest
    @CsvSource({
        "SE-ResNet-50,    28.1, 3.87",
        "SE-ResNet-101,   49.3, 7.60",
        "SE-ResNet-152,   66.8, 11.32",
        "SE-ResNeXt-50,   27.6, 4.25",
        "SE-ResNeXt-101,  49.0, 8.00",
        "SE-BN-Inception, 0,    2.04",
        "SENet-154,       0,    20.7",
    })
    void officialSenetsLoadWithPublishedTotals(String name, double mParams, double gMacs) throws Exception {
        Path proto = TestData.requireShared("senet-models/" + name + ".prototxt");
        Graph g = CaffeImporter.load(proto, null).graph();
        assertEquals(List.of("data"), g.inputs());
        assertEquals(Shape.of(1, 1000), g.shape(g.outputs().get(0)));
        double gm = g.macs() / 1e9;
        assertTrue(Math.abs(gm - gMacs) / gMacs < 0.01, name + ": " + gm + " G MACs vs " + gMacs);
        if (mParams > 0) {
            double mp = g.parameterCount() / 1e6;
            assertTrue(Math.abs(mp - mParams) / mParams < 0.01, name + ": " + mp + " M params vs " + mParams);
        }
    }

    @Test
    void seResNet50Pool1Is56() throws Exception {
        Graph g = CaffeImporter.load(TestData.requireShared("senet-models/SE-ResNet-50.prototxt"), null).graph();
        assertEquals(Shape.of(1, 64, 56, 56), g.shape("pool1/3x3_s2"));
        assertEquals(28_088_024L, g.parameterCount());
    }

    @Test
    void thirdPartySeNetsLoad() throws Exception {
        Graph shicai = CaffeImporter.load(TestData.requireShared(
                "senet-models/third-party/shicai_SENet-Caffe/se_resnet_50_v1_deploy.prototxt"), null).graph();
        assertEquals(Shape.of(1, 3, 225, 225), shicai.shape("data"));
        Graph dd = CaffeImporter.load(TestData.requireShared(
                "senet-models/third-party/jolibrain_deepdetect/se_resnet_50.prototxt"), null).graph();
        assertEquals("MemoryData", dd.nodes().get(0).type());
        assertEquals(28_088_024L, dd.parameterCount());
    }

    @ParameterizedTest
    @CsvSource({
        "ethereon_caffe-tensorflow/lenet.prototxt, ethereon_caffe-tensorflow/lenet_iter_10000.caffemodel, 0",
        "kpzhang93_MTCNN_face_detection_alignment/det1.prototxt, "
            + "kpzhang93_MTCNN_face_detection_alignment/det1.caffemodel, 0",
        "kpzhang93_MTCNN_face_detection_alignment/det2.prototxt, "
            + "kpzhang93_MTCNN_face_detection_alignment/det2.caffemodel, 1",
    })
    void trainedModelsLoadAgainstTheirDeployNets(String proto, String model, int ignored) throws Exception {
        Path base = TestData.requireShared("caffe-conformance/trained");
        CaffeModel m = CaffeImporter.load(base.resolve(proto), base.resolve(model));
        assertTrue(m.graph().hasWeights());
        assertEquals(ignored, m.report().ignored().size(), m.report().ignored().toString());
    }
}
