package org.senet4j.svg;

import java.util.ArrayList;
import java.util.List;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Axpy;
import org.senet4j.ir.op.Pooling;
import org.senet4j.ir.op.Scale;

/**
 * Finds the Squeeze-and-Excitation blocks of a graph by their pattern: a pooling that squeezes a feature map X to
 * 1x1 per channel, a chain of single-consumer layers (convolutions or inner products, activations, reshapes), and a
 * layer that scales X channel-wise by the chain's result: an Axpy {@code (a, X, Y)} (SE-ResNet, SE-ResNeXt,
 * SENet-154) or a two-input Scale {@code (X, a)} (SE-BN-Inception).
 */
public final class SeBlocks {
    private static final int MAX_CHAIN = 16;

    /**
     * One SE block.
     *
     * @param squeeze the pooling node
     * @param chain   the excitation nodes from the pooling to the last one before the scaling, in order
     * @param scale   the node that scales X (Axpy or Scale)
     * @param input   the value X that is squeezed and scaled
     */
    public record Block(Node squeeze, List<Node> chain, Node scale, String input) {
        public Block {
            chain = List.copyOf(chain);
        }

        /** The block's name: the scaling node's. */
        public String name() {
            return scale.name();
        }
    }

    private SeBlocks() {
    }

    /** The SE blocks of {@code g}, in execution order. */
    public static List<Block> find(Graph g) {
        List<Block> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (!(n.op() instanceof Pooling p) || n.inputs().size() != 1 || n.outputs().size() != 1) {
                continue;
            }
            Shape in = g.shape(n.inputs().get(0));
            Shape o = g.shape(n.outputs().get(0));
            boolean squeezes = p.global() || (o.rank() == 4 && in.rank() == 4 && o.dim(2) == 1 && o.dim(3) == 1);
            if (!squeezes) {
                continue;
            }
            Block b = follow(g, n);
            if (b != null) {
                out.add(b);
            }
        }
        return out;
    }

    private static Block follow(Graph g, Node pool) {
        String x = pool.inputs().get(0);
        List<Node> chain = new ArrayList<>();
        chain.add(pool);
        Node cur = pool;
        while (chain.size() <= MAX_CHAIN) {
            if (cur.outputs().size() != 1) {
                return null;
            }
            String v = cur.outputs().get(0);
            List<Node> next = g.consumers(v);
            if (next.size() != 1) {
                return null;
            }
            Node c = next.get(0);
            if (c.op() instanceof Axpy && c.inputs().size() == 3 && c.inputs().get(0).equals(v)
                    && c.inputs().get(1).equals(x)) {
                return new Block(pool, chain, c, x);
            }
            if (c.op() instanceof Scale && c.inputs().size() == 2 && c.inputs().get(1).equals(v)
                    && c.inputs().get(0).equals(x)) {
                return new Block(pool, chain, c, x);
            }
            if (c.inputs().size() != 1) {
                return null;
            }
            chain.add(c);
            cur = c;
        }
        return null;
    }
}
