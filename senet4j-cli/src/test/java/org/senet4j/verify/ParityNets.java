package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.CaffemodelWriter;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.verify.caffe.ForkCaffe;

/** What the layer and zoo parity tests share: the fork's home, seeded test nets, their inputs, output checks. */
final class ParityNets {
    private ParityNets() {
    }

    /** fork-caffe's installation; the test is skipped without it. */
    static Path forkHome() {
        TestData.requireShared("fork-caffe/bin/caffe-run");
        java.util.Optional<Path> home = ForkCaffe.home();
        assumeTrue(home.isPresent(), "fork-caffe not found");
        return home.get();
    }

    /** The prototxt, its graph with seeded weights, and those weights written as a caffemodel. */
    record Model(Path prototxt, Path weights, Graph graph) {
    }

    static Model seeded(Path dir, String name, String text, long seed) throws Exception {
        Path proto = Files.writeString(dir.resolve(name + ".prototxt"), text);
        Path weights = dir.resolve(name + ".caffemodel");
        CaffemodelWriter.write(SeededWeights.fill(CaffeImporter.load(proto, null).graph(), seed), weights);
        return new Model(proto, weights, CaffeImporter.load(proto, weights).graph());
    }

    /** Seeded uniform inputs of {@code g} at this batch size, as .npy files in {@code dir}. */
    static Map<String, Path> inputs(Path dir, Graph g, int batch, long seed) throws Exception {
        Map<String, Path> inputs = new LinkedHashMap<>();
        for (String in : g.inputs()) {
            Shape s = g.shape(in).with(0, batch);
            Path f = dir.resolve(in + "_b" + batch + "_" + seed + ".npy");
            Npy.write(f, s.dims(), SeededWeights.input(s, InputDistribution.UNIFORM, seed));
            inputs.put(in, f);
        }
        return inputs;
    }

    /**
     * Asserts that an oracle's output blob is finite and not constant (tame weights keep the activations in range);
     * returns its shape and range for the report.
     */
    static String outputRange(String blob, Path file) throws Exception {
        Npy.NpyArray a = Npy.read(file);
        double max = -Double.MAX_VALUE;
        double min = Double.MAX_VALUE;
        for (float x : a.data()) {
            assertTrue(Float.isFinite(x), blob);
            max = Math.max(max, x);
            min = Math.min(min, x);
        }
        assertTrue(max - min > 1e-6 * Math.max(1, Math.abs(max)), blob + " is constant: " + max);
        return String.format(java.util.Locale.ROOT, "%s in [%.4g, %.4g]", Shape.of(a.shape()), min, max);
    }
}
