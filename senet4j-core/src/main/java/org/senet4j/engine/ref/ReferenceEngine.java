package org.senet4j.engine.ref;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.engine.DataDependentRows;
import org.senet4j.engine.Engine;
import org.senet4j.engine.HostTensor;
import org.senet4j.engine.RequestedValues;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Input;

/**
 * Runs a graph with {@link ReferenceKernels}, one op at a time on Java arrays: slow, simple, and the definition the
 * fast engines are checked against. Device name {@code reference}.
 */
public final class ReferenceEngine implements Engine {
    private Graph graph;

    public ReferenceEngine(Graph graph) {
        if (!graph.hasWeights()) {
            throw new IllegalArgumentException("the graph has no weights (loaded without a caffemodel)");
        }
        this.graph = graph;
    }

    @Override
    public String device() {
        return "reference";
    }

    @Override
    public Graph graph() {
        return graph;
    }

    @Override
    public Map<String, HostTensor> run(Map<String, HostTensor> inputs, List<String> requested)
            throws ModelException {
        Graph g = graph;
        int batch = inputs.isEmpty() ? g.batchSize() : inputs.values().iterator().next().shape().dim(0);
        if (batch != g.batchSize()) {
            g = g.withBatchSize(batch);
        }
        RequestedValues.checkInputs(g, inputs);
        Map<String, String> want = DataDependentRows.request(g, RequestedValues.resolve(g, requested));
        Map<String, float[]> values = new HashMap<>();
        for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
            values.put(e.getKey(), e.getValue().data());
        }
        for (Node n : g.nodes()) {
            if (n.op() instanceof Input) {
                continue;
            }
            List<float[]> in = new ArrayList<>();
            for (String v : n.inputs()) {
                in.add(values.get(v));
            }
            List<Shape> outShapes = g.outputShapes(n);
            List<float[]> out;
            try {
                out = ReferenceKernels.run(n.op(), g.inputShapes(n), in, outShapes);
            } catch (IllegalArgumentException e) { // input values the op refuses (an Embed index past its table)
                throw new IllegalArgumentException("layer \"" + n.name() + "\" (" + n.type() + "): "
                        + e.getMessage(), e);
            }
            for (int i = 0; i < out.size(); i++) {
                values.put(n.outputs().get(i), out.get(i));
            }
        }
        Map<String, HostTensor> result = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : want.entrySet()) {
            result.put(e.getKey(), new HostTensor(g.shape(e.getValue()), values.get(e.getValue()).clone()));
        }
        DataDependentRows.trim(g, want, result);
        return result;
    }

    @Override
    public void close() {
        graph = null;
    }
}
