package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.cli.CliRunner;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.verify.caffe.CaffeOracle;

/**
 * The zoo models that ship trained weights and use only BVLC layer types (RetinaFace's mnet, VDSR, the two
 * face-detection FCN nets): {@code verify --caffe} through the CLI passes against real Caffe at batch 2, and on a
 * real-Caffe reference set with the trained weights every blob matches on the reference engine, the CPU engine
 * (passes on and off) and ONNX Runtime running the export (folding on and off). Input planes are made smaller where
 * the net allows it (FCNs), to keep the suite fast; {@code --input-shape} reaches Caffe too.
 */
class ZooTrainedModelsTest {
    @TempDir
    Path dir;

    private static final Map<String, Double> WORST = new java.util.TreeMap<>();

    @AfterAll
    static void report() {
        System.out.println("ZooTrainedModelsTest worst relative errors: " + WORST);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Charrin_RetinaFace-Cpp/convert_models__mnet__mnet.prototxt | Charrin_RetinaFace-Cpp/convert_models__mnet__mnet.caffemodel | data | 1,3,192,160 | 60",
        "huangzehao_caffe-vdsr/Train__VDSR_net_deploy.prototxt | huangzehao_caffe-vdsr/Train__VDSR_Adam.caffemodel | data | 1,1,40,36 | 20",
        "ElegantGod_face-detection-FCN/deploy.prototxt | ElegantGod_face-detection-FCN/models__face.caffemodel | data | 1,3,48,48 | 10",
        "ElegantGod_face-detection-FCN/deploy_fcn.prototxt | ElegantGod_face-detection-FCN/models__face_fcn.caffemodel | data | 1,3,80,64 | 9"})
    void trainedWeightsMatchRealCaffe(String prototxt, String caffemodel, String input, String shape, int minBlobs)
            throws Exception {
        Path proto = TestData.requireShared("caffe-zoo/" + prototxt);
        Path weights = TestData.requireShared("caffe-zoo/" + caffemodel);
        CliRunner.Result r = CliRunner.run("verify", proto.toString(), weights.toString(), "--caffe", "--batch", "2",
                "--input-shape", input + "=" + shape);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("PASS: "), r.out());

        String[] d = shape.split(",");
        int[] dims = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            dims[i] = Integer.parseInt(d[i]);
        }
        CaffeOracle.ReferenceSet caffe = CaffeOracle.makeReference(proto, dir.resolve("ref"), weights, 1, 1,
                InputDistribution.UNIFORM, 7, 2, CaffeOracle.Options.defaults().withInputShapes(Map.of(input,
                        java.util.Arrays.stream(dims).boxed().toList())));
        Graph g = CaffeImporter.load(proto, weights, new CaffeImporter.Options(false, Map.of(input, Shape.of(dims))))
                .graph();
        BackendParity parity = new BackendParity(dir);
        try {
            parity.check(prototxt, g, new ReferenceSet(caffe.dir(), caffe.inputs(), caffe.blobs()), minBlobs);
        } finally {
            WORST.putAll(parity.worst());
        }
    }
}
