package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.OcrNets;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.verify.InputDistribution;
import org.senet4j.verify.SeededWeights;

/**
 * The OCR layers in CUDA plans: a CRNN-style tail (Transpose, the Reshape to T x N x C, a bidirectional pair of fork
 * Lstm layers with Reverse around the backward one, Concat, an inner product over axis 2, CTCGreedyDecoder) and a
 * ContinuationIndicator after a device convolution. The Transpose (Permute), Reverse, Lstm, ContinuationIndicator
 * and decoder run on the host between device steps; the emulated plan matches the reference engine on every value
 * (decoded sequences exactly), at batch 1 and 2, in both layouts.
 */
class OcrOpsPlanTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"1, false", "1, true", "2, false", "2, true"})
    void ocrLayersBetweenDeviceSteps(int batch, boolean channelsLast) throws Exception {
        Path p = Files.writeString(dir.resolve("net.prototxt"), OcrNets.tail(batch, 7));
        Graph g = SeededWeights.fill(CaffeImporter.load(p, null).graph(), 9);
        assertEquals(Shape.of(batch, 7, 1, 1), g.shape("result"));
        assertEquals(Shape.of(7, batch), g.shape("ci"));
        PlanSpec spec = new PlanSpec(g, DType.F32, channelsLast, PlanSpecTest.MAX_BLOCKS);
        PlanSpecTest.checkMemory(spec);
        assertEquals(List.of("trans", "lstm", "rev1", "rlstm", "rev2", "result", "ci", "rev_c"),
                spec.hostSteps().stream().map(HostStep::layer).filter(l -> !l.equals("seq") && !l.equals("blstm")
                        && !l.equals("fc")).toList(), "the OCR layers run on the host");
        float[] x = new float[batch * 3 * 2 * 7];
        InputDistribution.UNIFORM.fill(3 + batch, x);
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(batch, 3, 2, 7), x));
        List<String> blobs = OcrNets.TAIL_BLOBS;
        EmulatedParity.run(spec, g, in, blobs, 1e-4).assertPass("b" + batch + " nhwc=" + channelsLast, blobs);
        EmulatedParity.run(spec, g, in, List.of("result", "ci"), 0).assertPass("decoded exactly", 2);
    }
}
