package org.senet4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.senet4j.ModelException;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.ir.Graph;
import org.senet4j.verify.SeededWeights;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.BatchNorm;
import org.senet4j.ir.op.Op;

/** Shared test helpers: graphs with seeded random weights, ONNX Runtime sessions and runs, error measures. */
final class OrtSupport {
    private OrtSupport() {
    }

    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);

    /** A graph from prototxt text (written to {@code dir}), its weights filled by {@link #randomWeights}. */
    static Graph load(Path dir, String prototxt, long seed, float scaleFactor) throws IOException, ModelException {
        Path p = Files.createTempFile(dir, "net", ".prototxt");
        Files.writeString(p, prototxt);
        return randomWeights(CaffeImporter.load(p, null).graph(), seed, scaleFactor);
    }

    /**
     * The graph with every weight replaced by the oracle's seeded, numerically tame random values
     * ({@link SeededWeights}), BatchNorm scale factors set to {@code scaleFactor}.
     */
    static Graph randomWeights(Graph g, long seed, float scaleFactor) throws ModelException {
        Graph filled = SeededWeights.fill(g, seed);
        if (scaleFactor == 1f) {
            return filled;
        }
        Graph.Builder b = Graph.builder(filled.name()).metadata(filled.metadata());
        for (Node n : filled.nodes()) {
            Op op = n.op() instanceof BatchNorm ? n.op().withWeights(Map.of("scale_factor",
                    Tensor.of(Shape.of(1), new float[] {scaleFactor}))) : n.op();
            b.add(n.withOp(op), filled.blobsOf(n));
        }
        return b.outputs(filled.outputs()).build();
    }

    static float[] uniform(long count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) count];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        return v;
    }

    static OrtSession session(byte[] model, int threads) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            return ENV.createSession(model, o);
        }
    }

    /** An ONNX Runtime result: values and shapes by output name. */
    record Outputs(Map<String, float[]> values, Map<String, Shape> shapes) {
    }

    /** Runs the session on float inputs (name to values, shapes from {@code shapes}); all outputs unless named. */
    static Outputs run(OrtSession s, Map<String, float[]> inputs, Map<String, Shape> shapes, Set<String> wanted)
            throws OrtException {
        return run(s, inputs, shapes, wanted, null);
    }

    /**
     * As {@link #run(OrtSession, Map, Map, Set)}, copying the values only of the outputs in {@code valuesOf} (all when
     * null); every output's shape is returned.
     */
    static Outputs run(OrtSession s, Map<String, float[]> inputs, Map<String, Shape> shapes, Set<String> wanted,
                       Set<String> valuesOf) throws OrtException {
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, float[]> e : inputs.entrySet()) {
                long[] dims = java.util.Arrays.stream(shapes.get(e.getKey()).dims()).asLongStream().toArray();
                in.put(e.getKey(), OnnxTensor.createTensor(ENV, FloatBuffer.wrap(e.getValue()), dims));
            }
            try (OrtSession.Result r = wanted == null ? s.run(in) : s.run(in, wanted)) {
                Map<String, float[]> values = new LinkedHashMap<>();
                Map<String, Shape> outShapes = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : r) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    long[] d = t.getInfo().getShape();
                    outShapes.put(e.getKey(), Shape.ofLongs(d));
                    if (valuesOf != null && !valuesOf.contains(e.getKey())) {
                        continue;
                    }
                    FloatBuffer fb = t.getFloatBuffer();
                    float[] v = new float[fb.remaining()];
                    fb.get(v);
                    values.put(e.getKey(), v);
                }
                return new Outputs(values, outShapes);
            }
        } finally {
            for (OnnxTensor t : in.values()) {
                t.close();
            }
        }
    }

    /** Relative L-infinity error {@code max|a - b| / max|b|} (absolute when b is all zeros). */
    static double relErr(float[] a, float[] b) {
        assertEquals(b.length, a.length, "element count");
        double diff = 0;
        double ref = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) {
                ref = Math.max(ref, Math.abs(b[i]));
                continue;
            }
            diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
            ref = Math.max(ref, Math.abs(b[i]));
        }
        if (Double.isNaN(diff)) {
            return Double.POSITIVE_INFINITY;
        }
        return ref == 0 ? diff : diff / ref;
    }

    static void assertClose(float[] actual, float[] expected, double tol, String what) {
        double e = relErr(actual, expected);
        assertTrue(e <= tol, what + ": relative error " + e + " > " + tol);
    }

    static void assertShape(Shape expected, Shape actual, String what) {
        assertArrayEquals(expected.dims(), actual.dims(), what + ": ORT shape " + actual + " vs IR " + expected);
    }
}
