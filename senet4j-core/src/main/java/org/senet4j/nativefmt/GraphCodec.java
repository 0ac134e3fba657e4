package org.senet4j.nativefmt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Op;

/**
 * The graph as JSON (see {@link NativeFormat}) and back. Decoding rebuilds the graph through {@link Graph.Builder}, so
 * every shape is inferred and checked again, and checks the result against the stored shapes, inputs and outputs.
 */
final class GraphCodec {
    private static final Set<String> GRAPH_KEYS = Set.of("name", "inputs", "outputs", "nodes");
    private static final Set<String> NODE_KEYS = Set.of("name", "type", "op", "inputs", "outputs", "blobs", "shapes",
            "attrs", "weights");

    private GraphCodec() {
    }

    /** A weight tensor of the graph under its name in the file. */
    record NamedTensor(String name, Tensor tensor) {
    }

    /** The graph's JSON and its tensors in the order they are to be stored. */
    record Encoded(Map<String, Object> json, List<NamedTensor> tensors) {
    }

    /** The file's name of weight {@code weight} of node {@code node}. */
    static String tensorName(String node, String weight) {
        return node + "/" + weight;
    }

    static Encoded encode(Graph g) {
        List<NamedTensor> tensors = new ArrayList<>();
        List<Object> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", n.name());
            m.put("type", n.type());
            Op op = n.op();
            OpCodecs.Codec<?> codec = OpCodecs.of(op);
            m.put("op", codec.name());
            m.put("inputs", n.inputs());
            m.put("outputs", n.outputs());
            m.put("blobs", g.blobsOf(n));
            m.put("shapes", g.outputShapes(n).stream().map(AttrWriter::shape).toList());
            m.put("attrs", codec.encode(op));
            Map<String, Object> w = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : op.weights().entrySet()) {
                String name = tensorName(n.name(), e.getKey());
                w.put(e.getKey(), name);
                tensors.add(new NamedTensor(name, e.getValue()));
            }
            m.put("weights", w);
            nodes.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", g.name());
        root.put("inputs", g.inputs());
        root.put("outputs", g.outputs());
        root.put("nodes", nodes);
        return new Encoded(root, tensors);
    }

    /**
     * Builds the graph described by {@code json}.
     *
     * @param tensors the file's tensor of a given name, or null when there is none
     * @throws ModelException naming the node and field when the JSON is not a valid graph
     */
    static Graph decode(Object json, Map<String, String> metadata, Function<String, Tensor> tensors)
            throws ModelException {
        Map<?, ?> root = object(json, "header: " + NativeFormat.METADATA + "." + NativeFormat.KEY_GRAPH);
        keys(root, GRAPH_KEYS, "graph");
        String name = string(root.get("name"), "graph.name");
        List<String> inputs = strings(root.get("inputs"), "graph.inputs");
        List<String> outputs = strings(root.get("outputs"), "graph.outputs");
        List<?> nodes = list(root.get("nodes"), "graph.nodes");
        Graph.Builder b = Graph.builder(name).metadata(metadata);
        for (int i = 0; i < nodes.size(); i++) {
            node(b, nodes.get(i), "graph.nodes[" + i + "]", tensors);
        }
        b.outputs(outputs);
        Graph g = b.build();
        if (!g.inputs().equals(inputs)) {
            throw ModelException.field("graph.inputs", inputs + " disagree with the outputs of the Input nodes "
                    + g.inputs());
        }
        return g;
    }

    private static void node(Graph.Builder b, Object json, String where, Function<String, Tensor> tensors)
            throws ModelException {
        Map<?, ?> m = object(json, where);
        String name = string(m.get("name"), where + ".name");
        String type = string(m.get("type"), where + ".type");
        try {
            keys(m, NODE_KEYS, "node");
            String opName = string(m.get("op"), "op");
            List<String> inputs = strings(m.get("inputs"), "inputs");
            List<String> outputs = strings(m.get("outputs"), "outputs");
            List<String> blobs = strings(m.get("blobs"), "blobs");
            if (blobs.size() != outputs.size()) {
                throw ModelException.field("blobs", blobs.size() + " blobs for " + outputs.size() + " outputs");
            }
            List<?> shapeList = list(m.get("shapes"), "shapes");
            if (shapeList.size() != outputs.size()) {
                throw ModelException.field("shapes", shapeList.size() + " shapes for " + outputs.size() + " outputs");
            }
            List<Shape> shapes = new ArrayList<>();
            for (int i = 0; i < shapeList.size(); i++) {
                shapes.add(OpReader.shape(shapeList.get(i), "shapes[" + i + "]"));
            }
            OpCodecs.Codec<?> codec = OpCodecs.named(opName);
            if (codec == null) {
                throw ModelException.field("op", "unknown op \"" + opName + "\"; known ops: "
                        + String.join(", ", OpCodecs.names()));
            }
            Map<String, Object> attrs = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : object(m.get("attrs"), "attrs").entrySet()) {
                attrs.put((String) e.getKey(), e.getValue());
            }
            Map<String, Tensor> weights = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : object(m.get("weights"), "weights").entrySet()) {
                String f = "weights." + e.getKey();
                String tensorName = string(e.getValue(), f);
                Tensor t = tensors.apply(tensorName);
                if (t == null) {
                    throw ModelException.field(f, "tensor \"" + tensorName + "\" is not in the file's header");
                }
                weights.put((String) e.getKey(), t);
            }
            OpReader reader = new OpReader(attrs, weights, outputs.size());
            Op op;
            try {
                op = codec.decoder().decode(reader);
                reader.finish();
            } catch (IllegalArgumentException e) {
                throw ModelException.field("attrs", e.getMessage());
            }
            Node node = new Node(name, type, op, inputs, outputs);
            try {
                b.add(node, blobs);
            } catch (RuntimeException e) {
                // attributes that pass the op's own checks can still overflow its shape arithmetic
                throw ModelException.field("attrs", "cannot infer the output shapes: " + e.getMessage());
            }
            for (int i = 0; i < outputs.size(); i++) {
                Shape inferred = b.shape(outputs.get(i));
                if (!inferred.equals(shapes.get(i))) {
                    throw ModelException.field("shapes[" + i + "]", "stored shape " + shapes.get(i)
                            + " of value \"" + outputs.get(i) + "\" disagrees with the inferred " + inferred);
                }
            }
        } catch (ModelException e) {
            throw e.inLayer(name, type);
        }
    }

    private static void keys(Map<?, ?> m, Set<String> allowed, String what) throws ModelException {
        for (String k : allowed) {
            if (!m.containsKey(k)) {
                throw ModelException.field(what.equals("node") ? k : what + "." + k, "missing");
            }
        }
        for (Object k : m.keySet()) {
            if (!allowed.contains(k)) {
                throw ModelException.field(what.equals("node") ? (String) k : what + "." + k, "unknown key");
            }
        }
    }

    private static Map<?, ?> object(Object v, String field) throws ModelException {
        if (!(v instanceof Map<?, ?> m)) {
            throw ModelException.field(field, v == null ? "missing" : "expected an object, got " + JsonInput.kind(v));
        }
        return m;
    }

    private static List<?> list(Object v, String field) throws ModelException {
        if (!(v instanceof List<?> l)) {
            throw ModelException.field(field, v == null ? "missing" : "expected a list, got " + JsonInput.kind(v));
        }
        return l;
    }

    private static String string(Object v, String field) throws ModelException {
        if (!(v instanceof String s)) {
            throw ModelException.field(field, v == null ? "missing" : "expected a string, got " + JsonInput.kind(v));
        }
        return s;
    }

    private static List<String> strings(Object v, String field) throws ModelException {
        List<?> l = list(v, field);
        List<String> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            out.add(string(l.get(i), field + "[" + i + "]"));
        }
        return out;
    }
}
