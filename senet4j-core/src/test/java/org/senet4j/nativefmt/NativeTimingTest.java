package org.senet4j.nativefmt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Tensor;

/** Write and read speed with random weights, printed (not asserted: machines differ). */
class NativeTimingTest {
    @TempDir
    Path dir;

    @Test
    void seResNet50() throws Exception {
        time("SE-ResNet-50", TestData.requireShared("senet-models/SE-ResNet-50.prototxt"));
    }

    @Test
    void senet154() throws Exception {
        time("SENet-154", TestData.requireShared("senet-models/SENet-154.prototxt"));
    }

    @Test
    void miniSeResNet() throws Exception {
        time("se_resnet_mini", TestData.testdata().resolve("se_resnet_mini.prototxt"));
    }

    private void time(String name, Path prototxt) throws Exception {
        Graph g = NativeFixtures.withRandomWeights(CaffeImporter.load(prototxt, null).graph(), 1);
        Path f = dir.resolve(name + ".senet4j");
        long t0 = System.nanoTime();
        NativeWriter.write(g, f);
        double write = (System.nanoTime() - t0) / 1e9;
        long size = Files.size(f);
        long t1 = System.nanoTime();
        Graph first = NativeReader.read(f);
        double firstRead = (System.nanoTime() - t1) / 1e9;
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            NativeReader.read(f);
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        long t2 = System.nanoTime();
        double sum = touchAll(first);
        double touch = (System.nanoTime() - t2) / 1e9;
        System.out.println(String.format(Locale.ROOT, "[native timing] %s: %d nodes, %,d weights, file %,d bytes "
                + "(header %,d); write %.3f s = %.0f MB/s (fsync included); read to a usable graph: first %.1f ms, "
                + "best of 5 %.1f ms; touching every weight once %.3f s (checksum %.3f)", name, g.nodes().size(),
                g.parameterCount(), size, NativeReader.open(f).header().headerLength(), write, size / write / 1e6,
                firstRead * 1e3, best * 1e3, touch, sum));
        assertTrue(first.hasWeights());
    }

    private static double touchAll(Graph g) {
        double s = 0;
        for (Node n : g.nodes()) {
            for (Tensor t : List.copyOf(n.op().weights().values())) {
                FloatBuffer b = t.data();
                for (int i = 0; i < b.remaining(); i++) {
                    s += b.get(i);
                }
            }
        }
        return s;
    }
}
