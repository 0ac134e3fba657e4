package org.senet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.io.Json;
import org.senet4j.io.Npy;

/**
 * {@code --precision bf16} through the command line: accepted by run, verify, bench and classify on the cpu device
 * (within the bf16 bar of real Caffe's blobs), refused with a usage error naming the device on the reference device,
 * and refused with the ISA oneDNN reports (injected through {@code -Dsenet4j.cpu.isa}) where the processor lacks
 * bf16 arithmetic, without writing output.
 */
class Bf16CliTest {
    @TempDir
    Path dir;

    static final Path TD = TestData.testdata();
    static final String PROTO = CommandsTest.PROTO;
    static final String MODEL = CommandsTest.MODEL;
    static final String INPUT = CommandsTest.INPUT;
    static final String REF = TD.resolve("se_resnet_mini").toString();

    @Test
    void runAndVerifyTakeBf16OnTheCpu() throws Exception {
        Path out = dir.resolve("out");
        CliRunner.Result r = CliRunner.run("run", PROTO, MODEL, "--input", INPUT, "--blob", "prob", "-o",
                out.toString(), "--precision", "bf16", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        float[] prob = Npy.read(out.resolve("prob.npy")).data();
        float[] ref = Npy.read(TD.resolve("se_resnet_mini/blobs/prob.npy")).data();
        double max = 0;
        double err = 0;
        for (int i = 0; i < ref.length; i++) {
            max = Math.max(max, Math.abs(ref[i]));
            err = Math.max(err, Math.abs(ref[i] - prob[i]));
        }
        assertTrue(err / max <= 2e-2, "prob relative error " + err / max);
        assertTrue(err > 0, "bf16 rounding leaves some difference from Caffe's fp32 (a silent fp32 run would not)");

        CliRunner.Result v = CliRunner.run("verify", PROTO, MODEL, "--reference", REF, "--precision", "bf16",
                "--tolerance", "2e-2", "--top1", "--json");
        assertEquals(0, v.code(), v.err() + v.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) Json.parse(v.out());
        assertEquals(Boolean.TRUE, root.get("pass"));
        CliRunner.Result byDefault = CliRunner.run("verify", PROTO, MODEL, "--reference", REF, "--precision", "bf16");
        assertEquals(0, byDefault.code(), byDefault.err() + byDefault.out());
        assertTrue(byDefault.out().contains("(tolerance 2.0e-02)"), "bf16's own bar by default: " + byDefault.out());
        CliRunner.Result strict = CliRunner.run("verify", PROTO, MODEL, "--reference", REF, "--precision", "bf16",
                "--tolerance", "1e-4");
        assertEquals(ExitCode.CHECK_FAILED, strict.code(), "bf16 does not meet the fp32 bar of 1e-4: " + strict.out());
    }

    @Test
    void verifyBf16WeightsRunsFp32OnRoundedWeights() throws Exception {
        CliRunner.Result fp32 = CliRunner.run("verify", PROTO, MODEL, "--reference", REF, "--json");
        CliRunner.Result rounded = CliRunner.run("verify", PROTO, MODEL, "--reference", REF, "--bf16-weights",
                "--json");
        CliRunner.Result both = CliRunner.run("verify", PROTO, MODEL, "--reference", REF, "--bf16-weights",
                "--precision", "bf16", "--json");
        assertEquals(0, fp32.code(), fp32.err() + fp32.out());
        assertEquals(0, rounded.code(), "within bf16's bar, the default with --bf16-weights: " + rounded.out());
        assertEquals(0, both.code(), both.err() + both.out());
        double exact = worst(fp32.out());
        double weightsOnly = worst(rounded.out());
        double bf16 = worst(both.out());
        assertTrue(exact < 1e-5, "fp32 against Caffe " + exact);
        assertTrue(weightsOnly > 1e-4 && weightsOnly <= 2e-2, "the weights' rounding shows: " + weightsOnly);
        // rounded weights are what a bf16 plan stores anyway: the bf16 run adds its activations' rounding to it
        assertTrue(bf16 > weightsOnly, "bf16 activations add error: " + bf16 + " vs " + weightsOnly);
        CliRunner.Result text = CliRunner.run("verify", PROTO, MODEL, "--reference", REF, "--bf16-weights");
        assertTrue(text.out().contains("(tolerance 2.0e-02)"), text.out());
        CliRunner.Result strict = CliRunner.run("verify", PROTO, MODEL, "--reference", REF, "--bf16-weights",
                "--tolerance", "1e-4");
        assertEquals(ExitCode.CHECK_FAILED, strict.code(), "rounded weights miss fp32's bar: " + strict.out());
    }

    @SuppressWarnings("unchecked")
    private static double worst(String json) {
        double w = 0;
        for (Map<String, Object> b : (List<Map<String, Object>>) ((Map<String, Object>) Json.parse(json))
                .get("blobs")) {
            w = Math.max(w, ((Number) b.get("relError")).doubleValue());
        }
        return w;
    }

    @Test
    @SuppressWarnings("unchecked")
    void benchRunsBf16NextToOnnxRuntimeAndPrintsTheRatio() throws Exception {
        CliRunner.Result r = CliRunner.run("bench", PROTO, MODEL, "--batch", "1", "--peers", "onnxruntime",
                "--precision", "bf16", "--iterations", "3", "--warmup", "1", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> row = ((List<Map<String, Object>>) ((Map<String, Object>) Json.parse(r.out()))
                .get("results")).get(0);
        assertEquals("bf16", row.get("precision"));
        assertTrue(((Number) row.get("ratioToOnnxRuntime")).doubleValue() > 0);
        CliRunner.Result text = CliRunner.run("bench", PROTO, MODEL, "--batch", "1", "--peers", "onnxruntime",
                "--precision", "bf16", "--iterations", "2", "--warmup", "1");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("senet4j in bf16 (peers in fp32)") && text.out().contains("x "),
                text.out());
    }

    @Test
    void classifyTakesBf16() throws Exception {
        Path img = dir.resolve("a.png");
        java.awt.image.BufferedImage bi = new java.awt.image.BufferedImage(40, 40,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                bi.setRGB(x, y, (x * 6) << 16 | (y * 6) << 8 | ((x + y) * 3));
            }
        }
        javax.imageio.ImageIO.write(bi, "png", img.toFile());
        CliRunner.Result r = CliRunner.run("classify", PROTO, MODEL, img.toString(), "--resize", "35", "--crop", "35",
                "--top", "1", "--precision", "bf16", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("a.png"), r.out());
    }

    @Test
    void devicesListsEachDevicesPrecisions() {
        CliRunner.Result r = CliRunner.run("devices");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s)cpu +org.senet4j:senet4j-cpu +available; precisions fp32, bf16\n.*"), r.out());
        assertTrue(r.out().contains("available; precisions fp32\n"), r.out());
    }

    @Test
    void theReferenceDeviceRefusesBf16WithAUsageError() throws Exception {
        Path out = dir.resolve("ref-out");
        CliRunner.Result r = CliRunner.run("run", PROTO, MODEL, "--input", INPUT, "-o", out.toString(),
                "--precision", "bf16", "--device", "reference");
        assertEquals(ExitCode.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("device reference does not run bf16; it runs fp32"), r.err());
        assertFalse(Files.exists(out.resolve("prob.npy")), "no output on a refusal");
        CliRunner.Result v = CliRunner.run("verify", PROTO, MODEL, "--reference", REF, "--precision", "fp16");
        assertEquals(ExitCode.USAGE, v.code(), v.err());
        assertTrue(v.err().contains("device cpu does not run fp16; it runs fp32, bf16"), v.err());
    }

    @Test
    void aProcessorWithoutBf16IsRefusedNamingTheIsa() throws Exception {
        Path out = dir.resolve("isa-out");
        String old = System.getProperty("senet4j.cpu.isa");
        System.setProperty("senet4j.cpu.isa", "avx512_core");
        try {
            CliRunner.Result r = CliRunner.run("run", PROTO, MODEL, "--input", INPUT, "-o", out.toString(),
                    "--precision", "bf16");
            assertEquals(ExitCode.FAILURE, r.code(), r.err());
            assertTrue(r.err().contains("device cpu cannot run bf16 here") && r.err().contains("avx512_core,")
                    && r.err().contains("avx512_core_bf16"), r.err());
            assertFalse(Files.exists(out.resolve("prob.npy")), "no output on a refusal");
            CliRunner.Result devices = CliRunner.run("devices");
            assertTrue(devices.out().contains("available; precisions fp32, bf16 (not here: this processor has no "
                    + "native bf16 arithmetic"), devices.out());
            CliRunner.Result fp32 = CliRunner.run("run", PROTO, MODEL, "--input", INPUT, "-o", out.toString());
            assertEquals(0, fp32.code(), "fp32 needs no bf16: " + fp32.err());
            System.setProperty("senet4j.cpu.isa", "avx512_core_amx");
            assertEquals(0, CliRunner.run("run", PROTO, MODEL, "--input", INPUT, "-o", dir.resolve("amx").toString(),
                    "--precision", "bf16").code(), "AMX has bf16");
        } finally {
            if (old == null) {
                System.clearProperty("senet4j.cpu.isa");
            } else {
                System.setProperty("senet4j.cpu.isa", old);
            }
        }
    }
}
