package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Caffe's Tile: repeats the input {@code tiles} times along {@code axis}; for each position of the axes before
 * {@code axis} the whole block from {@code axis} on is copied {@code tiles} times, so output index {@code j} on that
 * axis reads input index {@code j mod dim(axis)}. Output shape: the input's with {@code dim(axis) * tiles}.
 */
public record Tile(int axis, int tiles) implements Op {
    public Tile {
        Checks.nonNegative(axis, "axis");
        Checks.positive(tiles, "tiles");
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        Checks.axis(axis, in, "tile_param.axis");
        long d = (long) in.dim(axis) * tiles;
        Shape out = in.with(axis, (int) Math.min(d, Integer.MAX_VALUE));
        if (d > Integer.MAX_VALUE || !out.countFits()) {
            throw ModelException.field("tile_param.tiles", tiles + " tiles of input " + in + " are too large");
        }
        return List.of(out);
    }
}
