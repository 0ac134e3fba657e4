package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.passes.Passes;

/**
 * OpenCV's Caffe layer tests, with the outputs real Caffe computed (../shared/caffe-conformance/opencv_extra; skipped
 * without it), at OpenCV's own fp32 tolerances: mean absolute error at most 1e-5 and maximum at most 1e-4.
 */
class OpenCvLayerGoldenTest {
    private static final String DIR = "caffe-conformance/opencv_extra/testdata/dnn/layers/";

    @ParameterizedTest
    @ValueSource(strings = {"layer_softmax", "layer_pooling_max", "layer_lrn_channels", "layer_lrn_spatial",
        "layer_mvn"})
    void layerMatchesCaffesOutput(String name) throws Exception {
        Path proto = TestData.requireShared(DIR + name + ".prototxt");
        Npy.NpyArray input = Npy.read(TestData.requireShared(DIR + "blob.npy"));
        Npy.NpyArray expected = Npy.read(TestData.requireShared(DIR + name + ".npy"));
        Graph g = CaffeImporter.load(proto, null).graph();
        HostTensor out = run(g, "input", new HostTensor(Shape.of(input.shape()), input.data()), "output");
        assertEquals(Shape.of(expected.shape()), out.shape());
        double sum = 0;
        double max = 0;
        for (int i = 0; i < expected.data().length; i++) {
            double d = Math.abs(out.data()[i] - expected.data()[i]);
            sum += d;
            max = Math.max(max, d);
        }
        double mean = sum / expected.data().length;
        assertTrue(mean <= 1e-5, name + ": mean abs error " + mean);
        assertTrue(max <= 1e-4, name + ": max abs error " + max);
    }

    /** Split, Slice, Concat, Reshape (axis and num_axes, rank 6), Flatten: the output is the input again. */
    @Test
    void reshapeAndSliceRoutinesGiveTheInputBack() throws Exception {
        Path proto = TestData.requireShared(DIR + "reshape_and_slice_routines.prototxt");
        Graph g = CaffeImporter.load(proto, null, new CaffeImporter.Options(false, Map.of("input", Shape.of(6, 12))))
                .graph();
        float[] x = new float[72];
        Random r = new Random(0);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        HostTensor out = run(g, "input", new HostTensor(Shape.of(6, 12), x), "output");
        assertEquals(Shape.of(6, 12), out.shape());
        assertArrayEquals(x, out.data());
    }

    private static HostTensor run(Graph g, String input, HostTensor x, String output) throws Exception {
        try (Engine e = Engines.create("cpu", Passes.optimize(g, List.of()), EngineOptions.DEFAULT.withThreads(2))) {
            return e.run(Map.of(input, x), List.of(output)).get(output);
        }
    }
}
