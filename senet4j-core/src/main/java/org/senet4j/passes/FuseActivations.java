package org.senet4j.passes;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.InnerProduct;
import org.senet4j.ir.op.ReLU;
import org.senet4j.ir.op.Sigmoid;

/**
 * Moves a ReLU or Sigmoid into the Convolution or InnerProduct before it (as the op's activation) when that op's output
 * feeds only the activation. The fused op's output takes the activation output's name.
 */
public final class FuseActivations implements Pass {
    @Override
    public String name() {
        return "fuse-activations";
    }

    @Override
    public String description() {
        return "fuse ReLU and Sigmoid into the preceding Convolution or InnerProduct";
    }

    @Override
    public Graph apply(Graph g) throws ModelException {
        Rewrite r = new Rewrite(g);
        Set<Node> absorbed = new HashSet<>();
        boolean changed = false;
        for (Node n : g.nodes()) {
            if (absorbed.contains(n)) {
                continue;
            }
            String out = n.outputs().isEmpty() ? null : n.outputs().get(0);
            List<Node> next = out == null ? List.of() : g.consumers(out);
            boolean candidate = (n.op() instanceof Convolution c && c.activation().isNone())
                    || (n.op() instanceof InnerProduct ip && ip.activation().isNone());
            Activation act = next.size() != 1 ? null : next.get(0).op() instanceof ReLU relu
                    ? Activation.relu(relu.negativeSlope()) : next.get(0).op() instanceof Sigmoid ? Activation.SIGMOID
                    : null;
            if (candidate && act != null && !g.outputs().contains(out)) {
                r.add(n.withOp(n.op() instanceof Convolution c ? c.with(c.weight(), c.bias(), act)
                        : ((InnerProduct) n.op()).with(((InnerProduct) n.op()).weight(),
                                ((InnerProduct) n.op()).bias(), act)));
                r.rename(out, next.get(0).outputs().get(0));
                absorbed.add(next.get(0));
                changed = true;
            } else {
                r.add(n);
            }
        }
        return changed ? r.build() : g;
    }
}
