package org.senet4j.passes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Value;

/**
 * Builds a changed graph from an old one: a new node list plus renames of values (an old value name to the name of
 * the value that replaces it). The result is built through {@link Graph.Builder}, so every shape is inferred and
 * checked again.
 */
final class Rewrite {
    private final Graph old;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, String> rename = new HashMap<>();

    Rewrite(Graph old) {
        this.old = old;
    }

    void add(Node n) {
        nodes.add(n);
    }

    /** Every reference to {@code from} (inputs, outputs, graph outputs) becomes {@code to}. */
    void rename(String from, String to) {
        rename.put(from, to);
    }

    private String resolve(String v) {
        String r = v;
        for (int guard = 0; rename.containsKey(r) && guard < 10_000; guard++) {
            r = rename.get(r);
        }
        return r;
    }

    Graph build() throws ModelException {
        Graph.Builder b = Graph.builder(old.name()).metadata(old.metadata());
        for (Node n : nodes) {
            List<String> in = n.inputs().stream().map(this::resolve).toList();
            List<String> out = n.outputs().stream().map(this::resolve).toList();
            List<String> blobs = new ArrayList<>();
            for (int i = 0; i < out.size(); i++) {
                Value v = old.values().get(out.get(i));
                blobs.add(v != null ? v.blob() : old.value(n.outputs().get(i)).blob());
            }
            b.add(new Node(n.name(), n.type(), n.op(), in, out), blobs);
        }
        List<String> outs = new ArrayList<>();
        for (String o : old.outputs()) {
            String r = resolve(o);
            if (!outs.contains(r)) {
                outs.add(r);
            }
        }
        return b.outputs(outs).build();
    }
}
