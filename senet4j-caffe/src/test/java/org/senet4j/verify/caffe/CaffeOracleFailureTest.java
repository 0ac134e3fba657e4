package org.senet4j.verify.caffe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Caffe aborts (CHECK failures, LOG(FATAL)) and other child failures become exceptions; this JVM carries on. */
class CaffeOracleFailureTest {

    @TempDir
    Path dir;

    @Test
    void eltwiseShapeMismatchIsACheckFailure() throws Exception {
        Path proto = dir.resolve("bad-eltwise.prototxt");
        Files.writeString(proto, """
                name: "bad"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
                layer { name: "a" type: "Convolution" bottom: "data" top: "a" convolution_param { num_output: 4 kernel_size: 1 } }
                layer { name: "b" type: "Convolution" bottom: "data" top: "b" convolution_param { num_output: 5 kernel_size: 1 } }
                layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "sum" }
                """);
        CaffeOracleException e = assertThrows(CaffeOracleException.class,
                () -> CaffeOracle.writeRandomWeights(proto, dir.resolve("m.caffemodel"), 1));
        System.out.println("expected failure:\n" + e.getMessage());
        assertTrue(e.getMessage().contains(proto.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("Check failed"), e.getMessage());
        assertTrue(e.getMessage().contains("SIGABRT"), e.getMessage());
        assertEquals(134, e.exitCode().orElseThrow());
        assertTrue(e.fatalMessage().orElseThrow().startsWith("Check failed: "), e.fatalMessage().toString());
        assertTrue(e.fatalMessage().orElseThrow().contains("eltwise_layer.cpp"), e.fatalMessage().toString());
        assertFalse(Files.exists(dir.resolve("m.caffemodel")));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(proto), s.toList(), "no temporary files left behind");
        }
    }

    @Test
    void mismatchedWeightsAbortTheChildNotThisJvm() throws Exception {
        Path proto5 = CaffeOracleTest.tinyPrototxt(dir, 5);
        Path proto6 = CaffeOracleTest.tinyPrototxt(dir, 6);
        Path model = dir.resolve("tiny5.caffemodel");
        CaffeOracle.writeRandomWeights(proto5, model, 1);
        Path input = CaffeOracleTest.randomInput(dir.resolve("in.npy"), new int[] {1, 3, 8, 8}, 1);

        CaffeOracleException e = assertThrows(CaffeOracleException.class,
                () -> CaffeOracle.forward(proto6, model, Map.of("data", input), dir.resolve("out"), null, 1));
        System.out.println("expected failure:\n" + e.getMessage());
        assertTrue(e.getMessage().contains(proto6.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("shape mismatch"), e.getMessage());
        assertEquals(134, e.exitCode().orElseThrow());

        // This JVM survived and the oracle still works.
        Map<String, Path> ok = CaffeOracle.forward(proto5, model, Map.of("data", input), dir.resolve("out"), null, 1);
        assertTrue(ok.containsKey("prob"));
    }

    @Test
    void usageErrorsNameTheProblem() throws Exception {
        Path proto = CaffeOracleTest.tinyPrototxt(dir, 5);
        Path model = dir.resolve("tiny.caffemodel");
        CaffeOracle.writeRandomWeights(proto, model, 1);
        Path input = CaffeOracleTest.randomInput(dir.resolve("in.npy"), new int[] {1, 3, 8, 8}, 1);

        CaffeOracleException e = assertThrows(CaffeOracleException.class,
                () -> CaffeOracle.forward(proto, model, Map.of("image", input), dir.resolve("out"), null, 1));
        assertEquals(2, e.exitCode().orElseThrow());
        assertTrue(e.getMessage().contains("unknown input name image, expected one of [data]"), e.getMessage());

        CaffeOracleException missing = assertThrows(CaffeOracleException.class,
                () -> CaffeOracle.writeRandomWeights(dir.resolve("nope.prototxt"), dir.resolve("x.caffemodel"), 1));
        assertTrue(missing.getMessage().contains("prototxt not found"), missing.getMessage());

        CaffeOracleException blob = assertThrows(CaffeOracleException.class,
                () -> CaffeOracle.forward(proto, model, Map.of("data", input), dir.resolve("out"),
                        java.util.Set.of("nope"), 1));
        assertTrue(blob.getMessage().contains("unknown blob name nope"), blob.getMessage());
    }

    @Test
    void timeoutKillsTheChild() throws Exception {
        Path proto = CaffeOracleTest.tinyPrototxt(dir, 5);
        CaffeOracle.Options quick = CaffeOracle.Options.defaults().withTimeout(Duration.ofMillis(200));
        long t0 = System.nanoTime();
        CaffeOracleException e = assertThrows(CaffeOracleException.class,
                () -> CaffeOracle.writeRandomWeights(proto, dir.resolve("m.caffemodel"), 1, quick));
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertTrue(e.exitCode().isEmpty());
        assertTrue((System.nanoTime() - t0) / 1e9 < 20, "killed promptly");
    }
}
