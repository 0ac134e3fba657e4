package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.senet4j.TestData;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Tensor;
import org.senet4j.verify.caffe.CaffeOracle;
import org.senet4j.verify.ManifestEntry;

/**
 * Caffemodels written by real Caffe load with every blob exactly as Caffe wrote it (checked through the CRC-32 and
 * sum Caffe's side recorded), and the project's caffe.proto re-serialises them byte for byte.
 */
class RealCaffeWeightsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"se_resnet_mini", "se_resnext_mini", "se_inception_mini", "ops_zoo"})
    void testdataWeightsMatchCaffesManifest(String net) throws Exception {
        Path base = TestData.testdata();
        CaffeModel m = CaffeImporter.load(base.resolve(net + ".prototxt"), base.resolve(net + "/model.caffemodel"));
        checkAgainstManifest(m.graph(), ManifestEntry.read(base.resolve(net + "/model.manifest.tsv")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"se_resnet_mini", "ops_zoo"})
    void caffeProtoReserialisesCaffesBytesExactly(String net) throws Exception {
        byte[] written = Files.readAllBytes(TestData.testdata().resolve(net + "/model.caffemodel"));
        byte[] again = NetParameter.parseFrom(written).toByteArray();
        assertArrayEquals(written, again, "re-serialised " + net + " differs");
        assertTrue(NetParameter.parseFrom(written).getUnknownFields().asMap().isEmpty(), "unknown fields");
    }

    static void checkAgainstManifest(Graph g, List<ManifestEntry> manifest) {
        int checked = 0;
        for (ManifestEntry e : manifest) {
            Node n = g.node(e.layerName());
            List<Tensor> blobs = new ArrayList<>(n.op().weights().values());
            Tensor t = blobs.get(e.blobIndex());
            float[] v = t.toArray();
            assertEquals(e.count(), v.length, e.layerName());
            assertEquals(e.crc32(), ManifestEntry.crc32(v), e.layerName() + " blob " + e.blobIndex());
            assertEquals(e.sum(), ManifestEntry.sum(v), e.layerName() + " blob " + e.blobIndex());
            checked++;
        }
        assertEquals(manifest.size(), checked);
    }

    /**
     * SENet-154 (about 460 MB of weights written by real Caffe): every blob equal to Caffe's, with load throughput
     * and the heap taken by the load printed (the README's figures come from {@code senet4j bench --load}).
     */
    @Test
    void senet154WeightsFromRealCaffe() throws Exception {
        Path proto = TestData.requireShared("senet-models/SENet-154.prototxt");
        Path model = dir.resolve("senet154.caffemodel");
        List<ManifestEntry> manifest = CaffeOracle.writeRandomWeights(proto, model, 154);
        long size = Files.size(model);
        assertTrue(size > 400_000_000L, "file is " + size + " bytes");
        System.gc();
        long before = usedHeap();
        resetPeaks();
        long t0 = System.nanoTime();
        CaffeModel m = CaffeImporter.load(proto, model);
        double s = (System.nanoTime() - t0) / 1e9;
        long peak = peakHeap() - before;
        System.out.printf(Locale.ROOT, "SENet-154: %d bytes in %.2f s = %.0f MB/s; %d weight bytes; heap peak %.2fx%n",
                size, s, size / 1e6 / s, m.report().weightBytes(), (double) peak / m.report().weightBytes());
        checkAgainstManifest(m.graph(), manifest);
        Files.delete(model);
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

}
