package org.senet4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.onnx.ExportOptions;
import org.senet4j.onnx.OnnxExporter;

/** ONNX Runtime (Java, CPU) on the ONNX export of the same graph and weights: a benchmark peer. */
public final class OrtPeer implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Map<String, OnnxTensor> inputs = new HashMap<>();

    /**
     * @param threads intra-op threads (inter-op 1, sequential execution, all graph optimisations)
     */
    public OrtPeer(Graph graph, int threads) throws ModelException, OrtException {
        env = OrtEnvironment.getEnvironment();
        byte[] model = OnnxExporter.export(graph, ExportOptions.defaults());
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(model, o);
        }
    }

    /** Sets the inputs of the next runs. */
    public void inputs(Map<String, HostTensor> in) throws OrtException {
        close(inputs);
        for (Map.Entry<String, HostTensor> e : in.entrySet()) {
            long[] shape = new long[e.getValue().shape().rank()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.getValue().shape().dim(i);
            }
            inputs.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue().data()), shape));
        }
    }

    public void run() throws OrtException {
        try (OrtSession.Result r = session.run(inputs)) {
            r.get(0);
        }
    }

    private static void close(Map<String, OnnxTensor> m) {
        m.values().forEach(OnnxTensor::close);
        m.clear();
    }

    @Override
    public void close() throws OrtException {
        close(inputs);
        session.close();
    }
}
