package org.senet4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.EngineUnavailableException;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.engine.Precision;
import org.senet4j.engine.UnsupportedPrecisionException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.InnerProduct;
import org.senet4j.passes.Passes;
import org.senet4j.passes.RoundWeightsToBf16;
import org.senet4j.verify.BlobResult;
import org.senet4j.verify.SeededWeights;

/**
 * The bf16 plan of the CPU engine against the reference engine (fp32) on small nets, with bars derived from the
 * rounding. bf16 keeps 8 significant bits: rounding to nearest even changes a value by at most u = 2^-8 of its
 * magnitude. A convolution or inner product rounds its input and its weights once each and accumulates in f32, so
 * each product w x is off by at most (2u + u^2)|w x| and the sum by at most (2u + u^2) S + 2K 2^-24 S, where
 * S = sum |w| |x| over the K products of an output (computed here from the same weights and input); a bf16 output is
 * rounded once more (u |y|). Max pooling is 1-Lipschitz (its error is the largest error in the window, plus its own
 * rounding), average pooling averages the errors; ReLU and the f32 Java steps add nothing. These bounds are checked
 * element by element; composite nets (the SE block, with its sigmoid) are checked against 2e-2 relative L-infinity,
 * the bar for whole SENets against real Caffe. Every test also checks that the plan really runs bf16 steps.
 */
class Bf16PlanTest {
    static final double U = Math.scalb(1.0, -8);

    @TempDir
    Path dir;

    Graph net(String body) throws Exception {
        Path p = Files.writeString(dir.resolve("net.prototxt"), body);
        Graph g = SeededWeights.fill(CaffeImporter.load(p, null).graph(), 3);
        return Passes.optimize(g, List.of());
    }

    static float[] input(Shape s, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] x = new float[Math.toIntExact(s.count())];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return x;
    }

    record Runs(Map<String, HostTensor> ref, Map<String, HostTensor> bf16, List<String> steps) {
    }

    Runs run(Graph g, Map<String, HostTensor> in, List<String> blobs) throws Exception {
        Map<String, HostTensor> ref;
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            ref = e.run(in, blobs);
        }
        try (CpuEngine e = (CpuEngine) Engines.create("cpu", g, EngineOptions.DEFAULT.withThreads(2)
                .withPrecision(Precision.BF16))) {
            assertEquals(Precision.BF16, e.precision());
            return new Runs(ref, e.run(in, blobs), e.steps(g.batchSize()));
        }
    }

    /** S = sum |w| |x| of each output of a group-1 convolution (NCHW, logical order). */
    static double[] absConv(Convolution c, float[] x, Shape xs, Shape ys) {
        int n = xs.dim(0);
        int ci = xs.dim(1);
        int h = xs.dim(2);
        int w = xs.dim(3);
        int co = ys.dim(1);
        int oh = ys.dim(2);
        int ow = ys.dim(3);
        double[] s = new double[Math.toIntExact(ys.count())];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < co; o++) {
                for (int y = 0; y < oh; y++) {
                    for (int xx = 0; xx < ow; xx++) {
                        double acc = 0;
                        for (int i = 0; i < ci; i++) {
                            for (int ky = 0; ky < c.kernelH(); ky++) {
                                for (int kx = 0; kx < c.kernelW(); kx++) {
                                    int iy = y * c.strideH() - c.padH() + ky;
                                    int ix = xx * c.strideW() - c.padW() + kx;
                                    if (iy < 0 || ix < 0 || iy >= h || ix >= w) {
                                        continue;
                                    }
                                    float wv = c.weight().get(((o * ci + i) * c.kernelH() + ky) * c.kernelW() + kx);
                                    acc += Math.abs(wv) * Math.abs(x[((b * ci + i) * h + iy) * w + ix]);
                                }
                            }
                        }
                        s[((b * co + o) * oh + y) * ow + xx] = acc;
                    }
                }
            }
        }
        return s;
    }

    /** The bound of a bf16 convolution or inner product over K products, before any output rounding. */
    static double accumulated(double s, int k) {
        return (2 * U + U * U) * s + 2.0 * k * Math.scalb(1.0, -24) * s;
    }

    static void withinBound(String what, float[] got, float[] ref, double[] bound) {
        double worst = 0;
        for (int i = 0; i < ref.length; i++) {
            double err = Math.abs(got[i] - ref[i]);
            assertTrue(err <= bound[i] + 1e-30, what + "[" + i + "]: error " + err + " over the bound " + bound[i]
                    + " (bf16 " + got[i] + ", fp32 " + ref[i] + ")");
            worst = Math.max(worst, bound[i] == 0 ? 0 : err / bound[i]);
        }
        assertTrue(worst > 0, what + ": no difference at all from fp32: the plan did not round");
    }

    static Convolution conv(Graph g, String name) {
        for (Node n : g.nodes()) {
            if (n.name().equals(name)) {
                return (Convolution) n.op();
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void convolutionPoolingAndReluStayWithinTheRoundingBound() throws Exception {
        Graph g = net("""
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 16 dim: 9 dim: 9 } } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                        convolution_param { num_output: 24 kernel_size: 3 pad: 1 } }
                layer { name: "relu" type: "ReLU" bottom: "conv" top: "relu" }
                layer { name: "max" type: "Pooling" bottom: "relu" top: "max"
                        pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
                layer { name: "ave" type: "Pooling" bottom: "relu" top: "ave"
                        pooling_param { pool: AVE kernel_size: 3 stride: 3 } }
                """);
        Shape xs = Shape.of(2, 16, 9, 9);
        float[] x = input(xs, 11);
        Runs r = run(g, Map.of("data", new HostTensor(xs, x)), List.of("relu", "max", "ave"));
        assertTrue(r.steps().stream().anyMatch(s -> s.startsWith("conv [conv") && s.contains("bf16")), r.steps()
                .toString());
        assertTrue(r.steps().stream().anyMatch(s -> s.startsWith("max [pool bf16")), r.steps().toString());
        Shape ys = g.shape("relu");
        double[] s = absConv(conv(g, "conv"), x, xs, ys);
        float[] y = r.ref().get("relu").data();
        double[] bConv = new double[s.length];
        double[] bRounded = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            bConv[i] = accumulated(s[i], 16 * 9);
            bRounded[i] = bConv[i] + U * (Math.abs(y[i]) + bConv[i]);
        }
        withinBound("relu(conv)", r.bf16().get("relu").data(), y, bRounded);
        // max pooling of the rounded map: the largest bound in the window, and its own rounding (none: the max of
        // bf16 values is a bf16 value)
        Shape ms = g.shape("max");
        double[] bMax = new double[Math.toIntExact(ms.count())];
        double[] bAve = new double[Math.toIntExact(g.shape("ave").count())];
        float[] ave = r.ref().get("ave").data();
        int h = ys.dim(2);
        for (int b = 0; b < 2; b++) {
            for (int c = 0; c < 24; c++) {
                for (int oy = 0; oy < ms.dim(2); oy++) {
                    for (int ox = 0; ox < ms.dim(3); ox++) {
                        double m = 0;
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int iy = Math.min(oy * 2 + ky, h - 1);
                                int ix = Math.min(ox * 2 + kx, h - 1);
                                m = Math.max(m, bRounded[((b * 24 + c) * h + iy) * h + ix]);
                            }
                        }
                        bMax[((b * 24 + c) * ms.dim(2) + oy) * ms.dim(3) + ox] = m;
                    }
                }
                for (int oy = 0; oy < 3; oy++) {
                    for (int ox = 0; ox < 3; ox++) {
                        double sum = 0;
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                sum += bRounded[((b * 24 + c) * h + oy * 3 + ky) * h + ox * 3 + kx];
                            }
                        }
                        int o = ((b * 24 + c) * 3 + oy) * 3 + ox;
                        bAve[o] = sum / 9 + U * (Math.abs(ave[o]) + sum / 9) + 9 * Math.scalb(1.0, -24) * sum;
                    }
                }
            }
        }
        withinBound("max pool", r.bf16().get("max").data(), r.ref().get("max").data(), bMax);
        withinBound("average pool", r.bf16().get("ave").data(), ave, bAve);
    }

    @Test
    void innerProductOnAMapAndEltwiseAfterTwoConvolutionsStayWithinTheBound() throws Exception {
        Graph g = net("""
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 8 dim: 6 dim: 6 } } }
                layer { name: "a" type: "Convolution" bottom: "data" top: "a"
                        convolution_param { num_output: 8 kernel_size: 1 } }
                layer { name: "b" type: "Convolution" bottom: "data" top: "b"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "sum" eltwise_param { coeff: 1 coeff: -0.5 } }
                layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 5 } }
                """);
        Shape xs = Shape.of(2, 8, 6, 6);
        float[] x = input(xs, 5);
        Runs r = run(g, Map.of("data", new HostTensor(xs, x)), List.of("a", "b", "sum", "fc"));
        assertTrue(r.steps().stream().anyMatch(s -> s.startsWith("fc [inner product bf16")), r.steps().toString());
        double[] sa = absConv(conv(g, "a"), x, xs, g.shape("a"));
        double[] sb = absConv(conv(g, "b"), x, xs, g.shape("b"));
        float[] ya = r.ref().get("a").data();
        float[] yb = r.ref().get("b").data();
        double[] ba = new double[sa.length];
        double[] bb = new double[sa.length];
        double[] bs = new double[sa.length];
        for (int i = 0; i < sa.length; i++) {
            ba[i] = accumulated(sa[i], 8) + U * (Math.abs(ya[i]) + accumulated(sa[i], 8));
            bb[i] = accumulated(sb[i], 72) + U * (Math.abs(yb[i]) + accumulated(sb[i], 72));
            bs[i] = ba[i] + 0.5 * bb[i] + Math.scalb(1.0, -23) * (Math.abs(ya[i]) + 0.5 * Math.abs(yb[i]));
        }
        withinBound("conv 1x1", r.bf16().get("a").data(), ya, ba);
        withinBound("conv 3x3", r.bf16().get("b").data(), yb, bb);
        withinBound("eltwise sum (f32, of bf16 inputs)", r.bf16().get("sum").data(), r.ref().get("sum").data(), bs);
        InnerProduct ip = null;
        for (Node n : g.nodes()) {
            if (n.op() instanceof InnerProduct p) {
                ip = p;
            }
        }
        float[] w = ip.weightRows();
        int k = 8 * 36;
        double[] bfc = new double[10];
        for (int b = 0; b < 2; b++) {
            for (int o = 0; o < 5; o++) {
                double s = 0;
                for (int i = 0; i < k; i++) {
                    s += Math.abs(w[o * k + i]) * Math.abs(x[b * k + i]);
                }
                bfc[b * 5 + o] = accumulated(s, k); // a 2-D output stays f32
            }
        }
        withinBound("inner product", r.bf16().get("fc").data(), r.ref().get("fc").data(), bfc);
    }

    /** An SE block with a projection, then a convolution, pooling, concatenation, TanH and a classifier. */
    static final String SE_BLOCK = """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 16 dim: 8 dim: 8 } } }
                layer { name: "c1" type: "Convolution" bottom: "data" top: "c1" convolution_param { num_output: 16 kernel_size: 3 pad: 1 } }
                layer { name: "bn" type: "BatchNorm" bottom: "c1" top: "c1" }
                layer { name: "sc" type: "Scale" bottom: "c1" top: "c1" scale_param { bias_term: true } }
                layer { name: "r1" type: "ReLU" bottom: "c1" top: "c1" }
                layer { name: "c2" type: "Convolution" bottom: "c1" top: "c2" convolution_param { num_output: 32 kernel_size: 1 } }
                layer { name: "proj" type: "Convolution" bottom: "data" top: "proj" convolution_param { num_output: 32 kernel_size: 1 } }
                layer { name: "gp" type: "Pooling" bottom: "c2" top: "gp" pooling_param { pool: AVE global_pooling: true } }
                layer { name: "down" type: "Convolution" bottom: "gp" top: "down" convolution_param { num_output: 4 kernel_size: 1 } }
                layer { name: "rd" type: "ReLU" bottom: "down" top: "down" }
                layer { name: "up" type: "Convolution" bottom: "down" top: "up" convolution_param { num_output: 32 kernel_size: 1 } }
                layer { name: "gate" type: "Sigmoid" bottom: "up" top: "up" }
                layer { name: "axpy" type: "Axpy" bottom: "up" bottom: "c2" bottom: "proj" top: "axpy" }
                layer { name: "ra" type: "ReLU" bottom: "axpy" top: "axpy" }
                layer { name: "c3" type: "Convolution" bottom: "axpy" top: "c3" convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "pool" type: "Pooling" bottom: "c3" top: "pool" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
                layer { name: "cat" type: "Concat" bottom: "pool" bottom: "pool" top: "cat" }
                layer { name: "t" type: "TanH" bottom: "cat" top: "t" }
                layer { name: "fc" type: "InnerProduct" bottom: "t" top: "fc" inner_product_param { num_output: 10 } }
                layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
                """;

    @Test
    void anSeBlockWithItsResidualMatchesWithinTheNetBar() throws Exception {
        Graph g = net(SE_BLOCK);
        Shape xs = Shape.of(2, 16, 8, 8);
        List<String> blobs = List.of("c1", "c2", "proj", "gp", "down", "up", "axpy", "c3", "pool", "cat", "t", "fc",
                "prob");
        Runs r = run(g, Map.of("data", new HostTensor(xs, input(xs, 9))), blobs);
        for (String b : blobs) {
            BlobResult c = BlobResult.compare(b, r.ref().get(b).shape(), r.bf16().get(b).data(), r.ref().get(b).data(),
                    2e-2);
            assertTrue(c.pass(), c.toString());
        }
        List<String> s = r.steps();
        // the block's last convolution and its projection write f32, so the residual sum is f32 (and so is the
        // squeeze that pools it); the SE FCs run in f32; the next convolution reads a bf16 copy of the sum
        assertTrue(s.contains("c2 [conv brgconv_1x1:avx512_core_bf16 bf16 -> f32]")
                || s.stream().anyMatch(x -> x.startsWith("c2 [conv") && x.endsWith("bf16 -> f32]")), s.toString());
        assertTrue(s.stream().anyMatch(x -> x.startsWith("proj [conv") && x.endsWith("bf16 -> f32]")), s.toString());
        assertTrue(s.contains("axpy [scale-mul-add-RELU]"), "an f32 residual sum: " + s);
        assertTrue(s.contains("gp [pool]"), s.toString());
        assertTrue(s.stream().anyMatch(x -> x.startsWith("down [conv") && !x.contains("bf16")), s.toString());
        assertTrue(s.stream().anyMatch(x -> x.startsWith("axpy") && x.endsWith(" [convert f32 -> bf16]")),
                s.toString());
        assertTrue(s.stream().anyMatch(x -> x.startsWith("c3 [conv") && x.endsWith(" bf16]")), s.toString());
        assertTrue(s.contains("pool [pool bf16]") && s.contains("cat [concat bf16]") && s.contains("t [eltwise_tanh bf16]")
                && s.contains("fc [inner product bf16]"), s.toString());
        assertEquals(2, s.stream().filter(x -> x.contains("convert")).count(), "the input and the sum: " + s);
    }

    /**
     * {@code verify --bf16-weights} rounds what a bf16 plan rounds, as oneDNN rounds it: a bf16 plan gives the same
     * bits on the rounded weights as on the original ones (a weight rounded that the plan keeps in f32, the SE FCs
     * here, or a different rounding would show), while fp32 arithmetic on them differs from fp32 on the original.
     */
    @Test
    void aBf16PlanRoundsTheWeightsAsRoundWeightsToBf16Does() throws Exception {
        Graph g = net(SE_BLOCK);
        Graph rounded = new RoundWeightsToBf16().apply(g);
        Shape xs = Shape.of(2, 16, 8, 8);
        Map<String, HostTensor> in = Map.of("data", new HostTensor(xs, input(xs, 5)));
        List<String> blobs = List.of("c1", "down", "up", "axpy", "fc", "prob");
        EngineOptions bf16 = EngineOptions.DEFAULT.withThreads(2).withPrecision(Precision.BF16);
        EngineOptions fp32 = EngineOptions.DEFAULT.withThreads(2);
        Map<String, HostTensor> a = runOn(g, bf16, in, blobs);
        Map<String, HostTensor> b = runOn(rounded, bf16, in, blobs);
        Map<String, HostTensor> exact = runOn(g, fp32, in, blobs);
        Map<String, HostTensor> weightsOnly = runOn(rounded, fp32, in, blobs);
        for (String blob : blobs) {
            assertArrayEquals(a.get(blob).data(), b.get(blob).data(), blob + ": bf16 plans of both graphs");
        }
        // fp32 on rounded weights: each product off by at most u |w x|, both sums in f32 (ReLU adds nothing)
        double[] sums = absConv(conv(g, "c1"), in.get("data").data(), xs, g.shape("c1"));
        double[] bound = new double[sums.length];
        for (int i = 0; i < sums.length; i++) {
            bound[i] = U * sums[i] + 2.0 * 16 * 9 * Math.scalb(1.0, -24) * sums[i];
        }
        withinBound("c1 on rounded weights", weightsOnly.get("c1").data(), exact.get("c1").data(), bound);
    }

    private static Map<String, HostTensor> runOn(Graph g, EngineOptions o, Map<String, HostTensor> in,
            List<String> blobs) throws Exception {
        try (Engine e = Engines.create("cpu", g, o)) {
            return e.run(in, blobs);
        }
    }

    @Test
    void theBf16PlanTypesEveryBufferAndConvertsOnlyAtBoundaries() throws Exception {
        Graph g = net("""
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 dim: 6 dim: 6 } } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
                layer { name: "lrn" type: "LRN" bottom: "conv" top: "lrn" }
                layer { name: "conv2" type: "Convolution" bottom: "lrn" top: "conv2" convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
                layer { name: "conv3" type: "Convolution" bottom: "lrn" top: "conv3" convolution_param { num_output: 4 kernel_size: 1 } }
                """);
        try (CpuEngine e = (CpuEngine) Engines.create("cpu", g, EngineOptions.DEFAULT.withThreads(1)
                .withPrecision(Precision.BF16))) {
            List<String> s = e.steps(1);
            assertEquals(List.of("data [convert f32 -> bf16]", "conv", "conv [convert bf16 -> f32]", "lrn [java LRN]",
                    "lrn [convert f32 -> bf16]", "conv2", "conv3"), s.stream().map(x -> x.contains("[conv ")
                    ? x.substring(0, x.indexOf(' ')) : x).toList(), "one conversion per value and type: " + s);
        }
        try (CpuEngine e = (CpuEngine) Engines.create("cpu", g, EngineOptions.DEFAULT.withThreads(1))) {
            assertTrue(e.steps(1).stream().noneMatch(x -> x.contains("convert") || x.contains("bf16")),
                    "fp32 plans have no bf16: " + e.steps(1));
        }
    }

    @Test
    void theApiTakesBf16OnTheCpuAndRefusesItOnTheReferenceDevice() throws Exception {
        Path root = org.senet4j.TestData.testdata();
        org.senet4j.api.Model model = org.senet4j.api.Model.load(root.resolve("se_resnet_mini.prototxt"),
                root.resolve("se_resnet_mini/model.caffemodel"));
        float[] x = input(Shape.of(2, 3, 35, 35), 4);
        float[] fp32;
        try (org.senet4j.api.Session s = model.newSession(org.senet4j.api.SessionOptions.on("cpu").withThreads(2))) {
            fp32 = s.run(x);
        }
        try (org.senet4j.api.Session s = model.newSession(org.senet4j.api.SessionOptions.on("cpu")
                .withPrecision(Precision.BF16).withThreads(2))) {
            float[] bf16 = s.run(x);
            BlobResult c = BlobResult.compare("prob", Shape.of(2, 10), bf16, fp32, 2e-2);
            assertTrue(c.pass() && c.maxAbsError() > 0, c.toString());
        }
        UnsupportedPrecisionException e = assertThrows(UnsupportedPrecisionException.class,
                () -> model.newSession(org.senet4j.api.SessionOptions.on("reference").withPrecision(Precision.BF16)));
        assertEquals("device reference does not run bf16; it runs fp32 (bf16 runs on the cpu device)", e.getMessage());
    }

    @Test
    void precisionsTheCpuCannotRunAreRefused() throws Exception {
        Graph g = net("""
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 3 dim: 3 } } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 2 kernel_size: 1 } }
                """);
        UnsupportedPrecisionException fp16 = assertThrows(UnsupportedPrecisionException.class,
                () -> Engines.create("cpu", g, EngineOptions.DEFAULT.withPrecision(Precision.FP16)));
        assertEquals("device cpu does not run fp16; it runs fp32, bf16 (fp16 runs on the cuda device)",
                fp16.getMessage());
        String old = System.getProperty(CpuIsa.OVERRIDE);
        try {
            System.setProperty(CpuIsa.OVERRIDE, "avx2");
            EngineUnavailableException noBf16 = assertThrows(EngineUnavailableException.class,
                    () -> Engines.create("cpu", g, EngineOptions.DEFAULT.withPrecision(Precision.BF16)));
            assertTrue(noBf16.getMessage().startsWith("device cpu cannot run bf16 here: this processor has no native "
                    + "bf16 arithmetic: oneDNN's effective ISA is avx2,"), noBf16.getMessage());
            try (Engine e = Engines.create("cpu", g, EngineOptions.DEFAULT)) {
                assertEquals("cpu", e.device(), "fp32 still runs");
            }
            System.setProperty(CpuIsa.OVERRIDE, "avx512_core_vnni");
            assertThrows(EngineUnavailableException.class,
                    () -> Engines.create("cpu", g, EngineOptions.DEFAULT.withPrecision(Precision.BF16)));
        } finally {
            if (old == null) {
                System.clearProperty(CpuIsa.OVERRIDE);
            } else {
                System.setProperty(CpuIsa.OVERRIDE, old);
            }
        }
        assertTrue(CpuIsa.hasBf16(CpuIsa.value("avx512_core_bf16")) && CpuIsa.hasBf16(CpuIsa.value("avx512_core_amx"))
                && CpuIsa.hasBf16(CpuIsa.value("avx10_2_512")) && !CpuIsa.hasBf16(CpuIsa.value("avx2_vnni_2"))
                && !CpuIsa.hasBf16(CpuIsa.value("avx512_core_vnni")));
        assertTrue(CpuIsa.hasBf16(CpuIsa.effective()), "this machine has avx512_bf16, oneDNN says "
                + CpuIsa.name(CpuIsa.effective()));
        assertThrows(UnsupportedPrecisionException.class,
                () -> Engines.create("reference", g, EngineOptions.DEFAULT.withPrecision(Precision.BF16)));
    }
}
