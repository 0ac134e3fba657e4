package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.Crop;
import org.senet4j.ir.op.Deconvolution;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.ReLU;

/**
 * Deconvolution and Crop run on the host ({@link HostStep}) between device steps: the emulated plan gives the
 * reference engine's values in every element type and layout.
 */
class DeconvCropPlanTest {
    private static Tensor random(SplittableRandom r, int... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[Math.toIntExact(s.count())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() - 0.5);
        }
        return Tensor.of(s, v);
    }

    static Graph graph() throws Exception {
        SplittableRandom r = new SplittableRandom(5);
        Graph.Builder b = Graph.builder("deconv-crop");
        b.add(new Node("data", "Input", new Input(List.of(Shape.of(2, 4, 7, 6)), "Input"), List.of(),
                List.of("data")), List.of("data"));
        b.add(new Node("conv", "Convolution", new Convolution(4, 3, 3, 1, 1, 1, 1, 1, 1, 1, random(r, 4, 4, 3, 3),
                random(r, 4), Activation.NONE), List.of("data"), List.of("conv")), List.of("conv"));
        b.add(new Node("up", "Deconvolution", new Deconvolution(6, 4, 3, 2, 1, 1, 0, 1, 2, 2,
                random(r, 4, 3, 4, 3), random(r, 6)), List.of("conv"), List.of("up")), List.of("up"));
        b.add(new Node("relu", "ReLU", new ReLU(0f), List.of("up"), List.of("relu")), List.of("relu"));
        b.add(new Node("crop", "Crop", new Crop(2, List.of(3, 2)), List.of("relu", "data"), List.of("crop")),
                List.of("crop"));
        b.add(new Node("conv2", "Convolution", new Convolution(3, 1, 1, 1, 1, 0, 0, 1, 1, 1, random(r, 3, 6, 1, 1),
                null, Activation.NONE), List.of("crop"), List.of("conv2")), List.of("conv2"));
        return b.outputs(List.of("conv2")).build();
    }

    @ParameterizedTest(name = "{0} channelsLast={1}")
    @CsvSource({"F32, false", "F32, true", "F16, true", "F16, false"})
    void hostStepsBetweenDeviceStepsMatchTheReferenceEngine(DType type, boolean channelsLast) throws Exception {
        Graph g = graph();
        assertEquals(Shape.of(2, 6, 7, 6), g.shape("crop"));
        PlanSpec spec = new PlanSpec(g, type, channelsLast, PlanSpecTest.MAX_BLOCKS);
        PlanSpecTest.checkMemory(spec);
        TreeSet<String> host = new TreeSet<>();
        for (HostStep h : spec.hostSteps()) {
            host.add(h.op().opName());
        }
        assertEquals(new TreeSet<>(List.of("Crop", "Deconvolution")), host);
        float[] x = random(new SplittableRandom(9), 2, 4, 7, 6).toArray();
        Map<String, HostTensor> in = Map.of("data", new HostTensor(g.shape("data"), x));
        EmulatedParity.run(spec, g, in, List.of("conv", "up", "relu", "crop", "conv2"),
                type == DType.F32 ? 1e-5 : 2e-2).assertPass(type + " nhwc=" + channelsLast, List.of("conv2", "crop"));
    }
}
