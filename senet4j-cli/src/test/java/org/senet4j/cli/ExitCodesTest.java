package org.senet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;

/**
 * Each documented exit code (README "Exit codes", {@link Main}'s exit code list) for the cases it stands for; user
 * errors print one line and no stack trace unless {@code --debug}; outputs are never left half-written.
 */
class ExitCodesTest {
    @TempDir
    Path dir;

    static final Path TD = TestData.testdata();
    static final String PROTO = TD.resolve("ops_zoo.prototxt").toString();
    static final String MODEL = TD.resolve("ops_zoo/model.caffemodel").toString();
    static final String RESNET = TD.resolve("se_resnet_mini.prototxt").toString();
    static final String RESNET_MODEL = TD.resolve("se_resnet_mini/model.caffemodel").toString();
    static final String RESNET_INPUT = TD.resolve("se_resnet_mini/input_data.npy").toString();

    /** Runs the CLI, expects {@code code}, and checks that errors come without a stack trace but with --debug. */
    private static CliRunner.Result expect(int code, String... args) {
        CliRunner.Result r = CliRunner.run(args);
        assertEquals(code, r.code(), String.join(" ", args) + "\nstdout: " + r.out() + "\nstderr: " + r.err());
        if (code != ExitCode.OK && code != ExitCode.CHECK_FAILED) {
            assertFalse(r.err().contains("\tat "), "a stack trace without --debug: " + r.err());
            assertFalse(r.err().isBlank(), "no message");
            if (code != ExitCode.USAGE) {
                assertTrue(r.err().startsWith("senet4j "), r.err());
                assertEquals(1, r.err().lines().count(), "one line: " + r.err());
                List<String> debug = new ArrayList<>(Arrays.asList(args));
                debug.add("--debug");
                CliRunner.Result d = CliRunner.run(debug.toArray(String[]::new));
                assertEquals(code, d.code(), d.err());
                assertTrue(d.err().contains("\tat org.senet4j") || d.err().contains("\tat java."),
                        "--debug shows the stack trace: " + d.err());
            }
        }
        return r;
    }

    private Path file(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private List<Path> files(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted().toList();
        }
    }

    @Test
    void usageErrorsExitWith2() throws Exception {
        expect(ExitCode.USAGE, "inspect", "--no-such-flag", PROTO);
        expect(ExitCode.USAGE, "inspect");
        expect(ExitCode.USAGE, "frobnicate");
        expect(ExitCode.USAGE);
        expect(ExitCode.USAGE, "inspect", PROTO, "--input-shape", "data=1,x,3,3");
        expect(ExitCode.USAGE, "inspect", PROTO, "--input-shape", "data=1,-3,3,3");
        expect(ExitCode.USAGE, "run", RESNET, RESNET_MODEL, "-o", dir.toString());
        expect(ExitCode.USAGE, "convert", PROTO, MODEL, "-o", dir.resolve("m.txt").toString());
        expect(ExitCode.USAGE, "verify", PROTO, MODEL, "--reference", dir.toString(), "--tolerance", "abc");
    }

    @Test
    void badModelsExitWith3() throws Exception {
        Path syntax = file("syntax.prototxt", "layer { name: \"x\" type \"ReLU\" }\n".getBytes(StandardCharsets.UTF_8));
        CliRunner.Result r = expect(ExitCode.BAD_MODEL, "inspect", syntax.toString());
        assertTrue(r.err().contains(syntax + ": line 1, column"), r.err());
        Path shapes = file("shapes.prototxt", (Files.readString(Path.of(PROTO))
                .replace("kernel_size: 2 stride: 2 pad: 1", "kernel_size: 20 stride: 2 pad: 1"))
                .getBytes(StandardCharsets.UTF_8));
        r = expect(ExitCode.BAD_MODEL, "inspect", shapes.toString());
        assertTrue(r.err().contains("layer \"pool_max\" (Pooling)"), r.err());
        byte[] weights = Files.readAllBytes(Path.of(MODEL));
        Path truncated = file("truncated.caffemodel", Arrays.copyOf(weights, weights.length / 2));
        r = expect(ExitCode.BAD_MODEL, "inspect", PROTO, truncated.toString());
        assertTrue(r.err().contains(truncated + ": byte "), r.err());
        Path garbage = file("garbage.senet4j", "not a native model at all".getBytes(StandardCharsets.UTF_8));
        r = expect(ExitCode.BAD_MODEL, "inspect", garbage.toString());
        assertTrue(r.err().contains(garbage.toString()), r.err());
        Path binary = file("binary.prototxt", weights);
        expect(ExitCode.BAD_MODEL, "inspect", binary.toString());
        expect(ExitCode.BAD_MODEL, "convert", syntax.toString(), "-o", dir.resolve("x.onnx").toString());
        assertFalse(Files.exists(dir.resolve("x.onnx")));
    }

    @Test
    void ioErrorsExitWith4() throws Exception {
        expect(ExitCode.IO, "inspect", dir.resolve("missing.prototxt").toString());
        expect(ExitCode.IO, "inspect", PROTO, dir.resolve("missing.caffemodel").toString());
        expect(ExitCode.IO, "inspect", dir.resolve("missing.senet4j").toString());
        expect(ExitCode.IO, "inspect", dir.toString());
        Path plain = file("plain.txt", new byte[] {1});
        // an output that cannot be written (its folder is a file; permissions do not stop root)
        expect(ExitCode.IO, "convert", PROTO, MODEL, "-o", plain.resolve("m.onnx").toString());
        expect(ExitCode.IO, "convert", PROTO, MODEL, "-o", plain.resolve("m.senet4j").toString());
        expect(ExitCode.IO, "run", RESNET, RESNET_MODEL, "--input", RESNET_INPUT, "-o",
                plain.resolve("out").toString());
        expect(ExitCode.IO, "run", RESNET, RESNET_MODEL, "--input", dir.resolve("missing.npy").toString(), "-o",
                dir.resolve("out").toString());
        Path existing = file("m.onnx", "keep".getBytes(StandardCharsets.UTF_8));
        expect(ExitCode.IO, "convert", PROTO, MODEL, "-o", existing.toString());
        assertEquals("keep", Files.readString(existing));
        assertEquals(List.of(existing, plain), files(dir));
    }

    @Test
    void aFailedCheckExitsWith1() throws Exception {
        CliRunner.Result r = expect(ExitCode.CHECK_FAILED, "verify", RESNET, RESNET_MODEL, "--reference",
                TD.resolve("se_resnet_mini").toString(), "--tolerance", "1e-12");
        assertTrue(r.out().contains("FAIL"), r.out());
        expect(ExitCode.OK, "verify", RESNET, RESNET_MODEL, "--reference", TD.resolve("se_resnet_mini").toString());
    }

    @Test
    void runningOutOfHeapSaysHowMuchThereWasAndHowToGiveMore() {
        String m = Main.outOfMemoryMessage(6L << 30);
        assertTrue(m.startsWith("senet4j: out of Java heap memory"), m);
        assertTrue(m.contains("6144 MB"), m);
        assertTrue(m.contains("SENET4J_JAVA_OPTS=-Xmx") && m.contains("--batch"), m);
    }

    // ----- outputs are written atomically: a write that fails midway leaves nothing behind -------------------

    /** Runs the CLI in a child JVM whose files may not grow past {@code maxKiB} (the shell's ulimit -f). */
    private static CliRunner.Result runLimited(int maxKiB, String... args) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "ulimit -f " + maxKiB + " && exec \"$@\"", "bash",
                java, "-cp", cp, Main.class.getName()));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
        return new CliRunner.Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void convertFailingMidwayLeavesNoPartialFile() throws Exception {
        for (String name : List.of("m.onnx", "m.senet4j")) {
            Path out = dir.resolve(name);
            Files.writeString(out, "previous");
            // the output is larger than 8 KiB: the write fails with "File too large" partway through
            CliRunner.Result r = runLimited(8, "convert", PROTO, MODEL, "-o", out.toString(), "--force");
            assertEquals(ExitCode.IO, r.code(), r.err());
            assertTrue(r.err().contains("File too large"), r.err());
            assertFalse(r.err().contains("\tat "), r.err());
            assertEquals("previous", Files.readString(out), "the old file is untouched");
            assertEquals(List.of(out), files(dir), "no temporary file is left");
            Files.delete(out);
        }
    }

    @Test
    void runFailingMidwayLeavesTheOutputFolderAsItWas() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        Path old = Files.writeString(out.resolve("blobs.tsv"), "previous");
        // prob.npy is small, conv1.npy (2x16x18x18 floats, 41 KiB) is not: the second write fails
        CliRunner.Result r = runLimited(16, "run", RESNET, RESNET_MODEL, "--input", RESNET_INPUT, "--blob", "prob",
                "--blob", "conv1", "-o", out.toString());
        assertEquals(ExitCode.IO, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("File too large"), r.err());
        assertEquals(List.of(old), files(out), "no blob file and no temporary file is left");
        assertEquals("previous", Files.readString(old));
    }
}
