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
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.BatchNorm;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.PReLU;
import org.senet4j.ir.op.Scale;

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
     * The graph with every weight replaced by seeded random values that keep activations tame: convolution and
     * InnerProduct weights He-normal, BatchNorm mean U(-0.1, 0.1), variance U(0.5, 1.5) and the given scale factor,
     * Scale gamma U(0.5, 1) and beta U(-0.1, 0.1), biases U(-0.1, 0.1), PReLU slopes U(0, 0.5).
     */
    static Graph randomWeights(Graph g, long seed, float scaleFactor) throws ModelException {
        SplittableRandom r = new SplittableRandom(seed);
        Graph.Builder b = Graph.builder(g.name()).metadata(g.metadata());
        for (Node n : g.nodes()) {
            Op op = n.op();
            Map<String, Tensor> w = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : op.weights().entrySet()) {
                Shape s = e.getValue().shape();
                float[] v = new float[(int) s.count()];
                String k = e.getKey();
                if (k.equals("weight")) {
                    double fanIn = s.rank() == 4 ? s.count(1, 4) : (double) s.count() / s.dim(
                            op instanceof org.senet4j.ir.op.InnerProduct ip && ip.transpose() ? 1 : 0);
                    double sd = Math.sqrt(2.0 / fanIn);
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (r.nextGaussian() * sd);
                    }
                } else if (op instanceof BatchNorm && k.equals("mean")) {
                    fill(v, r, -0.1, 0.1);
                } else if (op instanceof BatchNorm && k.equals("variance")) {
                    fill(v, r, 0.5, 1.5);
                } else if (op instanceof BatchNorm) {
                    v[0] = scaleFactor;
                } else if (op instanceof Scale && k.equals("scale")) {
                    fill(v, r, 0.5, 1.0);
                } else if (op instanceof PReLU) {
                    fill(v, r, 0.0, 0.5);
                } else {
                    fill(v, r, -0.1, 0.1);
                }
                w.put(k, Tensor.of(s, v));
            }
            b.add(n.withOp(w.isEmpty() ? op : op.withWeights(w)), g.blobsOf(n));
        }
        return b.outputs(g.outputs()).build();
    }

    private static void fill(float[] v, SplittableRandom r, double lo, double hi) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble(lo, hi);
        }
    }

    static float[] uniform(long count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) count];
        fill(v, r, -1, 1);
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
