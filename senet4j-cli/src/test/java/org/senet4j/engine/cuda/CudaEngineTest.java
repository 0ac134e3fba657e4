package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.cli.CliRunner;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.EngineUnavailableException;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.engine.Precision;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.passes.Passes;
import org.senet4j.verify.BlobResult;
import org.senet4j.verify.ReferenceSet;
import org.senet4j.verify.Verifier;
import org.senet4j.verify.VerifyReport;

/**
 * The CUDA engine against real Caffe on the testdata nets (every layer type) in each precision, with its tolerance:
 * fp32 1e-4, tf32 5e-3, fp16 2e-2 relative L-infinity on every blob. These tests need a GPU and skip without one
 * (CI has none); the tests of the unavailable case run where there is none.
 */
class CudaEngineTest {

    static String unavailable() {
        return new CudaEngineProvider().unavailableReason();
    }

    static void requireGpu() {
        String why = unavailable();
        assumeTrue(why == null, "no CUDA: " + why);
    }

    static double tolerance(Precision p) {
        return switch (p) {
            case FP32 -> 1e-4;
            case TF32 -> 5e-3;
            case FP16 -> 2e-2;
            case BF16 -> throw new IllegalArgumentException("the cuda engine does not run bf16");
        };
    }

    static Graph load(String net) throws Exception {
        Path base = TestData.testdata();
        return CaffeImporter.load(base.resolve(net + ".prototxt"), base.resolve(net + "/model.caffemodel")).graph();
    }

    @Test
    void providerIsRegisteredAndItsProbeNeverThrows() {
        assertTrue(Engines.devices().contains("cuda"), Engines.devices().toString());
        String why = unavailable();
        assertEquals(why, unavailable(), "the probe runs once");
        if (why != null) {
            assertFalse(why.isBlank());
            assertTrue(why.contains("libcuda.so") || why.contains("libcudart") || why.contains("GPU")
                    || why.contains("cuDNN") || why.contains("cuBLAS") || why.contains("NVRTC")
                    || why.contains("linux-x86_64") || why.contains("disabled"), why);
        }
    }

    @Test
    void withoutAGpuCreatingTheEngineSaysWhy() throws Exception {
        String why = unavailable();
        assumeTrue(why != null, "a GPU is present");
        Graph g = load("se_resnet_mini");
        EngineUnavailableException e = assertThrows(EngineUnavailableException.class,
                () -> Engines.create("cuda", g, EngineOptions.DEFAULT));
        assertEquals("device cuda is not available: " + why, e.getMessage());
        assertThrows(EngineUnavailableException.class, () -> new CudaEngine(g, EngineOptions.DEFAULT));
    }

    /** {@code --device cuda} without a GPU: exit code 5 and one line saying why, no stack trace. */
    @Test
    void withoutAGpuTheCommandLineExitsWithFive() {
        String why = unavailable();
        assumeTrue(why != null, "a GPU is present");
        Path base = TestData.testdata();
        CliRunner.Result r = CliRunner.run("verify", base.resolve("se_resnet_mini.prototxt").toString(),
                base.resolve("se_resnet_mini/model.caffemodel").toString(), "--reference",
                base.resolve("se_resnet_mini").toString(), "--device", "cuda", "--precision", "fp16");
        assertEquals(5, r.code(), r.err());
        assertTrue(r.err().contains("device cuda is not available: " + why), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "se_resnet_mini, FP32", "se_resnet_mini, TF32", "se_resnet_mini, FP16",
        "se_resnext_mini, FP32", "se_resnext_mini, TF32", "se_resnext_mini, FP16",
        "se_inception_mini, FP32", "se_inception_mini, TF32", "se_inception_mini, FP16",
        "ops_zoo, FP32", "ops_zoo, TF32", "ops_zoo, FP16"})
    void everyBlobMatchesCaffe(String net, Precision p) throws Exception {
        requireGpu();
        ReferenceSet ref = ReferenceSet.read(TestData.testdata().resolve(net));
        Graph g = load(net).withBatchSize(2);
        for (List<String> off : List.of(List.<String>of(), List.of("all"))) {
            try (Engine e = Engines.create("cuda", Passes.optimize(g, off), EngineOptions.DEFAULT.withPrecision(p))) {
                VerifyReport r = Verifier.verify(e, ref, tolerance(p), true);
                assertTrue(r.pass(), net + " " + p + " passes off " + off + ": " + r.blobs().stream()
                        .filter(b -> !b.pass()).map(BlobResult::toString).toList());
                assertTrue(r.blobs().size() >= 20, "compared only " + r.blobs().size());
                System.out.printf("cuda %s %s passes off %s: %d blobs, worst %.2e%n", net, p, off, r.blobs().size(),
                        r.worstRelError());
            }
        }
    }

    /** Batch 1 and batch 2 plans in one engine; CUDA graph replays give the outputs of the plain runs. */
    @ParameterizedTest
    @CsvSource({"se_resnet_mini, FP32", "se_inception_mini, FP16", "se_resnext_mini, TF32"})
    void batchesAndCudaGraphs(String net, Precision p) throws Exception {
        requireGpu();
        ReferenceSet ref = ReferenceSet.read(TestData.testdata().resolve(net));
        Graph g = Passes.optimize(load(net).withBatchSize(2), List.of());
        Map<String, HostTensor> in2 = Verifier.inputs(ref, g);
        Map<String, HostTensor> in1 = new LinkedHashMap<>();
        in2.forEach((k, v) -> in1.put(k, new HostTensor(v.shape().with(0, 1),
                java.util.Arrays.copyOf(v.data(), (int) (v.shape().count() / 2)))));
        EngineOptions plain = EngineOptions.DEFAULT.withPrecision(p);
        EngineOptions graphs = new EngineOptions(0, p, 0, true);
        try (CudaEngine e = new CudaEngine(g, plain); CudaEngine eg = new CudaEngine(g, graphs)) {
            for (Map<String, HostTensor> in : List.of(in2, in1, in2)) {
                Map<String, HostTensor> a = e.run(in);
                List<Map<String, HostTensor>> replays = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    replays.add(eg.run(in));
                }
                for (String o : g.outputs()) {
                    Npy.NpyArray r = Npy.read(ref.blobs().get(g.value(o).blob()));
                    int n = in.values().iterator().next().shape().dim(0);
                    float[] want = java.util.Arrays.copyOf(r.data(), (int) (r.data().length / 2 * n));
                    BlobResult c = BlobResult.compare(o, a.get(o).shape(), a.get(o).data(), want, tolerance(p));
                    assertTrue(c.pass(), net + " " + p + " batch " + n + ": " + c);
                    for (Map<String, HostTensor> rep : replays) {
                        BlobResult same = BlobResult.compare(o, a.get(o).shape(), rep.get(o).data(), a.get(o).data(),
                                1e-6);
                        assertTrue(same.pass(), "graph replay differs: " + same);
                    }
                }
            }
            double[] ms = eg.timeDevice(2, 2, 5);
            assertEquals(5, ms.length);
            assertTrue(ms[0] > 0);
            System.out.println(eg.describe(2));
            eg.profile(2, 1).forEach(System.out::println);
        }
    }

    @Test
    void inputsCanBeRequestedAndMissingDevicesAreRefused() throws Exception {
        requireGpu();
        Graph g = Passes.optimize(load("se_resnet_mini").withBatchSize(2), List.of());
        ReferenceSet ref = ReferenceSet.read(TestData.testdata().resolve("se_resnet_mini"));
        try (Engine e = Engines.create("cuda", g, EngineOptions.DEFAULT)) {
            Map<String, HostTensor> out = e.run(Verifier.inputs(ref, g), List.of("data"));
            assertEquals(Shape.of(2, 3, 35, 35), out.get("data").shape());
        }
        assertThrows(EngineUnavailableException.class, () -> Engines.create("cuda:99", g, EngineOptions.DEFAULT));
    }
}
