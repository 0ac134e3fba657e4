package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * The SSD fork's Permute: output axis {@code i} is input axis {@code order.get(i)}. {@code order} is the complete
 * permutation of the input's axes (the converter appends the axes that {@code permute_param.order} leaves out, in
 * their old order, as the fork does); output shape {@code in.dim(order[i])}. An identity order copies the input.
 */
public record Permute(List<Integer> order) implements Op {
    public Permute {
        order = List.copyOf(order);
        boolean[] seen = new boolean[order.size()];
        for (int a : order) {
            if (a < 0 || a >= order.size() || seen[a]) {
                throw new IllegalArgumentException("order " + order + " is not a permutation of 0.."
                        + (order.size() - 1));
            }
            seen[a] = true;
        }
    }

    /**
     * The complete order the fork builds from {@code permute_param.order}: the listed axes, then the others in their
     * old order.
     *
     * @throws ModelException when an axis is not below {@code rank} or is listed twice (the fork's checks)
     */
    public static List<Integer> complete(List<Integer> listed, int rank) throws ModelException {
        List<Integer> out = new java.util.ArrayList<>();
        for (int a : listed) {
            if (a < 0 || a >= rank) {
                throw ModelException.field("permute_param.order", "axis " + Integer.toUnsignedString(a)
                        + " is not below the input's " + rank + " axes");
            }
            if (out.contains(a)) {
                throw ModelException.field("permute_param.order", "axis " + a + " is listed twice");
            }
            out.add(a);
        }
        for (int a = 0; a < rank; a++) {
            if (!out.contains(a)) {
                out.add(a);
            }
        }
        return out;
    }

    /** Whether the order moves any axis (otherwise the fork shares the input's data). */
    public boolean moves() {
        for (int i = 0; i < order.size(); i++) {
            if (order.get(i) != i) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        if (in.rank() != order.size()) {
            throw ModelException.field("permute_param.order", "order " + order + " is for " + order.size()
                    + " axes, the input " + in + " has " + in.rank());
        }
        int[] d = new int[in.rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = in.dim(order.get(i));
        }
        return List.of(Shape.of(d));
    }
}
