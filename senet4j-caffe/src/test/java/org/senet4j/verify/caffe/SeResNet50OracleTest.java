package org.senet4j.verify.caffe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.io.Npy;
import org.senet4j.verify.ManifestEntry;

/** Real Caffe on the official SE-ResNet-50 prototxt (custom Axpy layer) with random weights; needs ../shared. */
class SeResNet50OracleTest {

    @TempDir
    Path dir;

    @Test
    void randomWeightsKeepEveryBlobTame() throws Exception {
        Path proto = TestData.requireShared("senet-models/SE-ResNet-50.prototxt");

        long t0 = System.nanoTime();
        Path model = dir.resolve("se-resnet-50.caffemodel");
        List<ManifestEntry> manifest = CaffeOracle.writeRandomWeights(proto, model, 2024);
        long t1 = System.nanoTime();
        long params = manifest.stream().mapToLong(ManifestEntry::count).sum();
        assertTrue(manifest.stream().anyMatch(e -> e.layerType().equals("BatchNorm") && e.blobIndex() == 2
                && e.sum() == 1.0), "BatchNorm scale factors are 1");
        CaffeOracleTest.readCaffemodel(model, manifest);
        long t2 = System.nanoTime();

        Path input = CaffeOracleTest.randomInput(dir.resolve("data.npy"), new int[] {1, 3, 224, 224}, 5);
        Map<String, Path> blobs = CaffeOracle.forward(proto, model, Map.of("data", input), dir.resolve("blobs"),
                null, 0);
        long t3 = System.nanoTime();

        assertTrue(blobs.keySet().stream().anyMatch(n -> n.contains("_split_")), "Caffe's split blobs are listed");
        double overallMax = 0;
        String argMax = "";
        for (Map.Entry<String, Path> e : blobs.entrySet()) {
            float[] v = Npy.read(e.getValue()).data();
            double max = 0;
            for (float x : v) {
                assertTrue(Float.isFinite(x), "non-finite value in blob " + e.getKey());
                max = Math.max(max, Math.abs(x));
            }
            assertTrue(max < 1e4, "blob " + e.getKey() + " has max |value| " + max);
            if (max > overallMax) {
                overallMax = max;
                argMax = e.getKey();
            }
        }
        Npy.NpyArray prob = Npy.read(blobs.get("prob"));
        assertEquals(1000, prob.count());
        CaffeOracleTest.assertSoftmaxRows(prob, 1000);
        long t4 = System.nanoTime();

        System.out.printf(Locale.ROOT, "SE-ResNet-50: write-weights %.1f s (%d blobs, %d parameters), "
                        + "caffemodel check %.1f s, forward with %d blobs written %.1f s, blob checks %.1f s; "
                        + "largest |value| %.1f in %s%n",
                (t1 - t0) / 1e9, manifest.size(), params, (t2 - t1) / 1e9, blobs.size(), (t3 - t2) / 1e9,
                (t4 - t3) / 1e9, overallMax, argMax);
    }
}
