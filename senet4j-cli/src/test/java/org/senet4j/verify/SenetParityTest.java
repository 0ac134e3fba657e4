package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.nativefmt.NativeReader;
import org.senet4j.nativefmt.NativeWriter;
import org.senet4j.onnx.ExportOptions;
import org.senet4j.onnx.OnnxExporter;
import org.senet4j.passes.Passes;
import org.senet4j.verify.caffe.CaffeOracle;
import org.senet4j.verify.InputDistribution;

/**
 * The seven official SENets and the real trained models against real Caffe (../shared; skipped without it): random
 * weights written by Caffe, every blob of the CPU engine at batch 1 and 2, ONNX Runtime on the export (every exposed
 * blob at batch 1, the outputs at batch 4), and the native file giving bit-identical outputs to the caffemodel path.
 * Relative L-infinity error at most 1e-4 throughout.
 */
class SenetParityTest {
    static final double TOLERANCE = 1e-4;

    /** A reference set of one batch size: its folder and the weights it was made with. */
    record RefFiles(Path dir, Path model, int batch) {
    }

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"SE-ResNet-50", "SE-ResNeXt-50", "SE-BN-Inception", "SE-ResNet-101", "SE-ResNeXt-101",
        "SE-ResNet-152", "SENet-154"})
    void officialSenet(String name) throws Exception {
        Path proto = TestData.requireShared("senet-models/" + name + ".prototxt");
        long t0 = System.nanoTime();
        RefFiles b2 = reference(proto, null, 2, "b2");
        Path weights = b2.model();
        RefFiles b1 = reference(proto, weights, 1, "b1");
        long t1 = System.nanoTime();
        Graph g = CaffeImporter.load(proto, weights).graph();
        Map<Integer, Double> cpuWorst = new LinkedHashMap<>();
        for (RefFiles r : List.of(b1, b2)) {
            ReferenceSet ref = ReferenceSet.read(r.dir());
            try (Engine e = Engines.create("cpu", Passes.optimize(g.withBatchSize(r.batch()), List.of()),
                    EngineOptions.DEFAULT.withThreads(2))) {
                VerifyReport rep = Verifier.verify(e, ref, TOLERANCE);
                assertTrue(rep.pass(), name + " batch " + r.batch() + ": " + failures(rep));
                assertTrue(rep.blobs().size() > 50, name + ": only " + rep.blobs().size() + " blobs compared");
                cpuWorst.put(r.batch(), rep.worstRelError());
            }
        }
        long t2 = System.nanoTime();
        double onnxWorst = onnxParity(name, g, b1, weights, proto);
        long t3 = System.nanoTime();
        nativeRoundTripIsBitIdentical(g, ReferenceSet.read(b2.dir()));
        long t4 = System.nanoTime();
        System.out.printf(Locale.ROOT, "%s: cpu worst rel err %s, onnx %.2e; caffe refs %.1f s, cpu %.1f s, "
                + "onnx %.1f s, native %.1f s%n", name, cpuWorst, onnxWorst, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                (t3 - t2) / 1e9, (t4 - t3) / 1e9);
        deleteTree(dir);
    }

    @ParameterizedTest
    @CsvSource({
        "ethereon_caffe-tensorflow/lenet.prototxt, ethereon_caffe-tensorflow/lenet_iter_10000.caffemodel",
        "kpzhang93_MTCNN_face_detection_alignment/det1.prototxt, "
            + "kpzhang93_MTCNN_face_detection_alignment/det1.caffemodel",
        "kpzhang93_MTCNN_face_detection_alignment/det2.prototxt, "
            + "kpzhang93_MTCNN_face_detection_alignment/det2.caffemodel",
    })
    void trainedModel(String protoName, String modelName) throws Exception {
        Path base = TestData.requireShared("caffe-conformance/trained");
        Path proto = base.resolve(protoName);
        Path weights = base.resolve(modelName);
        Graph g = CaffeImporter.load(proto, weights).graph();
        for (int batch : new int[] {1, 2}) {
            RefFiles r = reference(proto, weights, batch, "b" + batch);
            try (Engine e = Engines.create("cpu", Passes.optimize(g.withBatchSize(batch), List.of()),
                    EngineOptions.DEFAULT.withThreads(2))) {
                VerifyReport rep = Verifier.verify(e, ReferenceSet.read(r.dir()), TOLERANCE);
                assertTrue(rep.pass(), protoName + " batch " + batch + ": " + failures(rep));
            }
        }
        onnxParity(protoName, g, reference(proto, weights, 1, "onnx1"), weights, proto);
    }

    /** ONNX Runtime on the export: every exposed blob at batch 1, the net outputs at batch 4. */
    private double onnxParity(String name, Graph g, RefFiles b1, Path weights, Path proto)
            throws Exception {
        Path onnx = dir.resolve("model.onnx");
        OnnxExporter.write(g, ExportOptions.defaults().withExposeAll(true), onnx);
        double worst = 0;
        try (OrtRunner ort = new OrtRunner(onnx)) {
            ReferenceSet ref = ReferenceSet.read(b1.dir());
            Map<String, HostTensor> in = Verifier.inputs(ref, g.withBatchSize(1));
            Set<String> wanted = new HashSet<>();
            for (String blob : ref.blobs().keySet()) {
                if (ort.outputNames().contains(blob)) {
                    wanted.add(blob);
                }
            }
            assertTrue(wanted.size() > Math.min(20, ref.blobs().size() / 3), name + ": only " + wanted.size()
                    + " blobs exposed by ONNX");
            Map<String, HostTensor> out = ort.run(in, wanted);
            for (String blob : wanted) {
                worst = Math.max(worst, check(name + " onnx b1 " + blob, out.get(blob), ref.blobs().get(blob)));
            }
            int batch = 4;
            Graph g4 = g.withBatchSize(batch);
            Map<String, Path> inputs = new LinkedHashMap<>();
            Map<String, HostTensor> in4 = new LinkedHashMap<>();
            Random r = new Random(4);
            for (String input : g4.inputs()) {
                Shape s = g4.shape(input);
                float[] x = new float[Math.toIntExact(s.count())];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian();
                }
                Path f = dir.resolve("input4_" + input.replace('/', '_') + ".npy");
                Npy.write(f, s.dims(), x);
                inputs.put(input, f);
                in4.put(input, new HostTensor(s, x));
            }
            Set<String> outs = new HashSet<>(g.outputs());
            Map<String, Path> caffe4 = CaffeOracle.forward(proto, weights, inputs, dir.resolve("b4"), outs, 2);
            Map<String, HostTensor> ort4 = ort.run(in4, outs);
            for (String o : outs) {
                worst = Math.max(worst, check(name + " onnx b4 " + o, ort4.get(o), caffe4.get(o)));
            }
        }
        Files.delete(onnx);
        return worst;
    }

    /** The native file of the graph runs to outputs bit-identical with the caffemodel path's. */
    private void nativeRoundTripIsBitIdentical(Graph g, ReferenceSet ref) throws Exception {
        Path file = dir.resolve("model.safetensors");
        NativeWriter.write(g, file);
        Graph back = NativeReader.read(file);
        Map<String, HostTensor> in = Verifier.inputs(ref, g.withBatchSize(2));
        Map<String, HostTensor> a;
        Map<String, HostTensor> b;
        try (Engine e = Engines.create("cpu", Passes.optimize(g.withBatchSize(2), List.of()), EngineOptions.DEFAULT)) {
            a = e.run(in);
        }
        try (Engine e = Engines.create("cpu", Passes.optimize(back.withBatchSize(2), List.of()),
                EngineOptions.DEFAULT)) {
            b = e.run(in);
        }
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).data(), b.get(k).data(), "native vs caffemodel output " + k);
        }
        Files.delete(file);
    }

    private double check(String what, HostTensor ours, Path reference) throws Exception {
        Npy.NpyArray r = Npy.read(reference);
        assertEquals(Shape.of(r.shape()), ours.shape(), what);
        BlobResult c = BlobResult.compare(what, ours.shape(), ours.data(), r.data(), TOLERANCE);
        assertTrue(c.pass(), what + ": " + c);
        return c.relError();
    }

    private RefFiles reference(Path proto, Path weights, int batch, String sub) throws Exception {
        CaffeOracle.ReferenceSet r = CaffeOracle.makeReference(proto, dir.resolve(sub), weights, 1, batch,
                InputDistribution.NORMAL, 11, 2, CaffeOracle.Options.defaults());
        return new RefFiles(r.dir(), r.model(), batch);
    }

    private static String failures(VerifyReport r) {
        List<String> f = new ArrayList<>();
        for (BlobResult b : r.blobs()) {
            if (!b.pass()) {
                f.add(b.toString());
            }
        }
        return f.size() > 10 ? f.subList(0, 10) + " and " + (f.size() - 10) + " more" : f.toString();
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).filter(x -> !x.equals(p)).forEach(x -> x.toFile().delete());
        }
    }
}
