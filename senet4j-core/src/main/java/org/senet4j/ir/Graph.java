package org.senet4j.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.senet4j.ModelException;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.Op;

/**
 * An immutable network graph: nodes in execution order, every value they read and write with its shape, the graph's
 * inputs (the tops of its {@link Input} nodes) and outputs, and free-form metadata (source files, preprocessing).
 *
 * <p>Invariants, checked when a graph is built: node and value names are unique, every node reads only values
 * written by earlier nodes (so there are no cycles), each value has one writer, and every shape agrees with its op.
 */
public final class Graph {
    private final String name;
    private final List<Node> nodes;
    private final Map<String, Value> values;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Map<String, String> metadata;
    private final Map<String, Node> producers;
    private final Map<String, List<Node>> consumers;

    private Graph(String name, List<Node> nodes, Map<String, Value> values, List<String> inputs,
                  List<String> outputs, Map<String, String> metadata) {
        this.name = name;
        this.nodes = List.copyOf(nodes);
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        Map<String, Node> p = new HashMap<>();
        Map<String, List<Node>> c = new HashMap<>();
        for (Node n : this.nodes) {
            for (String o : n.outputs()) {
                p.put(o, n);
            }
            for (String i : n.inputs()) {
                c.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
            }
        }
        this.producers = p;
        c.replaceAll((k, v) -> List.copyOf(v));
        this.consumers = c;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Map<String, Value> values() {
        return values;
    }

    /** The value called {@code name}. */
    public Value value(String valueName) {
        Value v = values.get(valueName);
        if (v == null) {
            throw new IllegalArgumentException("unknown value \"" + valueName + "\"");
        }
        return v;
    }

    public Shape shape(String valueName) {
        return value(valueName).shape();
    }

    public List<String> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The node that writes {@code value}. */
    public Node producer(String valueName) {
        value(valueName);
        return producers.get(valueName);
    }

    /** The nodes that read {@code value}, in execution order. */
    public List<Node> consumers(String valueName) {
        value(valueName);
        return consumers.getOrDefault(valueName, List.of());
    }

    public Node node(String nodeName) {
        for (Node n : nodes) {
            if (n.name().equals(nodeName)) {
                return n;
            }
        }
        throw new IllegalArgumentException("unknown node \"" + nodeName + "\"");
    }

    public List<Shape> inputShapes(Node n) {
        return n.inputs().stream().map(this::shape).toList();
    }

    public List<Shape> outputShapes(Node n) {
        return n.outputs().stream().map(this::shape).toList();
    }

    /**
     * The value a name refers to: a value name, or a Caffe blob name, which means the blob's last value (what Caffe
     * holds under that name after a forward pass).
     *
     * @throws IllegalArgumentException naming the known blobs when there is no such value
     */
    public String resolve(String valueOrBlob) {
        if (values.containsKey(valueOrBlob)) {
            return valueOrBlob;
        }
        String last = null;
        for (Value v : values.values()) {
            if (v.blob().equals(valueOrBlob)) {
                last = v.name();
            }
        }
        if (last == null) {
            throw new IllegalArgumentException("unknown blob \"" + valueOrBlob + "\"; the graph has "
                    + blobNames().size() + " blobs, e.g. " + String.join(", ", blobNames().stream().limit(8).toList()));
        }
        return last;
    }

    /** The Caffe blob names of the graph, in order of first appearance. */
    public List<String> blobNames() {
        Set<String> seen = new java.util.LinkedHashSet<>();
        for (Value v : values.values()) {
            seen.add(v.blob());
        }
        return List.copyOf(seen);
    }

    /** Learnable parameters of all nodes. */
    public long parameterCount() {
        return nodes.stream().mapToLong(n -> n.op().parameterCount()).sum();
    }

    /** Multiply-accumulates of one run at the graph's shapes. */
    public long macs() {
        return nodes.stream().mapToLong(n -> n.op().macs(inputShapes(n), outputShapes(n))).sum();
    }

    /** Batch size: the first dimension of the first input. */
    public int batchSize() {
        return shape(inputs.get(0)).dim(0);
    }

    /** Whether every weight tensor has values. */
    public boolean hasWeights() {
        return nodes.stream().allMatch(n -> n.op().weights().values().stream().allMatch(Tensor::hasData));
    }

    /**
     * The same graph with every input's first dimension set to {@code batch}, shapes inferred again.
     *
     * @throws ModelException when some layer cannot take that batch (a Reshape with a fixed first dimension)
     */
    public Graph withBatchSize(int batch) throws ModelException {
        if (batch <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batch);
        }
        if (batchSize() == batch) {
            return this;
        }
        Builder b = builder(name).metadata(metadata);
        for (Node n : nodes) {
            Op op = n.op();
            if (op instanceof Input in) {
                op = new Input(in.shapes().stream().map(s -> s.rank() == 0 ? s : s.with(0, batch)).toList(),
                        in.source());
            }
            b.add(n.withOp(op), blobsOf(n));
        }
        return b.outputs(outputs).build();
    }

    /** The Caffe blob names of a node's outputs. */
    public List<String> blobsOf(Node n) {
        return n.outputs().stream().map(o -> value(o).blob()).toList();
    }

    /** A builder holding this graph's nodes, to derive a changed graph. */
    public Builder toBuilder() {
        Builder b = builder(name).metadata(metadata);
        for (Node n : nodes) {
            b.addUnchecked(n, blobsOf(n), outputShapes(n));
        }
        return b;
    }

    /** A copy with more metadata entries (replacing those with the same keys). */
    public Graph withMetadata(Map<String, String> more) {
        Map<String, String> m = new LinkedHashMap<>(metadata);
        m.putAll(more);
        return new Graph(name, nodes, values, inputs, outputs, m);
    }

    @Override
    public String toString() {
        return "Graph[" + name + ", " + nodes.size() + " nodes, inputs " + inputs + ", outputs " + outputs + "]";
    }

    /**
     * Builds a graph node by node, inferring each node's output shapes from its op as it is added. Nodes must come in
     * execution order.
     */
    public static final class Builder {
        private final String name;
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, Value> values = new LinkedHashMap<>();
        private final Set<String> nodeNames = new HashSet<>();
        private final Map<String, Node> producers = new HashMap<>();
        private final List<String> inputs = new ArrayList<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private List<String> outputs;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder metadata(Map<String, String> entries) {
            metadata.putAll(entries);
            return this;
        }

        public Builder metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        /** Whether a value of this name exists already. */
        public boolean hasValue(String valueName) {
            return values.containsKey(valueName);
        }

        public Shape shape(String valueName) {
            Value v = values.get(valueName);
            return v == null ? null : v.shape();
        }

        /**
         * Adds a node; its outputs get the shapes its op computes and belong to the given Caffe blobs.
         *
         * @throws ModelException naming the node when an input is unknown, a name is taken, or the shapes do not fit
         */
        public Builder add(Node node, List<String> outputBlobs) throws ModelException {
            List<Shape> in = new ArrayList<>();
            for (int i = 0; i < node.inputs().size(); i++) {
                String v = node.inputs().get(i);
                Value value = values.get(v);
                if (value == null) {
                    throw ModelException.layer(node.name(), node.type(), "bottom[" + i + "]",
                            "value \"" + v + "\" is not produced by any earlier layer");
                }
                in.add(value.shape());
                DetectionRowsCheck.check(node, i, producers.get(v));
            }
            List<Shape> out;
            try {
                out = node.op().outputShapes(in);
            } catch (ModelException e) {
                throw e.inLayer(node.name(), node.type());
            }
            if (out.size() != node.outputs().size()) {
                throw ModelException.layer(node.name(), node.type(), "top", "expected " + out.size()
                        + " top" + (out.size() == 1 ? "" : "s") + ", got " + node.outputs().size());
            }
            return addChecked(node, outputBlobs, out);
        }

        private Builder addChecked(Node node, List<String> outputBlobs, List<Shape> out) throws ModelException {
            if (!nodeNames.add(node.name())) {
                throw ModelException.layer(node.name(), node.type(), "name", "another layer has the same name");
            }
            if (outputBlobs.size() != node.outputs().size()) {
                throw new IllegalArgumentException("one blob name per output expected");
            }
            for (int i = 0; i < out.size(); i++) {
                if (!out.get(i).countFits()) {
                    throw ModelException.layer(node.name(), node.type(), "top[" + i + "]", "output shape " + out.get(i)
                            + " holds more than " + Shape.MAX_COUNT + " values (the most one Caffe blob can hold)");
                }
            }
            for (Map.Entry<String, Tensor> w : node.op().weights().entrySet()) {
                if (!w.getValue().shape().countFits()) {
                    throw ModelException.layer(node.name(), node.type(), "blobs", "weight \"" + w.getKey()
                            + "\" of shape " + w.getValue().shape() + " holds more than " + Shape.MAX_COUNT
                            + " values (the most one Caffe blob can hold)");
                }
            }
            for (int i = 0; i < node.outputs().size(); i++) {
                String v = node.outputs().get(i);
                if (values.containsKey(v)) {
                    throw ModelException.layer(node.name(), node.type(), "top[" + i + "]",
                            "value \"" + v + "\" is already produced by layer \"" + producerName(v) + "\"");
                }
                values.put(v, new Value(v, outputBlobs.get(i), out.get(i)));
                producers.put(v, node);
            }
            if (node.op() instanceof Input) {
                inputs.addAll(node.outputs());
            }
            nodes.add(node);
            return this;
        }

        private void addUnchecked(Node node, List<String> outputBlobs, List<Shape> out) {
            try {
                addChecked(node, outputBlobs, out);
            } catch (ModelException e) {
                throw new IllegalStateException(e);
            }
        }

        private String producerName(String value) {
            for (Node n : nodes) {
                if (n.outputs().contains(value)) {
                    return n.name();
                }
            }
            return "?";
        }

        /** Sets the graph outputs; by default they are the values no node reads. */
        public Builder outputs(List<String> names) {
            this.outputs = List.copyOf(names);
            return this;
        }

        public Graph build() throws ModelException {
            if (inputs.isEmpty()) {
                throw new ModelException("graph \"" + name + "\" has no inputs (no Input layer and no net-level input)");
            }
            List<String> outs = outputs;
            if (outs == null) {
                Set<String> read = new HashSet<>();
                for (Node n : nodes) {
                    read.addAll(n.inputs());
                }
                outs = new ArrayList<>();
                for (String v : values.keySet()) {
                    if (!read.contains(v) && !inputs.contains(v)) {
                        outs.add(v);
                    }
                }
            }
            for (String o : outs) {
                if (!values.containsKey(o)) {
                    throw new ModelException("graph output \"" + o + "\" is not a value of the graph");
                }
            }
            return new Graph(name, nodes, values, inputs, outs, metadata);
        }
    }
}
