package org.senet4j.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.senet4j.ModelException;
import org.senet4j.TestData;
import org.senet4j.classify.ColourNet;
import org.senet4j.cli.CliRunner;
import org.senet4j.engine.HostTensor;
import org.senet4j.io.Npy;
import org.senet4j.labels.ClassLabels;
import org.senet4j.labels.ClassOrder;
import org.senet4j.labels.LabelFileException;
import org.senet4j.preprocess.Preprocessing;
import org.senet4j.api.nd4j.INDArrays;

/** The facade against the testdata net's Caffe reference, and classification with labels. */
class SessionTest {
    @TempDir
    Path dir;

    static final Path TD = TestData.testdata();

    private static Model mini() throws Exception {
        return Model.load(TD.resolve("se_resnet_mini.prototxt"), TD.resolve("se_resnet_mini/model.caffemodel"));
    }

    @Test
    void arraysBuffersAndNd4jGiveCaffesOutput() throws Exception {
        Npy.NpyArray in = Npy.read(TD.resolve("se_resnet_mini/input_data.npy"));
        float[] ref = Npy.read(TD.resolve("se_resnet_mini/blobs/prob.npy")).data();
        try (Session s = mini().newSession()) {
            assertEquals("cpu", s.device());
            float[] out = s.run(in.data());
            assertArrayEquals(ref, out, 1e-5f);
            FloatBuffer buf = FloatBuffer.allocate(in.data().length + 5);
            buf.position(5);
            buf.put(in.data()).position(5);
            HostTensor viaBuffer = s.run(buf, "prob").get("prob");
            assertEquals(5, buf.position(), "the buffer's position is kept");
            assertArrayEquals(ref, viaBuffer.data(), 1e-5f);
            long[] shape = java.util.Arrays.stream(in.shape()).asLongStream().toArray();
            INDArray x = Nd4j.create(in.data(), shape, 'c');
            Map<String, INDArray> nd = INDArrays.run(s, x);
            INDArray prob = nd.get("prob");
            assertArrayEquals(new long[] {2, 10}, prob.shape());
            assertArrayEquals(ref, prob.dup('c').data().asFloat(), 1e-5f);
            // a strided view and another data type work too
            INDArray view = Nd4j.create(in.data(), shape, 'c').castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                    .permute(0, 1, 3, 2).permute(0, 1, 3, 2);
            assertArrayEquals(ref, INDArrays.run(s, view).get("prob").dup('c').data().asFloat(), 1e-5f);
            assertThrows(IllegalArgumentException.class, () -> s.run(new float[10]));
            assertThrows(ModelException.class, () -> s.blobs(in.data(), "no-such-blob"));
        }
    }

    @Test
    void namedBlobsNeedThePassesOffWhenFolded() throws Exception {
        Npy.NpyArray in = Npy.read(TD.resolve("se_resnet_mini/input_data.npy"));
        float[] ref = Npy.read(TD.resolve("se_resnet_mini/blobs/conv2_1_global_pool.npy")).data();
        try (Session s = mini().newSession(SessionOptions.DEFAULT.withAllBlobs())) {
            Map<String, HostTensor> b = s.blobs(in.data(), "conv1@conv1/bn", "conv2_1_global_pool");
            assertEquals("2x16x18x18", b.get("conv1@conv1/bn").shape().toString());
            assertArrayEquals(ref, b.get("conv2_1_global_pool").data(), 1e-4f);
        }
        try (Session s = mini().newSession()) {
            assertThrows(ModelException.class, () -> s.blobs(in.data(), "conv1@conv1/bn"),
                    "folded away by the passes");
        }
    }

    @Test
    void classifiesImagesWithLabels() throws Exception {
        Path[] net = ColourNet.write(dir);
        Path images = java.nio.file.Files.createDirectories(dir.resolve("images"));
        Map<String, String> kinds = ColourNet.writeAllKinds(images);
        ClassLabels labels = ClassLabels.read(ColourNet.writeMadeUpLabels(dir.resolve("map_clsloc.txt")));
        Model model = Model.load(net[0], net[1]).withPreprocessing(Preprocessing.fromJson(ColourNet.PREPROCESSING))
                .withLabels(labels);
        List<Path> files = kinds.keySet().stream().map(images::resolve).toList();
        try (Session s = model.newSession(SessionOptions.DEFAULT.withBatchSize(4))) {
            List<Classification> results = s.classify(files, 3);
            assertEquals(files.size(), results.size());
            for (int i = 0; i < files.size(); i++) {
                int index = ColourNet.CLASS.get(kinds.get(files.get(i).getFileName().toString()));
                Prediction best = results.get(i).best();
                assertEquals(files.get(i).toString(), results.get(i).source());
                assertEquals(index, best.index());
                assertEquals(ColourNet.madeUpWnid(index + 1), best.wnid());
                assertEquals("class " + (index + 1), best.name());
                assertEquals(3, results.get(i).top().size());
            }
            Classification red = s.classify(ColourNet.rgb("red", 30, 30), 2);
            assertNull(red.source());
            assertTrue(red.best().toString().endsWith(ColourNet.madeUpWnid(1) + " class 1"), red.best().toString());
        }
        Model sortedOnly = Model.load(net[0], net[1]).withClassOrder(ClassOrder.SORTED);
        ClassLabels sorted = ClassLabels.read(java.nio.file.Files.writeString(dir.resolve("words.txt"),
                "n01440764 tench\n" + madeUpSortedTail()));
        Model withSorted = sortedOnly.withLabels(sorted);
        assertThrows(LabelFileException.class, () -> withSorted.withClassOrder(ClassOrder.DEVKIT));
    }

    /** 999 more sorted WordNet IDs after n01440764. */
    private static String madeUpSortedTail() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < 1000; i++) {
            sb.append(String.format(java.util.Locale.ROOT, "n0200%04d thing %d%n", i, i));
        }
        return sb.toString();
    }

    @Test
    void nativeFilesCarryTheirPreprocessing() throws Exception {
        Path[] net = ColourNet.write(dir);
        Path nat = dir.resolve("colour.senet4j");
        assertEquals(0, CliRunner.run("convert", net[0].toString(), net[1].toString(), "-o", nat.toString(),
                "--preprocessing", ColourNet.PREPROCESSING).code());
        Model m = Model.load(nat);
        assertEquals(32, m.preprocessing().resize());
        assertEquals(24, m.preprocessing().crop());
        assertEquals(Preprocessing.SENET, Model.load(net[0], net[1]).preprocessing());
        try (Session s = m.newSession()) {
            assertEquals(489, s.classify(ColourNet.rgb("blue", 41, 29), 1).best().index());
        }
        assertThrows(IllegalArgumentException.class, () -> m.newSession(SessionOptions.on("tpu")));
    }
}
