package org.senet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.nativefmt.NativeReader;
import org.senet4j.onnx.proto.ModelProto;
import org.senet4j.caffe.CaffemodelWriter;
import org.senet4j.verify.SeededWeights;

/**
 * A detection net through the command line: run returns the real detection rows, convert refuses a DetectionOutput
 * that ONNX cannot express (adaptive NMS) naming the layer, and {@code --outputs} cuts the graph after the heads for
 * ONNX and native files alike; an unknown name is a usage error.
 */
class DetectionCommandsTest {
    @TempDir
    Path dir;

    static final String NET = """
            name: "ssd_cli"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 24 dim: 32 } } }
            layer { name: "feat" type: "Convolution" bottom: "data" top: "feat" convolution_param { num_output: 4 kernel_size: 3 stride: 4 } }
            layer { name: "loc" type: "Convolution" bottom: "feat" top: "loc" convolution_param { num_output: 12 kernel_size: 1 } }
            layer { name: "loc_perm" type: "Permute" bottom: "loc" top: "loc_perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "loc_flat" type: "Flatten" bottom: "loc_perm" top: "loc_flat" }
            layer { name: "conf" type: "Convolution" bottom: "feat" top: "conf" convolution_param { num_output: 9 kernel_size: 1 } }
            layer { name: "conf_perm" type: "Permute" bottom: "conf" top: "conf_perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "conf_flat" type: "Flatten" bottom: "conf_perm" top: "conf_flat" }
            layer { name: "prior" type: "PriorBox" bottom: "feat" bottom: "data" top: "prior"
                    prior_box_param { min_size: 6 aspect_ratio: 2 variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 } }
            layer { name: "detection_out" type: "DetectionOutput" bottom: "loc_flat" bottom: "conf_flat" bottom: "prior"
                    top: "detection_out" detection_output_param { num_classes: 3 code_type: CENTER_SIZE
                    nms_param { nms_threshold: 0.7 eta: 0.9 top_k: 20 } keep_top_k: 30 confidence_threshold: 0.45 } }
            """;

    @Test
    void runConvertAndCut() throws Exception {
        Path proto = Files.writeString(dir.resolve("ssd.prototxt"), NET);
        Graph g = SeededWeights.fill(CaffeImporter.load(proto, null).graph(), 9);
        Path model = dir.resolve("ssd.caffemodel");
        CaffemodelWriter.write(g, model);
        Path in = dir.resolve("in.npy");
        Npy.write(in, new int[] {2, 3, 24, 32}, SeededWeights.input(org.senet4j.ir.Shape.of(2, 3, 24, 32),
                org.senet4j.verify.InputDistribution.UNIFORM, 3));

        CliRunner.Result run = CliRunner.run("run", proto.toString(), model.toString(), "--input", in.toString(),
                "-o", dir.resolve("out").toString());
        assertEquals(0, run.code(), run.err());
        Npy.NpyArray det = Npy.read(dir.resolve("out").resolve("detection_out.npy"));
        assertEquals(4, det.shape().length);
        assertTrue(det.shape()[2] > 0 && det.shape()[2] <= 60, "rows " + det.shape()[2] + " of at most 2 x 30");
        for (int i = 0; i < det.shape()[2]; i++) {
            assertTrue(det.data()[7 * i] >= 0, "no padding row");
        }

        Path onnx = dir.resolve("ssd.onnx");
        CliRunner.Result refused = CliRunner.run("convert", proto.toString(), model.toString(), "-o", onnx.toString());
        assertEquals(ExitCode.BAD_MODEL, refused.code(), refused.out());
        assertTrue(refused.err().contains("\"detection_out\"") && refused.err().contains("eta")
                && refused.err().contains("--outputs loc_flat,conf_flat,prior"), refused.err());
        assertTrue(!Files.exists(onnx));

        CliRunner.Result cut = CliRunner.run("convert", proto.toString(), model.toString(), "-o", onnx.toString(),
                "--outputs", "loc_flat,conf_flat,prior");
        assertEquals(0, cut.code(), cut.err());
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(onnx));
        assertEquals(List.of("loc_flat", "conf_flat", "prior"), m.getGraph().getOutputList().stream()
                .map(v -> v.getName()).toList());
        assertTrue(m.getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("NonMaxSuppression")));

        Path nat = dir.resolve("heads.safetensors");
        assertEquals(0, CliRunner.run("convert", proto.toString(), model.toString(), "-o", nat.toString(),
                "--outputs", "loc_perm").code());
        Graph heads = NativeReader.read(nat);
        assertEquals(List.of("loc_perm"), heads.outputs());
        assertTrue(heads.nodes().stream().noneMatch(n -> n.name().equals("conf") || n.name().equals("prior")),
                "only the layers the outputs need");

        CliRunner.Result unknown = CliRunner.run("convert", proto.toString(), model.toString(), "-o",
                dir.resolve("x.onnx").toString(), "--outputs", "mbox_nope");
        assertEquals(ExitCode.USAGE, unknown.code());
        assertTrue(unknown.err().contains("--outputs") && unknown.err().contains("mbox_nope"), unknown.err());
    }
}
