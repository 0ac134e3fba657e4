package org.senet4j.ir.op;

import java.util.ArrayList;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * The input and output rules Caffe's RecurrentLayer shares between {@link LSTM} and {@link RNN}. Bottoms, in order:
 * {@code x} (T x N x ..., each step's input flattened from axis 2 as Caffe's inner product with {@code axis: 2} reads
 * it), {@code cont} (T x N, the continuation indicators), optionally {@code x_static} (N x ..., flattened from axis
 * 1), and with {@code expose_hidden} the initial states (each 1 x N x H). Tops: the per-step output (T x N x H), and
 * with {@code expose_hidden} the final states (each 1 x N x H).
 */
final class Recurrent {
    private Recurrent() {
    }

    /** The checked sizes of one recurrent layer's inputs. */
    record Sizes(int steps, int streams, int inputSize, int staticSize) {
    }

    /**
     * Checks the inputs of a recurrent layer with {@code states} recurrent state blobs ({@code stateNames}).
     *
     * @param hasStatic whether the layer was built with an {@code x_static} weight
     */
    static Sizes check(List<Shape> inputs, int numOutput, boolean exposeHidden, boolean hasStatic,
                       List<String> stateNames) throws ModelException {
        return check(inputs, numOutput, exposeHidden, hasStatic, stateNames, true);
    }

    /**
     * As {@link #check(List, int, boolean, boolean, List)}; without {@code hasCont} the layer has no cont bottom
     * (an implied continuation: 0 at step 0, 1 after) and the later bottoms move up by one.
     */
    static Sizes check(List<Shape> inputs, int numOutput, boolean exposeHidden, boolean hasStatic,
                       List<String> stateNames, boolean hasCont) throws ModelException {
        int exposed = exposeHidden ? stateNames.size() : 0;
        int first = hasCont ? 2 : 1;
        int expected = first + (hasStatic ? 1 : 0) + exposed;
        if (inputs.size() != expected) {
            List<String> names = new ArrayList<>(hasCont ? List.of("x", "cont") : List.of("x"));
            if (hasStatic) {
                names.add("x_static");
            }
            if (exposeHidden) {
                names.addAll(stateNames);
            }
            throw ModelException.field("bottom", "expected " + expected + " bottoms " + names + ", got "
                    + inputs.size());
        }
        Shape x = inputs.get(0);
        if (x.rank() < 3) {
            throw ModelException.field("bottom", "x (bottom 0) must have at least 3 axes, T x N x ... (Caffe's inner "
                    + "product reads each step from axis 2), got shape " + x);
        }
        int t = x.dim(0);
        int n = x.dim(1);
        Shape cont = hasCont ? inputs.get(1) : Shape.of(t, n);
        if (cont.rank() != 2 || cont.dim(0) != t || cont.dim(1) != n) {
            throw ModelException.field("bottom", "cont (bottom 1) must be T x N = " + Shape.of(t, n)
                    + " (the continuation indicator of each step and stream), got shape " + cont);
        }
        long staticSize = 0;
        if (hasStatic) {
            Shape xs = inputs.get(first);
            if (xs.rank() < 2 || xs.dim(0) != n) {
                throw ModelException.field("bottom", "x_static (bottom " + first + ") must be N x ... with N = "
                        + n
                        + " and at least 2 axes, got shape " + xs);
            }
            staticSize = xs.count(1, xs.rank());
        }
        Shape state = stateShape(n, numOutput);
        for (int i = 0; i < exposed; i++) {
            int at = first + (hasStatic ? 1 : 0) + i;
            if (!inputs.get(at).equals(state)) {
                throw ModelException.field("bottom", stateNames.get(i) + " (bottom " + at + ") must be 1 x N x "
                        + "num_output = " + state + ", got shape " + inputs.get(at));
            }
        }
        long inputSize = x.count(2, x.rank());
        if (inputSize > Integer.MAX_VALUE || staticSize > Integer.MAX_VALUE) {
            throw ModelException.field("bottom", "input rows are too long");
        }
        return new Sizes(t, n, (int) inputSize, (int) staticSize);
    }

    /** The shape of one recurrent state: 1 x N x H. */
    static Shape stateShape(int streams, int numOutput) {
        return Shape.of(1, streams, numOutput);
    }

    /** The tops: T x N x H, then with {@code expose_hidden} one 1 x N x H per state. */
    static List<Shape> outputs(Sizes s, int numOutput, boolean exposeHidden, int states) {
        List<Shape> out = new ArrayList<>();
        out.add(Shape.of(s.steps(), s.streams(), numOutput));
        for (int i = 0; exposeHidden && i < states; i++) {
            out.add(stateShape(s.streams(), numOutput));
        }
        return out;
    }
}
