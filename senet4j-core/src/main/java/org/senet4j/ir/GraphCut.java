package org.senet4j.ir;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.senet4j.ModelException;
import org.senet4j.ir.op.Input;

/**
 * A graph cut after some of its values: only the nodes those values need (inputs included), with those values as the
 * outputs. Used to export a net up to chosen blobs, e.g. a detection net's backbone and heads without a
 * post-processing layer that a format cannot express.
 */
public final class GraphCut {
    private GraphCut() {
    }

    /**
     * @param outputs value or Caffe blob names (a blob name means the blob's last value), in the order the cut graph
     *                should list them
     * @throws IllegalArgumentException for a name that is no value or blob of the graph (the message lists them)
     */
    public static Graph upTo(Graph g, List<String> outputs) throws ModelException {
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("no outputs to cut the graph after");
        }
        Set<String> wanted = new LinkedHashSet<>();
        for (String o : outputs) {
            wanted.add(g.resolve(o));
        }
        Set<String> needed = new HashSet<>(wanted);
        Set<Node> keep = new HashSet<>();
        List<Node> nodes = g.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.outputs().stream().anyMatch(needed::contains)) {
                keep.add(n);
                needed.addAll(n.inputs());
            }
        }
        Graph.Builder b = Graph.builder(g.name()).metadata(g.metadata());
        for (Node n : nodes) {
            if (keep.contains(n)) {
                b.add(n, g.blobsOf(n));
            }
        }
        if (keep.stream().noneMatch(n -> n.op() instanceof Input)) {
            throw new IllegalArgumentException("the values " + wanted + " depend on no input of the graph");
        }
        return b.outputs(new ArrayList<>(wanted)).build();
    }
}
