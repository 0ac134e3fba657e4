package org.senet4j.ir.op;

import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * One operation of the network graph: an immutable value holding its attributes and weights. Each op checks its
 * inputs and computes its output shapes with Caffe's exact rules, documented on the op.
 *
 * <p>Axes stored in ops are canonical (non-negative); converters resolve Caffe's negative axes when they build ops.
 */
public sealed interface Op
        permits Input, Convolution, BatchNorm, Scale, Bias, ReLU, PReLU, Sigmoid, TanH, Pooling, InnerProduct,
        Softmax, Axpy, Eltwise, Concat, Slice, Split, Reshape, Flatten, Dropout, Power, Silence, LRN, MVN, Custom,
        Unary, Deconvolution, Crop, ArgMax, Reduction, Tile, BatchStatNorm, LSTM, RNN,
        Embed, Parameter, SPP, Im2col, BatchReindex, Permute, Normalize, PriorBox, DetectionOutput,
        ShuffleChannel, Reorg, YoloDetectionOutput, Interp, NearestUpsample, MaxUnpool, MaxPoolMask, RoiPooling,
        PsRoiPooling, Proposal, Reverse, ContinuationIndicator, CtcGreedyDecoder, LSTMUnit {

    /**
     * The output shapes for these input shapes.
     *
     * @throws ModelException naming the offending field when the inputs do not fit this op (the caller adds the
     *     layer)
     */
    List<Shape> outputShapes(List<Shape> inputs) throws ModelException;

    /** The weights, by name, in Caffe's blob order. Empty for parameterless ops. */
    default Map<String, Tensor> weights() {
        return Map.of();
    }

    /** Learnable parameters: every weight element (BatchNorm statistics are not learned and count 0). */
    default long parameterCount() {
        return weights().values().stream().mapToLong(Tensor::count).sum();
    }

    /** Multiply-accumulate operations for one run at these shapes (0 for ops that are not products). */
    default long macs(List<Shape> inputs, List<Shape> outputs) {
        return 0;
    }

    /** This op with its weights replaced by the given ones (same names and shapes). */
    default Op withWeights(Map<String, Tensor> weights) {
        if (!weights.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no weights");
        }
        return this;
    }

    /** The op's name as used in messages and serialised graphs, e.g. {@code Convolution}. */
    default String opName() {
        return getClass().getSimpleName();
    }
}
