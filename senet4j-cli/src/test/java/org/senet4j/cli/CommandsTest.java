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

/** run, verify, convert and bench through the command line, on the testdata nets. */
class CommandsTest {
    @TempDir
    Path dir;

    static final Path TD = TestData.testdata();
    static final String PROTO = TD.resolve("se_resnet_mini.prototxt").toString();
    static final String MODEL = TD.resolve("se_resnet_mini/model.caffemodel").toString();
    static final String INPUT = TD.resolve("se_resnet_mini/input_data.npy").toString();

    @Test
    void runWritesNamedBlobs() throws Exception {
        Path out = dir.resolve("out");
        CliRunner.Result r = CliRunner.run("run", PROTO, MODEL, "--input", INPUT, "--blob", "conv1", "--blob",
                "prob", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        Npy.NpyArray prob = Npy.read(out.resolve("prob.npy"));
        assertEquals(List.of(2, 10), java.util.Arrays.stream(prob.shape()).boxed().toList());
        Npy.NpyArray ref = Npy.read(TD.resolve("se_resnet_mini/blobs/prob.npy"));
        for (int i = 0; i < ref.data().length; i++) {
            assertEquals(ref.data()[i], prob.data()[i], 1e-5);
        }
        assertTrue(Files.readString(out.resolve("blobs.tsv")).contains("conv1\tconv1.npy\t2,16,18,18"));
        assertEquals(ExitCode.USAGE, CliRunner.run("run", PROTO, MODEL, "--input", INPUT, "--blob", "nope", "-o",
                out.toString()).code());
        assertEquals(ExitCode.USAGE, CliRunner.run("run", PROTO, "--input", INPUT, "-o", out.toString()).code(),
                "weights are required for a model with learned layers");
        Path bad = dir.resolve("bad.npy");
        Npy.write(bad, new int[] {1, 3, 8, 8}, new float[192]);
        CliRunner.Result wrong = CliRunner.run("run", PROTO, MODEL, "--input", bad.toString(), "-o", out.toString());
        assertEquals(ExitCode.USAGE, wrong.code());
        assertTrue(wrong.err().contains("needs N x 3x35x35"), wrong.err());
    }

    @Test
    @SuppressWarnings("unchecked")
    void verifyAgainstAReferenceAndAgainstRealCaffe() throws Exception {
        String ref = TD.resolve("se_resnet_mini").toString();
        CliRunner.Result ok = CliRunner.run("verify", PROTO, MODEL, "--reference", ref, "--json");
        assertEquals(0, ok.code(), ok.err());
        Map<String, Object> root = (Map<String, Object>) Json.parse(ok.out());
        assertEquals(List.of("blobs", "pass"), List.copyOf(root.keySet()));
        assertEquals(Boolean.TRUE, root.get("pass"));
        Map<String, Object> first = ((List<Map<String, Object>>) root.get("blobs")).get(0);
        assertEquals(List.of("name", "shape", "maxAbsError", "relError", "pass"), List.copyOf(first.keySet()));
        CliRunner.Result strict = CliRunner.run("verify", PROTO, MODEL, "--reference", ref, "--tolerance", "1e-12");
        assertEquals(ExitCode.CHECK_FAILED, strict.code(), strict.out());
        assertTrue(strict.out().contains("FAIL"), strict.out());
        CliRunner.Result caffe = CliRunner.run("verify", PROTO, MODEL, "--caffe", "--batch", "3");
        assertEquals(0, caffe.code(), caffe.err() + caffe.out());
        assertTrue(caffe.out().contains("3x10"), caffe.out());
        assertEquals(ExitCode.USAGE, CliRunner.run("verify", PROTO, MODEL).code(), "--caffe or --reference needed");
    }

    @Test
    void convertWritesOnlyCompleteFilesAndNeverOverwritesSilently() throws Exception {
        Path onnx = dir.resolve("m.onnx");
        Path nat = dir.resolve("m.safetensors");
        assertEquals(0, CliRunner.run("convert", PROTO, MODEL, "-o", onnx.toString()).code());
        assertEquals(0, CliRunner.run("convert", PROTO, MODEL, "-o", nat.toString()).code());
        long before = Files.size(onnx);
        Files.writeString(nat, "keep me");
        CliRunner.Result exists = CliRunner.run("convert", PROTO, MODEL, "-o", nat.toString());
        assertEquals(ExitCode.IO, exists.code());
        assertTrue(exists.err().contains("--force"), exists.err());
        assertEquals("keep me", Files.readString(nat));
        assertEquals(0, CliRunner.run("convert", PROTO, MODEL, "-o", nat.toString(), "--force").code());
        CliRunner.Result back = CliRunner.run("verify", nat.toString(), "--reference",
                TD.resolve("se_resnet_mini").toString());
        assertEquals(0, back.code(), back.err());
        assertEquals(0, CliRunner.run("convert", PROTO, MODEL, "-o", onnx.toString(), "--force", "--opset", "13",
                "--no-fold").code());
        assertTrue(Files.size(onnx) != before || Files.size(onnx) > 0);
        assertEquals(ExitCode.USAGE, CliRunner.run("convert", PROTO, MODEL, "-o", dir.resolve("m.txt").toString())
                .code());
        assertEquals(ExitCode.USAGE, CliRunner.run("convert", PROTO, MODEL, "-o", onnx.toString(), "--force",
                "--opset", "12").code());
        Path broken = dir.resolve("broken.prototxt");
        Files.writeString(broken, Files.readString(Path.of(PROTO)).replace("\"Axpy\"", "\"Axpie\""));
        Path none = dir.resolve("none.onnx");
        assertEquals(ExitCode.BAD_MODEL, CliRunner.run("convert", broken.toString(), MODEL, "-o", none.toString())
                .code());
        assertFalse(Files.exists(none));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary file left");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void benchPrintsRatiosAndLoadFigures() throws Exception {
        CliRunner.Result r = CliRunner.run("bench", PROTO, MODEL, "--batch", "1", "--peers", "onnxruntime",
                "--iterations", "3", "--warmup", "1", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> row = ((List<Map<String, Object>>) ((Map<String, Object>) Json.parse(r.out()))
                .get("results")).get(0);
        assertTrue(((Number) row.get("ratioToOnnxRuntime")).doubleValue() > 0);
        assertEquals(null, row.get("caffe"));
        CliRunner.Result load = CliRunner.run("bench", PROTO, MODEL, "--load");
        assertEquals(0, load.code(), load.err());
        assertTrue(load.out().contains("MB/s"), load.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void benchConvertReportsTheFirstRoundAndTheMediansAfterIt() throws Exception {
        CliRunner.Result r = CliRunner.run("bench", PROTO, MODEL, "--convert", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> row = ((List<Map<String, Object>>) ((Map<String, Object>) Json.parse(r.out()))
                .get("convert")).get(0);
        assertEquals(5, ((Number) row.get("rounds")).intValue());
        assertEquals((double) Files.size(Path.of(MODEL)), ((Number) row.get("caffemodelBytes")).doubleValue());
        Map<String, Object> first = (Map<String, Object>) row.get("first");
        for (Map<String, Object> m : List.of(row, first)) {
            for (String k : List.of("copyMs", "toOnnxMs", "toNativeMs", "openNativeMs")) {
                assertTrue(((Number) m.get(k)).doubleValue() > 0, k + " in " + m);
            }
            assertEquals(((Number) m.get("toOnnxMs")).doubleValue() / ((Number) m.get("copyMs")).doubleValue(),
                    ((Number) m.get("onnxRatioToCopy")).doubleValue(), 1e-9);
        }
        CliRunner.Result text = CliRunner.run("bench", PROTO, MODEL, "--convert");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("medians of 5 rounds after a first one") && text.out().contains("first round"),
                text.out());
        try (var left = Files.list(Path.of(MODEL).toAbsolutePath().getParent())) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".senet4j-bench-")),
                    "the bench's folder is removed");
        }
    }
}
