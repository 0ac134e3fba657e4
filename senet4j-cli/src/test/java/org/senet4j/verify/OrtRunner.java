package org.senet4j.verify;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Shape;

/** Runs an exported ONNX file with ONNX Runtime (2 threads) and returns the requested outputs. */
final class OrtRunner implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    OrtRunner(Path model) throws Exception {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            session = env.createSession(model.toString(), o);
        }
    }

    Set<String> outputNames() {
        return session.getOutputNames();
    }

    Map<String, HostTensor> run(Map<String, HostTensor> inputs, Set<String> wanted) throws Exception {
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
                int[] d = e.getValue().shape().dims();
                long[] shape = new long[d.length];
                for (int i = 0; i < d.length; i++) {
                    shape[i] = d[i];
                }
                in.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue().data()), shape));
            }
            Map<String, HostTensor> out = new LinkedHashMap<>();
            try (OrtSession.Result r = session.run(in, wanted)) {
                for (Map.Entry<String, OnnxValue> e : r) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    long[] s = t.getInfo().getShape();
                    int[] dims = new int[s.length];
                    for (int i = 0; i < s.length; i++) {
                        dims[i] = (int) s[i];
                    }
                    FloatBuffer fb = t.getFloatBuffer();
                    float[] v = new float[fb.remaining()];
                    fb.get(v);
                    out.put(e.getKey(), new HostTensor(Shape.of(dims), v));
                }
            }
            return out;
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() throws Exception {
        session.close();
    }
}
