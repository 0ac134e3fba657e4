package org.senet4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.HostTensor;
import org.senet4j.engine.ref.ReferenceEngine;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Deconvolution;
import org.senet4j.ir.op.Input;
import org.senet4j.verify.BlobResult;

/**
 * The oneDNN deconvolution step against the reference kernel on corner cases of Caffe's geometry: stride larger than
 * the kernel (outputs only the bias reaches), padding as large as the kernel, groups, dilation, one-pixel inputs.
 */
class DeconvStepTest {
    private static Tensor random(SplittableRandom r, int... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[Math.toIntExact(s.count())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() - 0.5);
        }
        return Tensor.of(s, v);
    }

    @ParameterizedTest(name = "c{0} o{1} k{2}x{3} s{4}x{5} p{6}x{7} d{8}x{9} g{10} {11}x{12} bias {13}")
    @CsvSource({
        "4, 6, 3, 2, 2, 1, 1, 0, 1, 1, 2, 7, 6, true",
        "3, 2, 2, 2, 3, 3, 0, 0, 1, 1, 1, 4, 5, true",
        "4, 4, 2, 3, 1, 2, 2, 3, 1, 1, 4, 5, 5, false",
        "2, 4, 3, 3, 2, 2, 1, 1, 2, 3, 2, 6, 4, true",
        "8, 8, 4, 4, 2, 2, 1, 1, 1, 1, 8, 1, 1, true",
        "5, 3, 1, 1, 1, 1, 0, 0, 1, 1, 1, 3, 7, false"})
    void matchesTheReferenceKernel(int c, int o, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw,
                                   int g, int h, int w, boolean bias) throws Exception {
        SplittableRandom r = new SplittableRandom(c * 31L + o + kh + sh);
        Deconvolution d = new Deconvolution(o, kh, kw, sh, sw, ph, pw, dh, dw, g, random(r, c, o / g, kh, kw),
                bias ? random(r, o) : null);
        Graph.Builder b = Graph.builder("deconv");
        b.add(new Node("data", "Input", new Input(List.of(Shape.of(2, c, h, w)), "Input"), List.of(),
                List.of("data")), List.of("data"));
        b.add(new Node("up", "Deconvolution", d, List.of("data"), List.of("up")), List.of("up"));
        Graph graph = b.outputs(List.of("up")).build();
        Map<String, HostTensor> in = Map.of("data", new HostTensor(graph.shape("data"),
                random(r, 2, c, h, w).toArray()));
        HostTensor want;
        try (ReferenceEngine e = new ReferenceEngine(graph)) {
            want = e.run(in, List.of("up")).get("up");
        }
        try (CpuEngine e = new CpuEngine(graph, EngineOptions.DEFAULT)) {
            assertTrue(e.steps(2).get(0).startsWith("up [deconv "), e.steps(2).toString());
            HostTensor got = e.run(in, List.of("up")).get("up");
            BlobResult res = BlobResult.compare("up", want.shape(), got.data(), want.data(), 1e-5);
            assertTrue(res.pass() && got.shape().equals(want.shape()), res + " " + got.shape());
        }
    }
}
