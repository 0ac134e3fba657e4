package org.senet4j.passes;

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
            if (n.op() instanceof Dropout) {
                String in = n.inputs().get(0);
                String out = n.outputs().get(0);
                if (g.inputs().contains(in)) {
                    r.rename(out, in);
                } else {
                    r.rename(in, out);
                }
                changed = true;
            } else if (n.op() instanceof Split) {
                for (String out : n.outputs()) {
                    r.rename(out, n.inputs().get(0));
                }
                changed = true;
            } else if (n.op() instanceof Silence) {
                changed = true;
            } else {
                r.add(n);
            }
        }
        return changed ? r.build() : g;
    }
}
