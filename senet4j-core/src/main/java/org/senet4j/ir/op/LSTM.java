package org.senet4j.ir.op;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * Caffe's LSTM (BVLC's recurrent layer, {@code recurrent_param}). Bottoms {@code x} (T x N x ...), {@code cont}
 * (T x N), optionally {@code x_static} (N x ...), and with {@code exposeHidden} {@code h_0}, {@code c_0} (each 1 x N
 * x H); tops {@code h} (T x N x H), and with {@code exposeHidden} {@code h_T}, {@code c_T} (each 1 x N x H). Without
 * {@code exposeHidden} the initial states are zero (Caffe carries the last states of one Forward into the next; a
 * run here starts afresh, as Caffe's first Forward does).
 *
 * <p>Weights, in Caffe's blob order: {@code W_xc} (4H x I, I the count of x from axis 2), {@code b_c} (4H),
 * {@code W_xc_static} (4H x I_static, I_static the count of x_static from axis 1; only with a static input),
 * {@code W_hc} (4H x H). Gate rows in Caffe's order i, f, o, g. Each step t, for each stream n:
 * <pre>
 *   gates = W_hc (cont_t h_{t-1}) + (W_xc x_t + b_c) [+ W_xc_static x_static]
 *   i = sigmoid(gates_i), f = cont_t sigmoid(gates_f) (0 when cont_t = 0), o = sigmoid(gates_o), g = tanh(gates_g)
 *   c_t = f c_{t-1} + i g,  h_t = o tanh(c_t)
 * </pre>
 * A {@code cont_t} of 0 starts a new sequence: the previous hidden and cell states do not reach step t.
 *
 * <p>With {@code impliedCont} the layer has no {@code cont} bottom (the inputs are x, then x_static and the exposed
 * states as above): {@code cont_t} is 0 at t = 0 and 1 after, one sequence per stream over all T steps. This is the
 * fork LSTM spelt {@code Lstm} (junhyukoh/caffe-lstm, senlinuc/caffe_ocr) with one bottom, whose weights the
 * converter reorders into Caffe's blob order (the fork's gate rows are i, f, o, g too).
 */
public record LSTM(int numOutput, boolean exposeHidden, Tensor wXc, Tensor bC, Tensor wXcStatic, Tensor wHc,
                   boolean impliedCont) implements Op {
    /** The recurrent state blobs, in Caffe's bottom and top order. */
    public static final List<String> STATES = List.of("h", "c");

    /** BVLC's LSTM, with its cont bottom. */
    public LSTM(int numOutput, boolean exposeHidden, Tensor wXc, Tensor bC, Tensor wXcStatic, Tensor wHc) {
        this(numOutput, exposeHidden, wXc, bC, wXcStatic, wHc, false);
    }

    public LSTM {
        Checks.positive(numOutput, "numOutput");
        if (wXc == null || bC == null || wHc == null) {
            throw new IllegalArgumentException("an LSTM needs W_xc, b_c and W_hc (placeholders without weights)");
        }
        if ((long) numOutput * 4 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("numOutput " + numOutput + " is too large");
        }
    }

    /** Index of the first bottom after x and (unless implied) cont: x_static, or the first exposed state. */
    public int firstExtraInput() {
        return impliedCont ? 1 : 2;
    }

    /** Whether the layer has a static input ({@code x_static} and its weight {@code W_xc_static}). */
    public boolean hasStaticInput() {
        return wXcStatic != null;
    }

    /**
     * The blob shapes Caffe gives this layer for these bottoms, in blob order; a static input is present when there
     * is one bottom more than x, cont and the exposed states (Caffe's rule).
     *
     * @throws ModelException when the bottoms do not fit (naming the bottom)
     */
    public static List<Shape> weightShapes(int numOutput, boolean exposeHidden, List<Shape> inputs)
            throws ModelException {
        boolean hasStatic = inputs.size() > 2 + (exposeHidden ? STATES.size() : 0);
        Recurrent.Sizes sz = Recurrent.check(inputs, numOutput, exposeHidden, hasStatic, List.of("h_0", "c_0"));
        int g = 4 * numOutput;
        List<Shape> s = new ArrayList<>();
        s.add(Shape.of(g, sz.inputSize()));
        s.add(Shape.of(g));
        if (hasStatic) {
            s.add(Shape.of(g, sz.staticSize()));
        }
        s.add(Shape.of(g, numOutput));
        return s;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Recurrent.Sizes s = Recurrent.check(inputs, numOutput, exposeHidden, hasStaticInput(), List.of("h_0", "c_0"),
                !impliedCont);
        int g = 4 * numOutput;
        Checks.weight(wXc, Shape.of(g, s.inputSize()), "blobs[0] (W_xc)");
        Checks.weight(bC, Shape.of(g), "blobs[1] (b_c)");
        if (hasStaticInput()) {
            Checks.weight(wXcStatic, Shape.of(g, s.staticSize()), "blobs[2] (W_xc_static)");
        }
        Checks.weight(wHc, Shape.of(g, numOutput), "blobs[" + (hasStaticInput() ? 3 : 2) + "] (W_hc)");
        return Recurrent.outputs(s, numOutput, exposeHidden, STATES.size());
    }

    @Override
    public Map<String, Tensor> weights() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("W_xc", wXc);
        m.put("b_c", bC);
        if (wXcStatic != null) {
            m.put("W_xc_static", wXcStatic);
        }
        m.put("W_hc", wHc);
        return m;
    }

    @Override
    public long macs(List<Shape> inputs, List<Shape> outputs) {
        long steps = outputs.get(0).count(0, 2);
        long g = 4L * numOutput;
        long perStep = g * (wXc.shape().dim(1) + numOutput);
        long once = wXcStatic == null ? 0 : inputs.get(0).dim(1) * g * wXcStatic.shape().dim(1);
        return steps * perStep + once;
    }

    @Override
    public LSTM withWeights(Map<String, Tensor> w) {
        return new LSTM(numOutput, exposeHidden, Checks.replace(w, "W_xc", wXc), Checks.replace(w, "b_c", bC),
                Checks.replace(w, "W_xc_static", wXcStatic), Checks.replace(w, "W_hc", wHc), impliedCont);
    }
}
