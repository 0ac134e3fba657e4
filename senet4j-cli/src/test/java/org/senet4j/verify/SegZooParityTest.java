package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.CaffemodelWriter;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Interp;
import org.senet4j.ir.op.MaxPoolMask;
import org.senet4j.ir.op.MaxUnpool;
import org.senet4j.ir.op.Power;
import org.senet4j.verify.caffe.CaffeOracle;
import org.senet4j.verify.caffe.OpenCvOracle;

/**
 * The zoo's segmentation nets with seeded random weights: PSPNet-50 (hszhao_PSPNet, ADE20K) and ENet
 * (TimoSaemann_ENet, enet_deploy_final) run on the CPU engine (and ENet on the reference engine) and in ONNX Runtime,
 * every blob within 1e-4 of an oracle running the whole net, at batch 1 and 2: OpenCV dnn for PSPNet (its Interp),
 * real Caffe for ENet (its Pooling mask tops; its unpoolings as the BVLC equivalent of {@link SegOracleNets}).
 *
 * <p>Neither oracle has the fork's {@code BN}, so its copy of each net has every BN replaced by the Caffe Scale (with
 * bias) that senet4j lowers it to, holding the same seeded values (written as a caffemodel): the fork BN's own
 * arithmetic (slope, bias, mean, variance folded; SegNet's scale and shift) is proven by hand in MobileLayersTest,
 * Interp and the unpooling in SegLayersTest.
 *
 * <p>PSPNet-50 is run as a miniature: input 41 x 41 instead of 473 x 473 makes conv5_3 6 x 6 instead of 60 x 60,
 * so the pyramid's pooling kernels and strides (60, 30, 20, 10) become 6, 3, 2, 1 (the same 1, 2, 3 and 6 bins) and
 * its Interp height/width 60 become 6; the rest of the net is as published, including the final zoom_factor 8
 * Interp. ENet runs at 64 x 128 instead of 512 x 1024.
 */
class SegZooParityTest {
    @TempDir
    Path dir;

    private static final ZooReport REPORT = new ZooReport("seg-zoo");

    @AfterAll
    static void report() {
        REPORT.print();
    }

    static final String PSPNET50 = "hszhao_PSPNet/evaluation__prototxt__pspnet50_ADE20K_473.prototxt";
    static final String PSPNET101 = "hszhao_PSPNet/evaluation__prototxt__pspnet101_VOC2012_473.prototxt";
    static final String ENET_FINAL = "TimoSaemann_ENet/prototxts__enet_deploy_final.prototxt";
    static final String ENET = "TimoSaemann_ENet/prototxts__enet_deploy.prototxt";

    /** PSPNet-50 at 41 x 41: the pyramid pooling and its Interp sizes scaled by 1/10 (see the class comment). */
    static String pspnetMiniature(String text) {
        String t = text.replace("input_dim: 473", "input_dim: 41");
        Matcher m = Pattern.compile("kernel_size: (60|30|20|10)(\\s+)stride: \\1").matcher(t);
        StringBuilder out = new StringBuilder();
        int pools = 0;
        while (m.find()) {
            int k = Integer.parseInt(m.group(1)) / 10;
            m.appendReplacement(out, "kernel_size: " + k + m.group(2) + "stride: " + k);
            pools++;
        }
        m.appendTail(out);
        assertEquals(4, pools, "PSPNet-50's four pyramid poolings");
        String s = out.toString();
        int interps = s.split("height: 60\\s+width: 60", -1).length - 1;
        assertEquals(4, interps, "PSPNet-50's four pyramid Interps");
        return s.replaceAll("height: 60(\\s+)width: 60", "height: 6$1width: 6");
    }

    @Test
    void theZoosSegmentationNetsImport() throws Exception {
        for (String file : List.of(PSPNET50, PSPNET101, ENET_FINAL)) {
            Graph g = CaffeImporter.load(TestData.requireShared("caffe-zoo/" + file), null).graph();
            assertTrue(g.nodes().stream().anyMatch(n -> n.op() instanceof Interp || n.op() instanceof MaxUnpool), file);
        }
        Graph psp = CaffeImporter.load(TestData.requireShared("caffe-zoo/" + PSPNET50), null).graph();
        assertEquals(Shape.of(1, 150, 473, 473), psp.shape(psp.outputs().get(0)));
        Graph enet = CaffeImporter.load(TestData.requireShared("caffe-zoo/" + ENET_FINAL), null).graph();
        assertEquals(2, enet.nodes().stream().filter(n -> n.op() instanceof MaxPoolMask).count());
        assertEquals(2, enet.nodes().stream().filter(n -> n.op() instanceof MaxUnpool).count());
        // enet_deploy's Python spatial dropouts (p 0.01 in stage 1, 0.1 after) run built in, as Power layers
        // scaling by 1 / (1 - p)
        Graph deploy = CaffeImporter.load(TestData.requireShared("caffe-zoo/" + ENET), null).graph();
        List<Power> drops = deploy.nodes().stream().filter(n -> n.name().startsWith("drop"))
                .map(n -> (Power) n.op()).toList();
        assertEquals(27, drops.size());
        assertEquals(5, drops.stream().filter(p -> p.equals(new Power(1f, (float) (1 / 0.99), 0f))).count());
        assertEquals(22, drops.stream().filter(p -> p.equals(new Power(1f, (float) (1 / 0.9), 0f))).count());
    }

    /** Checks ONNX Runtime and the {@code engines} on every blob. */
    private void run(String name, String text, long seed, boolean caffe, List<String> engines, int minBlobs)
            throws Exception {
        Path proto = Files.writeString(dir.resolve(name + ".prototxt"), text);
        // the seeded graph stays in memory: its BN layers are already the Scale ops the oracle's copy gets
        Graph g = SeededWeights.fill(CaffeImporter.load(proto, null).graph(), seed);
        String oracleText = SegOracleNets.spatialDropoutAsPower(SegOracleNets.bnAsScale(text));
        if (caffe) {
            oracleText = SegOracleNets.unpoolAsBvlc(oracleText, g);
        }
        Path oracleProto = Files.writeString(dir.resolve(name + "_oracle.prototxt"), oracleText);
        Path weights = dir.resolve(name + ".caffemodel");
        CaffemodelWriter.write(SegOracleNets.weights(CaffeImporter.load(oracleProto, null).graph(), g), weights);
        BackendParity parity = new BackendParity(dir);
        int compared = 0;
        for (int batch : new int[] {1, 2}) {
            Map<String, Path> inputs = ParityNets.inputs(dir, g, batch, seed + batch);
            ReferenceSet ref;
            if (caffe) {
                CaffeOracle.ReferenceSet c = CaffeOracle.makeReference(oracleProto, dir.resolve(name + batch),
                        weights, 0, batch, InputDistribution.UNIFORM, seed + batch, 1, CaffeOracle.Options.defaults());
                ref = new ReferenceSet(c.dir(), c.inputs(), c.blobs());
            } else {
                OpenCvOracle.Result r = OpenCvOracle.forward(oracleProto, weights, inputs, dir.resolve(name + batch),
                        Duration.ofMinutes(5));
                ref = new ReferenceSet(r.dir(), r.inputs(), r.blobs());
            }
            parity.check(name, g, ref, minBlobs, engines, true, false);
            compared = Math.max(compared, ref.blobs().size());
            if (batch == 1) {
                REPORT.outputRanges(name, g, ref);
            }
        }
        REPORT.put(name + " (" + (caffe ? "real Caffe" : "opencv") + ", " + compared + " oracle blobs)",
                parity.worst());
    }

    @Test
    void pspnet50MiniatureMatchesOpenCvOnEveryBlob() throws Exception {
        String text = pspnetMiniature(Files.readString(TestData.requireShared("caffe-zoo/" + PSPNET50)));
        Graph shapes = CaffeImporter.load(Files.writeString(dir.resolve("shapes.prototxt"), text), null).graph();
        assertEquals(Shape.of(1, 2048, 6, 6), shapes.shape("conv5_3"));
        assertEquals(Shape.of(1, 150, 41, 41), shapes.shape("conv6_interp"));
        // the pyramid's bins as published: 1, 2, 3 and 6
        for (int bins : new int[] {1, 2, 3, 6}) {
            assertEquals(Shape.of(1, 2048, bins, bins), shapes.shape("conv5_3_pool" + bins), "bins " + bins);
        }
        run("pspnet50", text, 41, false, List.of("cpu"), 60);
    }

    @Test
    void enetMatchesRealCaffeOnEveryBlob() throws Exception {
        String text = Files.readString(TestData.requireShared("caffe-zoo/" + ENET_FINAL));
        String small = text.replaceFirst("dim: 512(\\s+)dim: 1024", "dim: 64$1dim: 128");
        assertTrue(!small.equals(text));
        run("enet", small, 42, true, List.of("reference", "cpu"), 60);
    }

    /** enet_deploy, before its BN layers were absorbed, with its 27 Python spatial dropouts. */
    @Test
    void enetDeployWithSpatialDropoutMatchesRealCaffeOnEveryBlob() throws Exception {
        String text = Files.readString(TestData.requireShared("caffe-zoo/" + ENET));
        String small = text.replaceFirst("dim: 512(\\s+)dim: 1024", "dim: 64$1dim: 128");
        assertTrue(!small.equals(text));
        run("enet_deploy", small, 43, true, List.of("cpu"), 60);
    }
}
