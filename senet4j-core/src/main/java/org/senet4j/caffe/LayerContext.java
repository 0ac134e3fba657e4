package org.senet4j.caffe;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * What a {@link LayerConverter} sees of one layer: its parameters, the shapes of its inputs and the source of its
 * learned blobs.
 */
public final class LayerContext {
    /** Supplies a layer's learned blobs, checked against the shapes the layer expects. */
    @FunctionalInterface
    public interface BlobSource {
        /**
         * Tensors of the expected shapes: the caffemodel's blobs, or shape-only placeholders when no weights were
         * given.
         *
         * @throws ModelException when the blob count or a shape differs (naming expected and actual)
         */
        List<Tensor> take(List<Shape> expected) throws ModelException;
    }

    private final LayerParameter layer;
    private final List<Shape> inputs;
    private final BlobSource blobs;
    private final List<Integer> topPositions;
    private final org.senet4j.ir.op.PriorBox.Dialect priorBoxDialect;
    private final List<Shape> storedShapes;

    LayerContext(LayerParameter layer, List<Shape> inputs, BlobSource blobs) {
        this(layer, inputs, blobs, null);
    }

    LayerContext(LayerParameter layer, List<Shape> inputs, BlobSource blobs, List<Integer> topPositions) {
        this(layer, inputs, blobs, topPositions, org.senet4j.ir.op.PriorBox.Dialect.SSD, null);
    }

    /**
     * @param topPositions for each top of {@code layer}, its position in the layer as written (the importer drops
     *                     the tops of data layers that nothing reads); null when all are kept
     * @param priorBoxDialect whose PriorBox the net's PriorBox layers are (see {@link #priorBoxDialect()})
     * @param storedShapes the shapes of the blobs the weights file holds for this layer; null without weights or
     *                     when the file has no entry for it
     */
    LayerContext(LayerParameter layer, List<Shape> inputs, BlobSource blobs, List<Integer> topPositions,
                 org.senet4j.ir.op.PriorBox.Dialect priorBoxDialect, List<Shape> storedShapes) {
        this.priorBoxDialect = priorBoxDialect;
        this.layer = layer;
        this.inputs = List.copyOf(inputs);
        this.blobs = blobs;
        this.topPositions = topPositions == null ? null : List.copyOf(topPositions);
        this.storedShapes = storedShapes == null ? null : List.copyOf(storedShapes);
    }

    /**
     * The shapes of the blobs the weights file holds for this layer, for converters of layer types whose blob count or
     * layout differs between the forks that define them; empty when loading without weights or when the file has no
     * blobs for this layer.
     */
    public java.util.Optional<List<Shape>> storedBlobShapes() {
        return java.util.Optional.ofNullable(storedShapes);
    }

    public LayerParameter layer() {
        return layer;
    }

    public List<Shape> inputs() {
        return inputs;
    }

    public Shape input(int i) throws ModelException {
        if (i >= inputs.size()) {
            throw ModelException.field("bottom", "expected at least " + (i + 1) + " bottom"
                    + (i == 0 ? "" : "s") + ", got " + inputs.size());
        }
        return inputs.get(i);
    }

    public int topCount() {
        return layer.getTopCount();
    }

    /**
     * Whose PriorBox this net's PriorBox layers are: the SSD fork's, unless only FaceBoxes' reading makes the net's
     * detection layers fit (decided by the importer for the whole net).
     */
    public org.senet4j.ir.op.PriorBox.Dialect priorBoxDialect() {
        return priorBoxDialect;
    }

    /** Where top {@code i} stood in the layer as written (data layers: 0 is the data, 1 the label). */
    public int topPosition(int i) {
        return topPositions == null ? i : topPositions.get(i);
    }

    /** The layer's learned blobs, which must have exactly these shapes (and be exactly this many). */
    public List<Tensor> weights(Shape... expected) throws ModelException {
        return blobs.take(List.of(expected));
    }

    /** Resolves a possibly negative Caffe axis against input {@code i}. */
    public int axis(int axis, int i, String field) throws ModelException {
        Shape s = input(i);
        if (axis < -s.rank() || axis >= s.rank()) {
            throw ModelException.field(field, "axis " + axis + " out of range for a " + s.rank() + "-D input " + s);
        }
        return axis < 0 ? axis + s.rank() : axis;
    }
}
