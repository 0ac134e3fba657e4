package org.senet4j.verify.caffe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.proto.BlobProto;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.io.Npy;
import org.senet4j.verify.InputDistribution;
import org.senet4j.verify.ManifestEntry;

/** Runs real Caffe on a tiny net through the child-process oracle (needs no shared test data). */
class CaffeOracleTest {

    static final String TINY = """
            name: "tiny"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" batch_norm_param { use_global_stats: true } }
            layer { name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" scale_param { bias_term: true } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "relu1" }
            layer { name: "pool1" type: "Pooling" bottom: "relu1" top: "pool1"
                    pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            layer { name: "fc" type: "InnerProduct" bottom: "pool1" top: "fc" inner_product_param { num_output: NOUT } }
            layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
            """;

    @TempDir
    Path dir;

    static Path tinyPrototxt(Path dir, int numOutput) throws IOException {
        Path p = dir.resolve("tiny" + numOutput + ".prototxt");
        Files.writeString(p, TINY.replace("NOUT", Integer.toString(numOutput)));
        return p;
    }

    static Path randomInput(Path file, int[] shape, long seed) throws IOException {
        float[] data = new float[(int) Npy.count(shape)];
        InputDistribution.UNIFORM.fill(seed, data);
        Npy.write(file, shape, data);
        return file;
    }

    @Test
    void writesWeightsAndRunsForward() throws Exception {
        Path proto = tinyPrototxt(dir, 5);
        Path model = dir.resolve("tiny.caffemodel");
        List<ManifestEntry> manifest = CaffeOracle.writeRandomWeights(proto, model, 1);

        List<String> described = new ArrayList<>();
        for (ManifestEntry e : manifest) {
            described.add(e.layerName() + "/" + e.layerType() + "/" + e.blobIndex() + "/"
                    + java.util.Arrays.toString(e.shape()) + "/" + e.count());
        }
        assertEquals(List.of(
                "conv1/Convolution/0/[4, 3, 3, 3]/108", "conv1/Convolution/1/[4]/4",
                "bn1/BatchNorm/0/[4]/4", "bn1/BatchNorm/1/[4]/4", "bn1/BatchNorm/2/[1]/1",
                "scale1/Scale/0/[4]/4", "scale1/Scale/1/[4]/4",
                "fc/InnerProduct/0/[5, 64]/320", "fc/InnerProduct/1/[5]/5"), described);
        ManifestEntry factor = manifest.get(4);
        assertTrue(factor.matches(new int[] {1}, new float[] {1f}), "BatchNorm scale factor is exactly 1");

        // The .caffemodel holds exactly what the manifest describes (read with the project's own protobuf classes).
        Map<String, List<float[]>> weights = readCaffemodel(model, manifest);

        Path input = randomInput(dir.resolve("in.npy"), new int[] {1, 3, 8, 8}, 7);
        Path out = dir.resolve("fwd");
        Map<String, Path> blobs = CaffeOracle.forward(proto, model, Map.of("data", input), out, null, 1);
        assertEquals(List.of("data", "conv1", "relu1", "pool1", "fc", "prob"), List.copyOf(blobs.keySet()));
        Map<String, int[]> expectedShapes = Map.of("data", new int[] {1, 3, 8, 8}, "conv1", new int[] {1, 4, 8, 8},
                "relu1", new int[] {1, 4, 8, 8}, "pool1", new int[] {1, 4, 4, 4}, "fc", new int[] {1, 5},
                "prob", new int[] {1, 5});
        Map<String, Npy.NpyArray> arrays = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : blobs.entrySet()) {
            assertTrue(Files.isRegularFile(e.getValue()), e.getValue().toString());
            Npy.NpyArray a = Npy.read(e.getValue());
            assertArrayEquals(expectedShapes.get(e.getKey()), a.shape(), e.getKey());
            arrays.put(e.getKey(), a);
        }
        assertArrayEquals(Npy.read(input).data(), arrays.get("data").data());
        for (float v : arrays.get("relu1").data()) {
            assertTrue(v >= 0f, "ReLU output " + v);
        }
        assertSoftmaxRows(arrays.get("prob"), 5);

        // MAX pooling and the InnerProduct, recomputed from Caffe's own blobs and the written weights.
        float[] relu = arrays.get("relu1").data();
        float[] pool = arrays.get("pool1").data();
        for (int c = 0; c < 4; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            m = Math.max(m, relu[c * 64 + (2 * y + dy) * 8 + 2 * x + dx]);
                        }
                    }
                    assertEquals(m, pool[c * 16 + y * 4 + x]);
                }
            }
        }
        float[] w = weights.get("fc").get(0);
        float[] b = weights.get("fc").get(1);
        float[] fc = arrays.get("fc").data();
        for (int o = 0; o < 5; o++) {
            double s = b[o];
            for (int k = 0; k < 64; k++) {
                s += (double) w[o * 64 + k] * pool[k];
            }
            assertEquals(s, fc[o], 1e-5 * Math.max(1, Math.abs(s)), "fc[" + o + "]");
        }

        List<LayerInfo> layers = CaffeOracle.readLayers(out);
        assertEquals(8, layers.size());
        assertEquals(new LayerInfo("bn1", "BatchNorm", List.of("conv1"), List.of("conv1")), layers.get(2));
        assertEquals(new LayerInfo("data", "Input", List.of(), List.of("data")), layers.get(0));

        // Selected blobs only; the batch size follows the input file.
        Path input2 = randomInput(dir.resolve("in2.npy"), new int[] {2, 3, 8, 8}, 8);
        Map<String, Path> only = CaffeOracle.forward(proto, model, Map.of("data", input2), dir.resolve("fwd2"),
                Set.of("prob"), 0);
        assertEquals(Set.of("prob"), only.keySet());
        Npy.NpyArray prob2 = Npy.read(only.get("prob"));
        assertArrayEquals(new int[] {2, 5}, prob2.shape());
        assertSoftmaxRows(prob2, 5);
        try (var files = Files.list(dir.resolve("fwd2"))) {
            assertEquals(Set.of("prob.npy", "blobs.tsv", "layers.tsv"),
                    Set.copyOf(files.map(p -> p.getFileName().toString()).toList()));
        }
    }

    @Test
    void makesReferenceSetsAndTimes() throws Exception {
        Path proto = tinyPrototxt(dir, 5);
        CaffeOracle.ReferenceSet ref = CaffeOracle.makeReference(proto, dir.resolve("ref"), null, 3, 2,
                InputDistribution.NORMAL, 11, 1, CaffeOracle.Options.defaults());
        assertTrue(Files.isRegularFile(ref.model()));
        assertEquals(Set.of("data"), ref.inputs().keySet());
        assertEquals("input_data.npy", ref.inputs().get("data").getFileName().toString());
        assertArrayEquals(new int[] {2, 3, 8, 8}, Npy.read(ref.inputs().get("data")).shape());
        assertEquals(6, ref.blobs().size());
        assertEquals(8, ref.layers().size());
        assertSoftmaxRows(Npy.read(ref.blobs().get("prob")), 5);
        assertTrue(Files.isRegularFile(ref.dir().resolve("reference.properties")));

        // Same prototxt and seed: the same weights, whichever command wrote them.
        List<ManifestEntry> again = CaffeOracle.writeRandomWeights(proto, dir.resolve("again.caffemodel"), 3);
        assertEquals(ManifestEntry.read(ref.dir().resolve("model.manifest.tsv")), again);

        TimingResult t = CaffeOracle.time(proto, ref.model(), 2, 1, 3, 1);
        assertEquals(3, t.millis().length);
        assertEquals(2, t.batch());
        assertEquals(1, t.threads());
        assertTrue(t.medianMs() >= 0);
    }

    static void assertSoftmaxRows(Npy.NpyArray prob, int classes) {
        float[] p = prob.data();
        assertEquals(0, p.length % classes);
        for (int r = 0; r < p.length / classes; r++) {
            double s = 0;
            for (int c = 0; c < classes; c++) {
                float v = p[r * classes + c];
                assertTrue(v >= 0f && v <= 1f, "probability " + v);
                s += v;
            }
            assertEquals(1.0, s, 1e-5, "softmax row " + r);
        }
    }

    /**
     * Parses a .caffemodel with the generated protobuf classes and checks every weighted layer against the
     * manifest; returns layer name to blob values.
     */
    static Map<String, List<float[]>> readCaffemodel(Path model, List<ManifestEntry> manifest) throws IOException {
        NetParameter net;
        try (var in = Files.newInputStream(model)) {
            net = NetParameter.parseFrom(in);
        }
        Map<String, List<float[]>> out = new LinkedHashMap<>();
        int i = 0;
        for (LayerParameter layer : net.getLayerList()) {
            if (layer.getBlobsCount() == 0) {
                continue;
            }
            List<float[]> values = new ArrayList<>();
            for (int j = 0; j < layer.getBlobsCount(); j++) {
                BlobProto blob = layer.getBlobs(j);
                float[] data = new float[blob.getDataCount()];
                for (int k = 0; k < data.length; k++) {
                    data[k] = blob.getData(k);
                }
                int[] shape = blob.getShape().getDimList().stream().mapToInt(Long::intValue).toArray();
                ManifestEntry e = manifest.get(i++);
                assertEquals(layer.getName(), e.layerName());
                assertEquals(j, e.blobIndex());
                assertTrue(e.matches(shape, data), "caffemodel blob matches the manifest: " + e);
                values.add(data);
            }
            out.put(layer.getName(), values);
        }
        assertEquals(manifest.size(), i, "every manifest entry is in the caffemodel");
        assertNotNull(out);
        return out;
    }
}
