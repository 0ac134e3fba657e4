package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.CaffemodelWriter;
import org.senet4j.engine.HostTensor;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.verify.caffe.CaffeOracle;
import org.senet4j.verify.caffe.CaffeOracleException;
import org.senet4j.verify.caffe.ForkCaffe;
import org.senet4j.verify.caffe.OpenCvOracle;

/**
 * The segmentation layers against the oracles that run them, every blob within 1e-4 (relative L-infinity) on the
 * reference and CPU engines (passes on and off) and ONNX Runtime (folding on and off), at batch 1 and 2:
 * <ul>
 *   <li>real Caffe: MAX Pooling's mask top (pad, stride, ceil overhang, kernel_h/kernel_w, global), after a ReLU so
 *       that many windows hold ties (all zeros): the first maximum's index in Caffe and in the ONNX export;</li>
 *   <li>fork-caffe (eric612/MobileNet-YOLO): the one-bottom nearest Upsample (scale 2, 3 and the default 1);</li>
 *   <li>OpenCV dnn: Interp (zoom_factor, height/width, 1-pixel output), with seeded weights written as a
 *       caffemodel (OpenCV 4.6 has no Upsample layer type and no Pooling mask top);</li>
 *   <li>real Caffe on a BVLC equivalent of SegNet's two-bottom Upsample by 2 (see {@link SegOracleNets}), on masks
 *       real Caffe's Pooling computes: scale 2 and upsample_h/upsample_w, two unpoolings in a row;</li>
 *   <li>what no oracle reads (Interp's shrink_factor, pad_beg/pad_end, both factors; scale_h/scale_w, pad_out): the CPU
 *       engine and ONNX Runtime against the reference kernels, which senet4j-core's SegLayersTest proves on cases
 *       computed by hand from the forks' sources.</li>
 * </ul>
 */
class SegOpsParityTest {
    @TempDir
    Path dir;

    private static final Map<String, Double> WORST = new java.util.TreeMap<>();

    @AfterAll
    static void report() {
        System.out.println("SegOpsParityTest worst relative errors: " + WORST);
    }

    static final String CAFFE_NET = """
            name: "caffe_mask"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 11 dim: 13 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 weight_filler { type: "gaussian" std: 0.3 }
                                        bias_filler { type: "gaussian" std: 0.3 } } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "pool_pad" type: "Pooling" bottom: "conv1" top: "pool_pad" top: "mask_pad"
                    pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 } }
            layer { name: "pool_ceil" type: "Pooling" bottom: "conv1" top: "pool_ceil" top: "mask_ceil"
                    pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            layer { name: "pool_hw" type: "Pooling" bottom: "conv1" top: "pool_hw" top: "mask_hw"
                    pooling_param { pool: MAX kernel_h: 3 kernel_w: 2 stride_h: 3 stride_w: 2 pad_h: 1 pad_w: 1 } }
            layer { name: "pool_global" type: "Pooling" bottom: "conv1" top: "pool_global" top: "mask_global"
                    pooling_param { pool: MAX global_pooling: true } }
            layer { name: "pool_plain" type: "Pooling" bottom: "pool_pad" top: "pool_plain"
                    pooling_param { pool: MAX kernel_size: 2 stride: 1 } }
            """;

    static final String FORK_NET = """
            name: "fork_upsample"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 5 dim: 7 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "up2" type: "Upsample" bottom: "conv1" top: "up2" upsample_param { scale: 2 } }
            layer { name: "up3" type: "Upsample" bottom: "conv1" top: "up3" upsample_param { scale: 3 } }
            layer { name: "up1" type: "Upsample" bottom: "conv1" top: "up1" }
            layer { name: "conv2" type: "Convolution" bottom: "up2" top: "conv2"
                    convolution_param { num_output: 2 kernel_size: 3 stride: 2 } }
            """;

    static final String OPENCV_NET = """
            name: "opencv_seg"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 10 dim: 9 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"
                    pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            layer { name: "conv2" type: "Convolution" bottom: "pool1" top: "conv2"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "zoom" type: "Interp" bottom: "conv2" top: "zoom" interp_param { zoom_factor: 3 } }
            layer { name: "size" type: "Interp" bottom: "conv1" top: "size" interp_param { height: 7 width: 13 } }
            layer { name: "pixel" type: "Interp" bottom: "conv2" top: "pixel" interp_param { height: 1 width: 1 } }
            layer { name: "conv3" type: "Convolution" bottom: "size" top: "conv3"
                    convolution_param { num_output: 2 kernel_size: 1 } }
            """;

    static final String UNPOOL_NET = """
            name: "caffe_unpool"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 12 dim: 8 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" top: "pool1_mask"
                    pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            layer { name: "pool2" type: "Pooling" bottom: "pool1" top: "pool2" top: "pool2_mask"
                    pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            layer { name: "conv2" type: "Convolution" bottom: "pool2" top: "conv2"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "unpool2" type: "Upsample" bottom: "conv2" bottom: "pool2_mask" top: "unpool2"
                    upsample_param { scale: 2 } }
            layer { name: "unpool1" type: "Upsample" bottom: "unpool2" bottom: "pool1_mask" top: "unpool1"
                    upsample_param { upsample_h: 12 upsample_w: 8 } }
            layer { name: "conv3" type: "Convolution" bottom: "unpool1" top: "conv3"
                    convolution_param { num_output: 2 kernel_size: 3 pad: 1 } }
            """;

    static final String HAND_NET = """
            name: "hand_seg"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 9 dim: 8 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "shrink" type: "Interp" bottom: "conv1" top: "shrink" interp_param { shrink_factor: 2 } }
            layer { name: "both" type: "Interp" bottom: "conv1" top: "both" interp_param { shrink_factor: 3 zoom_factor: 2 } }
            layer { name: "crop" type: "Interp" bottom: "conv1" top: "crop"
                    interp_param { zoom_factor: 2 pad_beg: -1 pad_end: -2 } }
            layer { name: "crop_copy" type: "Interp" bottom: "conv1" top: "crop_copy"
                    interp_param { zoom_factor: 1 pad_beg: -2 } }
            layer { name: "crop_size" type: "Interp" bottom: "conv1" top: "crop_size"
                    interp_param { height: 1 width: 5 pad_end: -1 } }
            layer { name: "pool" type: "Pooling" bottom: "conv1" top: "pool" top: "pool_mask"
                    pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 } }
            layer { name: "unpool_hw" type: "Upsample" bottom: "pool" bottom: "pool_mask" top: "unpool_hw"
                    upsample_param { scale_h: 2 scale_w: 3 } }
            layer { name: "unpool_pad" type: "Upsample" bottom: "pool" bottom: "pool_mask" top: "unpool_pad"
                    upsample_param { scale: 2 pad_out_h: true } }
            layer { name: "near" type: "Upsample" bottom: "shrink" top: "near" upsample_param { scale: 2 } }
            """;

    private void record(BackendParity p) {
        p.worst().forEach((k, v) -> WORST.merge(k, v, Math::max));
    }

    @Test
    void poolingMaskTopMatchesRealCaffe() throws Exception {
        Path proto = Files.writeString(dir.resolve("caffe.prototxt"), CAFFE_NET);
        BackendParity parity = new BackendParity(dir);
        for (int batch : new int[] {1, 2}) {
            CaffeOracle.ReferenceSet caffe = CaffeOracle.makeReference(proto, dir.resolve("caffe" + batch), null, 31,
                    batch, InputDistribution.UNIFORM, 40 + batch, 1, CaffeOracle.Options.defaults());
            assertTrue(caffe.blobs().keySet().containsAll(List.of("mask_pad", "mask_ceil", "mask_hw", "mask_global",
                    "pool_plain")), caffe.blobs().keySet().toString());
            // ties: the ReLU leaves windows of zeros, whose mask is the window's first cell
            float[] relu = Npy.read(caffe.blobs().get("conv1")).data();
            long zeros = 0;
            for (float v : relu) {
                zeros += v == 0f ? 1 : 0;
            }
            assertTrue(zeros > relu.length / 5, "too few ties: " + zeros + " of " + relu.length);
            Graph g = CaffeImporter.load(proto, caffe.model()).graph();
            parity.check("caffe", g, new ReferenceSet(caffe.dir(), caffe.inputs(), caffe.blobs()), 10);
        }
        record(parity);
    }

    @Test
    void nearestUpsampleMatchesForkCaffe() throws Exception {
        Path home = ParityNets.forkHome();
        ParityNets.Model m = ParityNets.seeded(dir, "fork", FORK_NET, 32);
        BackendParity parity = new BackendParity(dir);
        for (int batch : new int[] {1, 2}) {
            ForkCaffe.Result r;
            try {
                r = ForkCaffe.forward(home, m.prototxt(), m.weights(), 0,
                        ParityNets.inputs(dir, m.graph(), batch, 50 + batch), dir.resolve("fork" + batch),
                        Duration.ofMinutes(5));
            } catch (CaffeOracleException e) {
                assumeTrue(System.getenv("CI") != null || !e.getMessage().contains("cannot open shared object file"),
                        "fork-caffe's runtime libraries are missing");
                throw e;
            }
            assertTrue(r.blobs().keySet().containsAll(List.of("up2", "up3", "up1", "conv2")),
                    r.blobs().keySet().toString());
            parity.check("fork-caffe", m.graph(), new ReferenceSet(r.dir(), r.inputs(), r.blobs()), 6);
        }
        record(parity);
    }

    @Test
    void interpMatchesOpenCv() throws Exception {
        ParityNets.Model m = ParityNets.seeded(dir, "opencv", OPENCV_NET, 33);
        BackendParity parity = new BackendParity(dir);
        for (int batch : new int[] {1, 2}) {
            OpenCvOracle.Result r = OpenCvOracle.forward(m.prototxt(), m.weights(),
                    ParityNets.inputs(dir, m.graph(), batch, 60 + batch), dir.resolve("opencv" + batch),
                    Duration.ofMinutes(5));
            assertTrue(r.blobs().keySet().containsAll(List.of("pool1", "zoom", "size", "pixel", "conv3")),
                    r.blobs().keySet().toString());
            parity.check("opencv", m.graph(), new ReferenceSet(r.dir(), r.inputs(), r.blobs()), 7);
        }
        record(parity);
    }

    @Test
    void unpoolingMatchesRealCaffeOnItsBvlcEquivalent() throws Exception {
        ParityNets.Model m = ParityNets.seeded(dir, "unpool", UNPOOL_NET, 35);
        Path oracle = Files.writeString(dir.resolve("unpool_bvlc.prototxt"),
                SegOracleNets.unpoolAsBvlc(UNPOOL_NET, m.graph()));
        Path weights = dir.resolve("unpool_bvlc.caffemodel");
        CaffemodelWriter.write(SegOracleNets.weights(CaffeImporter.load(oracle, null).graph(), m.graph()), weights);
        BackendParity parity = new BackendParity(dir);
        for (int batch : new int[] {1, 2}) {
            CaffeOracle.ReferenceSet caffe = CaffeOracle.makeReference(oracle, dir.resolve("unpool" + batch), weights,
                    0, batch, InputDistribution.UNIFORM, 80 + batch, 1, CaffeOracle.Options.defaults());
            assertTrue(caffe.blobs().keySet().containsAll(List.of("pool1_mask", "pool2_mask", "unpool2", "unpool1",
                    "conv3")), caffe.blobs().keySet().toString());
            parity.check("caffe-bvlc-unpool", m.graph(), new ReferenceSet(caffe.dir(), caffe.inputs(),
                    caffe.blobs()), 9);
        }
        record(parity);
    }

    @Test
    void everyOpsetExportsTheSameValues() throws Exception {
        // Resize takes its spatial sizes with the axes attribute from opset 18, N and C from Shape before it
        Graph seeded = SeededWeights.fill(CaffeImporter.load(Files.writeString(dir.resolve("opsets.prototxt"),
                HAND_NET), null).graph(), 36).withBatchSize(2);
        List<String> blobs = List.of("shrink", "both", "crop", "crop_copy", "crop_size", "pool_mask", "unpool_hw",
                "unpool_pad", "near");
        Map<String, HostTensor> in = Map.of("data", new HostTensor(seeded.shape("data"),
                SeededWeights.input(seeded.shape("data"), InputDistribution.UNIFORM, 90)));
        Map<String, HostTensor> want;
        try (org.senet4j.engine.Engine e = org.senet4j.engine.Engines.create("reference", seeded,
                org.senet4j.engine.EngineOptions.DEFAULT)) {
            want = e.run(in, blobs);
        }
        for (int opset : new int[] {org.senet4j.onnx.ExportOptions.MIN_OPSET, 17, 18,
            org.senet4j.onnx.ExportOptions.MAX_OPSET}) {
            Path onnx = dir.resolve("opset" + opset + ".onnx");
            org.senet4j.onnx.OnnxExporter.write(seeded, org.senet4j.onnx.ExportOptions.defaults().withOpset(opset)
                    .withExposeAll(true), onnx);
            try (OrtRunner ort = new OrtRunner(onnx)) {
                Map<String, HostTensor> got = ort.run(in, new java.util.HashSet<>(blobs));
                for (String b : blobs) {
                    BlobResult c = BlobResult.compare(b, got.get(b).shape(), got.get(b).data(), want.get(b).data(),
                            BackendParity.TOLERANCE);
                    assertTrue(c.pass() && got.get(b).shape().equals(want.get(b).shape()), "opset " + opset + ": " + c);
                    WORST.merge("opsets onnx", c.relError(), Math::max);
                }
            }
        }
    }

    @Test
    void whatOpenCvDoesNotReadAgainstTheReferenceKernels() throws Exception {
        Graph seeded = SeededWeights.fill(CaffeImporter.load(Files.writeString(dir.resolve("hand.prototxt"), HAND_NET),
                null).graph(), 34);
        BackendParity parity = new BackendParity(dir);
        List<String> blobs = List.of("conv1", "shrink", "both", "crop", "crop_copy", "crop_size", "pool", "pool_mask",
                "unpool_hw", "unpool_pad", "near");
        for (int batch : new int[] {1, 2}) {
            Graph g = seeded.withBatchSize(batch);
            Map<String, HostTensor> in = new LinkedHashMap<>();
            for (String i : g.inputs()) {
                in.put(i, new HostTensor(g.shape(i), SeededWeights.input(g.shape(i), InputDistribution.UNIFORM,
                        70 + batch)));
            }
            ReferenceSet ref = parity.fromReferenceEngine("hand" + batch, g, in, blobs);
            parity.check("hand", seeded, ref, 11);
        }
        record(parity);
    }
}
