package org.senet4j.ir.op;

import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * A layer's arithmetic written in Java by a plug-in ({@code org.senet4j.caffe.LayerPlugin}), run by every engine on
 * the host on plain float arrays in C order. Implementations are immutable.
 */
public interface CustomKernel {
    /**
     * The name that identifies this implementation wherever the graph is stored (native files): the plug-in that
     * recreates it from its {@link #attributes()} answers to it. E.g. {@code com.example.SignedSqrt}.
     */
    String name();

    /** The kernel's parameters as JSON values (numbers, strings, booleans, lists and maps of them). */
    Map<String, Object> attributes();

    /**
     * The output shapes for these inputs and weights.
     *
     * @throws ModelException naming the field when the inputs do not fit
     */
    List<Shape> outputShapes(List<Shape> inputs, Map<String, Tensor> weights) throws ModelException;

    /**
     * Computes the outputs: {@code out} holds one zeroed array per output shape, to be filled.
     *
     * @param weights the op's weights by name (as the converter gave them)
     */
    void compute(Map<String, Tensor> weights, List<Shape> inShapes, List<float[]> in, List<Shape> outShapes,
                 List<float[]> out);
}
