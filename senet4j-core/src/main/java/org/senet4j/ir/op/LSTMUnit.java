package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * BVLC Caffe's LSTMUnit: one step of the LSTM cell, the unit its LSTM layer unrolls into. No parameters, no weights.
 * Bottoms {@code C_prev} (1 x N x D, the previous cell state), {@code X} (1 x N x 4D, each sample's gate
 * pre-activations in Caffe's order i, f, o, g) and {@code cont} (1 x N, the continuation indicators); tops {@code C}
 * and {@code H} (each 1 x N x D). For each sample n and unit d:
 * <pre>
 *   i = sigmoid(X[n][d]), f = cont[n] == 0 ? 0 : cont[n] sigmoid(X[n][D + d]), o = sigmoid(X[n][2D + d]),
 *   g = tanh(X[n][3D + d]),  C[n][d] = f C_prev[n][d] + i g,  H[n][d] = o tanh(C[n][d])
 * </pre>
 * Caffe's shape rules (LSTMUnitLayer::Reshape): exactly three bottoms; C_prev and X have 3 axes, cont 2; each has 1 on
 * axis 0 and N (C_prev's axis 1) on axis 1; X's axis 2 is 4 times C_prev's (D). Both tops take C_prev's shape.
 */
public record LSTMUnit() implements Op {
    /** The bottoms, in Caffe's order. */
    public static final List<String> BOTTOMS = List.of("C_prev", "X", "cont");

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        if (inputs.size() != 3) {
            throw ModelException.field("bottom", "expected 3 bottoms " + BOTTOMS + " (Caffe's ExactNumBottomBlobs), "
                    + "got " + inputs.size());
        }
        Shape cPrev = inputs.get(0);
        for (int i = 0; i < 3; i++) {
            Shape s = inputs.get(i);
            int axes = i == 2 ? 2 : 3;
            String which = BOTTOMS.get(i) + " (bottom " + i + ")";
            if (s.rank() != axes) {
                throw ModelException.field("bottom", which + " must have " + axes + " axes (" + form(i)
                        + "), got shape " + s);
            }
            if (s.dim(0) != 1) {
                throw ModelException.field("bottom", which + " must have 1 on axis 0 (" + form(i) + "), got shape "
                        + s);
            }
            if (s.dim(1) != cPrev.dim(1)) {
                throw ModelException.field("bottom", which + " must have N = " + cPrev.dim(1) + " (C_prev's axis 1) "
                        + "on axis 1, got shape " + s);
            }
        }
        long gates = 4L * cPrev.dim(2);
        if (inputs.get(1).dim(2) != gates) {
            throw ModelException.field("bottom", "X (bottom 1) must have 4 x D = " + gates + " on axis 2 (the i, f, o "
                    + "and g pre-activations of C_prev's D = " + cPrev.dim(2) + " units), got shape "
                    + inputs.get(1));
        }
        return List.of(cPrev, cPrev);
    }

    private static String form(int bottom) {
        return switch (bottom) {
            case 0 -> "1 x N x D";
            case 1 -> "1 x N x 4D";
            default -> "1 x N";
        };
    }
}
