package org.senet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.CaffemodelWriter;
import org.senet4j.io.Json;
import org.senet4j.verify.SeededWeights;

/**
 * {@code verify --opencv}: the blob-by-blob report against OpenCV dnn on a net with the fork layers OpenCV runs and
 * real Caffe lacks (ConvolutionDepthwise, ShuffleChannel, ReLU6), its exit codes and options (--batch,
 * --input-shape, --json, --svg, --tolerance), and its refusals: nets with Axpy, no weights, native files.
 */
class VerifyOpenCvTest {
    @TempDir
    Path dir;

    static final String NET = """
            name: "mobile_cli"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 12 dim: 10 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 6 kernel_size: 3 pad: 1 } }
            layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" }
            layer { name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" scale_param { bias_term: true } }
            layer { name: "relu1" type: "ReLU6" bottom: "conv1" top: "conv1" }
            layer { name: "shuffle" type: "ShuffleChannel" bottom: "conv1" top: "shuffle" shuffle_channel_param { group: 3 } }
            layer { name: "dw" type: "ConvolutionDepthwise" bottom: "shuffle" top: "dw"
                    convolution_param { num_output: 6 kernel_size: 3 stride: 2 pad: 1 bias_term: false } }
            layer { name: "pool" type: "Pooling" bottom: "dw" top: "pool" pooling_param { pool: AVE global_pooling: true } }
            layer { name: "fc" type: "InnerProduct" bottom: "pool" top: "fc" inner_product_param { num_output: 4 } }
            layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
            """;

    private Path[] model() throws Exception {
        Path proto = Files.writeString(dir.resolve("net.prototxt"), NET);
        Path weights = dir.resolve("net.caffemodel");
        CaffemodelWriter.write(SeededWeights.fill(CaffeImporter.load(proto, null).graph(), 11), weights);
        return new Path[] {proto, weights};
    }

    @Test
    @SuppressWarnings("unchecked")
    void reportsEveryBlobAgainstOpenCv() throws Exception {
        Path[] m = model();
        Path svg = dir.resolve("errors.svg");
        CliRunner.Result ok = CliRunner.run("verify", m[0].toString(), m[1].toString(), "--opencv", "--batch", "2",
                "--svg", svg.toString());
        assertEquals(ExitCode.OK, ok.code(), ok.err() + ok.out());
        assertTrue(ok.out().contains("PASS") && ok.out().contains("2x4") && ok.out().contains("shuffle"), ok.out());
        assertTrue(Files.readString(svg).contains("<svg"));
        CliRunner.Result json = CliRunner.run("verify", m[0].toString(), m[1].toString(), "--opencv", "--json",
                "--input-shape", "data=1,3,16,14", "--device", "reference");
        assertEquals(ExitCode.OK, json.code(), json.err());
        Map<String, Object> root = (Map<String, Object>) Json.parse(json.out());
        assertEquals(Boolean.TRUE, root.get("pass"));
        List<Map<String, Object>> blobs = (List<Map<String, Object>>) root.get("blobs");
        List<Object> names = blobs.stream().map(b -> b.get("name")).toList();
        assertTrue(names.containsAll(List.of("conv1", "shuffle", "dw", "pool", "fc", "prob")), names.toString());
        Map<String, Object> dw = blobs.stream().filter(b -> b.get("name").equals("dw")).findFirst().orElseThrow();
        assertEquals("[1, 6, 8, 7]", dw.get("shape").toString(), "the reshaped input reached OpenCV too");
        CliRunner.Result strict = CliRunner.run("verify", m[0].toString(), m[1].toString(), "--opencv",
                "--tolerance", "1e-12");
        assertEquals(ExitCode.CHECK_FAILED, strict.code(), strict.out());
        assertTrue(strict.out().contains("FAIL"), strict.out());
    }

    @Test
    void refusesAxpyNetsMissingWeightsAndNativeFiles() throws Exception {
        CliRunner.Result axpy = CliRunner.run("verify", CommandsTest.PROTO, CommandsTest.MODEL, "--opencv");
        assertEquals(ExitCode.USAGE, axpy.code(), axpy.err());
        assertTrue(axpy.err().contains("Axpy") && axpy.err().contains("--caffe"), axpy.err());
        Path[] m = model();
        CliRunner.Result noWeights = CliRunner.run("verify", m[0].toString(), "--opencv");
        assertEquals(ExitCode.USAGE, noWeights.code(), noWeights.err());
        Path nat = dir.resolve("net.safetensors");
        assertEquals(ExitCode.OK, CliRunner.run("convert", m[0].toString(), m[1].toString(), "-o", nat.toString())
                .code());
        CliRunner.Result natRun = CliRunner.run("verify", nat.toString(), "--opencv");
        assertEquals(ExitCode.USAGE, natRun.code(), natRun.err());
        assertTrue(natRun.err().contains("--reference"), natRun.err());
        assertEquals(ExitCode.USAGE, CliRunner.run("verify", m[0].toString(), m[1].toString(), "--opencv", "--caffe")
                .code(), "one oracle at a time");
    }
}
