package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.senet4j.TestData;
import org.senet4j.ir.Graph;
import org.senet4j.verify.caffe.CaffeOracleException;
import org.senet4j.verify.caffe.ForkCaffe;
import org.senet4j.verify.caffe.OpenCvOracle;

/**
 * Whole mobile nets of ../shared/caffe-zoo with seeded random weights (written as a caffemodel the oracle loads)
 * against a whole-net oracle on every blob both sides have, relative L-infinity error at most 1e-4, at batch 1 and 2:
 * the reference and CPU engines (passes on and off) and ONNX Runtime running the export (folding on and off).
 * fork-caffe where it has every layer (MobileNet v2, MobileFaceNet with its DepthwiseConvolution and PReLU), else
 * OpenCV dnn (ShuffleNet v1 and v2: ShuffleChannel and ConvolutionDepthwise, which fork-caffe lacks).
 */
class MobileZooParityTest {
    @TempDir
    Path dir;

    private static final ZooReport REPORT = new ZooReport("mobile-zoo");

    @AfterAll
    static void report() {
        REPORT.print();
    }

    @ParameterizedTest(name = "{0} against {1}")
    @CsvSource({
        "farmingyard_ShuffleNet/shufflenet_1x_g3_deploy.prototxt, opencv, 31",
        "farmingyard_ShuffleNet/shufflenet_v2_1x_deploy.prototxt, opencv, 32",
        "shicai_MobileNet-Caffe/mobilenet_v2_deploy.prototxt, fork-caffe, 33",
        "KaleidoZhouYN_mobilefacenet-caffe/proto__deploy.prototxt, fork-caffe, 34"})
    void seededNetMatchesTheOracleOnEveryBlob(String file, String oracle, long seed) throws Exception {
        String name = Path.of(file).getFileName().toString();
        String text = Files.readString(TestData.requireShared("caffe-zoo/" + file));
        Path home = oracle.equals("fork-caffe") ? ParityNets.forkHome() : null;
        ParityNets.Model m = ParityNets.seeded(dir, "seeded", text, seed);
        Path proto = m.prototxt();
        Path weights = m.weights();
        Graph g = m.graph();
        BackendParity parity = new BackendParity(dir);
        int compared = 0;
        for (int batch : new int[] {1, 2}) {
            Map<String, Path> inputs = ParityNets.inputs(dir, g, batch, seed + batch);
            ReferenceSet ref;
            if (home != null) {
                ForkCaffe.Result r;
                try {
                    r = ForkCaffe.forward(home, proto, weights, 0, inputs, dir.resolve("fork" + batch),
                            Duration.ofMinutes(10));
                } catch (CaffeOracleException e) {
                    assumeTrue(System.getenv("CI") != null || !e.getMessage().contains("cannot open shared object"),
                            "fork-caffe's runtime libraries are missing");
                    throw e;
                }
                ref = new ReferenceSet(r.dir(), r.inputs(), r.blobs());
            } else {
                OpenCvOracle.Result r = OpenCvOracle.forward(proto, weights, inputs, dir.resolve("opencv" + batch),
                        Duration.ofMinutes(10));
                ref = new ReferenceSet(r.dir(), r.inputs(), r.blobs());
            }
            // half of the net's blob names: passes fold BatchNorm/Scale away, in-place layers share a name
            int minBlobs = (int) g.values().keySet().stream().filter(v -> !v.contains("@")).count() / 2;
            parity.check(file, g, ref, minBlobs);
            compared = Math.max(compared, ref.blobs().size());
            if (batch == 1) {
                // tame weights keep the activations in range: the outputs vary and are finite
                REPORT.outputRanges(name, g, ref);
            }
        }
        REPORT.put(name + " (" + oracle + ", " + compared + " oracle blobs)", parity.worst());
        assertTrue(!parity.worst().isEmpty());
    }
}
