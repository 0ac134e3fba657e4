package org.senet4j.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.engine.ref.ReferenceKernels;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.op.Input;

/** Every value of a graph computed by the project's reference kernels (Caffe's definitions): the ONNX tests' oracle. */
final class CaffeReference {
    private CaffeReference() {
    }

    /** Every value of the graph for these inputs (by value name). */
    static Map<String, float[]> run(Graph g, Map<String, float[]> inputs) {
        Map<String, float[]> v = new HashMap<>(inputs);
        for (Node n : g.nodes()) {
            if (n.op() instanceof Input) {
                continue;
            }
            List<float[]> in = new ArrayList<>();
            for (String i : n.inputs()) {
                in.add(v.get(i));
            }
            List<float[]> out = ReferenceKernels.run(n.op(), g.inputShapes(n), in, g.outputShapes(n));
            for (int i = 0; i < out.size(); i++) {
                v.put(n.outputs().get(i), out.get(i));
            }
        }
        return v;
    }
}
