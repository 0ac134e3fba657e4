package org.senet4j.passes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;

/**
 * The inference passes in their fixed order, each followed by a consistency check: the graph keeps its inputs, every
 * graph output is still there under its name, and every weight still has values when it had them before.
 */
public final class Passes {
    private Passes() {
    }

    /** The default passes, in order. */
    public static List<Pass> all() {
        return List.of(new DropIdentities(), new FoldBatchNorm(), new FuseActivations());
    }

    public static List<String> names() {
        return all().stream().map(Pass::name).toList();
    }

    /**
     * Runs the default passes except those named in {@code disabled} ("all" disables every pass).
     *
     * @throws IllegalArgumentException for an unknown pass name
     */
    public static Graph optimize(Graph g, Collection<String> disabled) throws ModelException {
        for (String d : disabled) {
            if (!d.equals("all") && !names().contains(d)) {
                throw new IllegalArgumentException("unknown pass \"" + d + "\"; passes are " + names());
            }
        }
        List<Pass> run = new ArrayList<>();
        if (!disabled.contains("all")) {
            for (Pass p : all()) {
                if (!disabled.contains(p.name())) {
                    run.add(p);
                }
            }
        }
        return run(g, run);
    }

    /**
     * The default passes with BatchNorm folded {@link FoldBatchNorm#deferred() on demand}: the same graph and values as
     * {@code optimize(g, List.of())}, the folded weights computed as they are read (for writers that stream them).
     */
    public static Graph optimizeDeferred(Graph g) throws ModelException {
        return run(g, List.of(new DropIdentities(), FoldBatchNorm.deferred(), new FuseActivations()));
    }

    public static Graph run(Graph g, List<Pass> passes) throws ModelException {
        for (Pass p : passes) {
            Graph next = p.apply(g);
            check(g, next, p);
            g = next;
        }
        return g;
    }

    private static void check(Graph before, Graph after, Pass p) throws ModelException {
        if (!before.inputs().equals(after.inputs())) {
            throw new ModelException("pass " + p.name() + " changed the graph inputs " + before.inputs() + " to "
                    + after.inputs());
        }
        Set<String> outs = new LinkedHashSet<>(before.outputs());
        for (String o : outs) {
            if (!after.values().containsKey(o) && !after.values().containsKey(before.value(o).blob())) {
                throw new ModelException("pass " + p.name() + " lost graph output \"" + o + "\"");
            }
            if (after.values().containsKey(o) && !after.shape(o).equals(before.shape(o))) {
                throw new ModelException("pass " + p.name() + " changed the shape of output \"" + o + "\"");
            }
        }
        if (before.hasWeights() && !after.hasWeights()) {
            for (Node n : after.nodes()) {
                if (n.op().weights().values().stream().anyMatch(t -> !t.hasData())) {
                    throw new ModelException("pass " + p.name() + " left node \"" + n.name() + "\" without weights");
                }
            }
        }
    }
}
