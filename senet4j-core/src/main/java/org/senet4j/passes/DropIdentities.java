package org.senet4j.passes;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.op.Dropout;
import org.senet4j.ir.op.Silence;
import org.senet4j.ir.op.Split;

/**
 * Removes what does nothing at inference: Dropout (identity), Split (its tops are the bottom) and Silence. The value a
 * removed Dropout wrote keeps its name (the earlier value takes it), so Caffe blob names still find their values.
 */
public final class DropIdentities implements Pass {
    @Override
    public String name() {
        return "drop-identities";
    }

    @Override
    public String description() {
        return "remove Dropout, Split and Silence";
    }

    @Override
    public Graph apply(Graph g) throws ModelException {
        Rewrite r = new Rewrite(g);
        boolean changed = false;
        for (Node n : g.nodes()) {
            if (n.op() instanceof Silence) {
                changed = true;
            } else if ((n.op() instanceof Dropout || n.op() instanceof Split) && merge(g, n, r)) {
                changed = true;
            } else {
                r.add(n);
            }
        }
        return changed ? r.build() : g;
    }

    /**
     * Merges an identity node's outputs into its input; returns false (keep the node) when two names the graph
     * must keep (inputs, outputs) would merge. The merged value keeps a graph output's name, else the output's name
     * when the input is free to rename (so an in-place Dropout's blob keeps its name), else the input's.
     */
    private static boolean merge(Graph g, Node n, Rewrite r) {
        String in = n.inputs().get(0);
        boolean inFixed = g.inputs().contains(in) || g.outputs().contains(in);
        List<String> outsFixed = n.outputs().stream().filter(g.outputs()::contains).toList();
        if (outsFixed.size() > 1 || (outsFixed.size() == 1 && inFixed)) {
            return false;
        }
        String keep = !outsFixed.isEmpty() ? outsFixed.get(0) : inFixed || n.outputs().size() != 1 ? in
                : n.outputs().get(0);
        if (!keep.equals(in)) {
            r.rename(in, keep);
        }
        for (String o : n.outputs()) {
            if (!o.equals(keep)) {
                r.rename(o, keep);
            }
        }
        return true;
    }
}
