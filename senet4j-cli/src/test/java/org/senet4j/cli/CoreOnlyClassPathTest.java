package org.senet4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.io.Npy;

/**
 * The CLI with nothing but senet4j-core, its two libraries (protobuf-java, jackson-core), picocli and the CLI's own
 * classes on the class path, in a child JVM: inspect, convert to ONNX and native, and run on the reference device
 * work and give the same files and values as the full CLI; asking for the CPU device names the missing artifact.
 */
class CoreOnlyClassPathTest {
    static final Path TD = TestData.testdata();
    static final String PROTO = TD.resolve("se_resnet_mini.prototxt").toString();
    static final String MODEL = TD.resolve("se_resnet_mini/model.caffemodel").toString();
    static final String INPUT = TD.resolve("se_resnet_mini/input_data.npy").toString();

    static String classPath;

    @TempDir
    Path dir;

    record Child(int code, String out, String err) {
    }

    @BeforeAll
    static void coreOnly() throws Exception {
        List<Path> entries = new ArrayList<>();
        for (Class<?> c : List.of(org.senet4j.ir.Graph.class, com.google.protobuf.Message.class,
                com.fasterxml.jackson.core.JsonFactory.class, picocli.CommandLine.class, Main.class)) {
            entries.add(location(c));
        }
        for (Path p : entries) {
            String name = p.toString();
            assertTrue(!name.contains("bytedeco") && !name.contains("nd4j") && !name.contains("onnxruntime")
                    && !name.contains("senet4j-cpu") && !name.contains("senet4j-cuda")
                    && !name.contains("senet4j-caffe"), name);
        }
        classPath = entries.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }

    private static Path location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static Child cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, "org.senet4j.cli.Main"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("senet4j-child", ".out");
        Path err = Files.createTempFile("senet4j-child", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish: " + cmd);
            return new Child(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Child ok(String... args) throws Exception {
        Child c = cli(args);
        assertEquals(0, c.code(), String.join(" ", args) + "\nstdout: " + c.out() + "\nstderr: " + c.err());
        return c;
    }

    @Test
    void inspectConvertAndRunOnTheReferenceDevice() throws Exception {
        Child inspect = ok("inspect", PROTO, MODEL);
        assertEquals(withoutTimes(CliRunner.run("inspect", PROTO, MODEL).out()), withoutTimes(inspect.out()));

        for (String ext : List.of("onnx", "safetensors")) {
            Path child = dir.resolve("child." + ext);
            Path full = dir.resolve("full." + ext);
            ok("convert", PROTO, MODEL, "-o", child.toString());
            assertEquals(0, CliRunner.run("convert", PROTO, MODEL, "-o", full.toString()).code());
            assertArrayEquals(Files.readAllBytes(full), Files.readAllBytes(child), ext + " files differ");
        }
        ok("inspect", dir.resolve("child.safetensors").toString());

        Path runChild = dir.resolve("run-child");
        Path runFull = dir.resolve("run-full");
        ok("run", PROTO, MODEL, "--device", "reference", "--input", INPUT, "-o", runChild.toString());
        assertEquals(0, CliRunner.run("run", PROTO, MODEL, "--device", "reference", "--input", INPUT, "-o",
                runFull.toString()).code());
        try (Stream<Path> files = Files.list(runFull)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".npy")).toList()) {
                assertArrayEquals(Npy.read(f).data(), Npy.read(runChild.resolve(f.getFileName())).data(),
                        f.getFileName().toString());
            }
        }
    }

    private static String withoutTimes(String text) {
        return text.replaceAll("loaded in [0-9.]+ s", "loaded in N s");
    }

    @Test
    void theCpuDeviceNamesItsArtifact() throws Exception {
        Child c = cli("run", PROTO, MODEL, "--device", "cpu", "--input", INPUT, "-o", dir.resolve("o").toString());
        assertEquals(ExitCode.FAILURE, c.code(), c.err());
        assertTrue(c.err().contains("device cpu is not on the class path")
                && c.err().contains("org.senet4j:senet4j-cpu"), c.err());
        assertEquals(1, c.err().lines().count(), "one line, no stack trace: " + c.err());

        Child devices = ok("devices");
        assertTrue(devices.out().matches("(?s)reference +org.senet4j:senet4j-core +available; precisions fp32\n.*"),
                devices.out());
        assertTrue(devices.out().contains("org.senet4j:senet4j-cpu") && devices.out().contains("not on the class "
                + "path"), devices.out());
    }
}
