package org.senet4j.ir.op;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * Caffe's RNN (BVLC's recurrent layer, {@code recurrent_param}): a tanh recurrence with a tanh output layer. Bottoms
 * {@code x} (T x N x ...), {@code cont} (T x N), optionally {@code x_static} (N x ...), and with {@code exposeHidden}
 * {@code h_0} (1 x N x H); tops {@code o} (T x N x H), and with {@code exposeHidden} {@code h_T} (1 x N x H). Without
 * {@code exposeHidden} the initial state is zero (as at Caffe's first Forward).
 *
 * <p>Weights, in Caffe's blob order: {@code W_xh} (H x I, I the count of x from axis 2), {@code b_h} (H),
 * {@code W_xh_static} (H x I_static; only with a static input), {@code W_hh} (H x H), {@code W_ho} (H x H),
 * {@code b_o} (H). Each step t:
 * <pre>
 *   h_t = tanh(W_hh (cont_t h_{t-1}) + (W_xh x_t + b_h) [+ W_xh_static x_static])
 *   o_t = tanh(W_ho h_t + b_o)
 * </pre>
 */
public record RNN(int numOutput, boolean exposeHidden, Tensor wXh, Tensor bH, Tensor wXhStatic, Tensor wHh,
                  Tensor wHo, Tensor bO) implements Op {
    /** The recurrent state blobs, in Caffe's bottom and top order. */
    public static final List<String> STATES = List.of("h");

    public RNN {
        Checks.positive(numOutput, "numOutput");
        if (wXh == null || bH == null || wHh == null || wHo == null || bO == null) {
            throw new IllegalArgumentException("an RNN needs W_xh, b_h, W_hh, W_ho and b_o (placeholders without "
                    + "weights)");
        }
    }

    /** Whether the layer has a static input ({@code x_static} and its weight {@code W_xh_static}). */
    public boolean hasStaticInput() {
        return wXhStatic != null;
    }

    /**
     * The blob shapes Caffe gives this layer for these bottoms, in blob order; a static input is present when there
     * is one bottom more than x, cont and the exposed state (Caffe's rule).
     *
     * @throws ModelException when the bottoms do not fit (naming the bottom)
     */
    public static List<Shape> weightShapes(int numOutput, boolean exposeHidden, List<Shape> inputs)
            throws ModelException {
        boolean hasStatic = inputs.size() > 2 + (exposeHidden ? STATES.size() : 0);
        Recurrent.Sizes sz = Recurrent.check(inputs, numOutput, exposeHidden, hasStatic, List.of("h_0"));
        int h = numOutput;
        List<Shape> s = new ArrayList<>();
        s.add(Shape.of(h, sz.inputSize()));
        s.add(Shape.of(h));
        if (hasStatic) {
            s.add(Shape.of(h, sz.staticSize()));
        }
        s.add(Shape.of(h, h));
        s.add(Shape.of(h, h));
        s.add(Shape.of(h));
        return s;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Recurrent.Sizes s = Recurrent.check(inputs, numOutput, exposeHidden, hasStaticInput(), List.of("h_0"));
        int h = numOutput;
        int k = hasStaticInput() ? 1 : 0;
        Checks.weight(wXh, Shape.of(h, s.inputSize()), "blobs[0] (W_xh)");
        Checks.weight(bH, Shape.of(h), "blobs[1] (b_h)");
        if (hasStaticInput()) {
            Checks.weight(wXhStatic, Shape.of(h, s.staticSize()), "blobs[2] (W_xh_static)");
        }
        Checks.weight(wHh, Shape.of(h, h), "blobs[" + (2 + k) + "] (W_hh)");
        Checks.weight(wHo, Shape.of(h, h), "blobs[" + (3 + k) + "] (W_ho)");
        Checks.weight(bO, Shape.of(h), "blobs[" + (4 + k) + "] (b_o)");
        return Recurrent.outputs(s, numOutput, exposeHidden, STATES.size());
    }

    @Override
    public Map<String, Tensor> weights() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("W_xh", wXh);
        m.put("b_h", bH);
        if (wXhStatic != null) {
            m.put("W_xh_static", wXhStatic);
        }
        m.put("W_hh", wHh);
        m.put("W_ho", wHo);
        m.put("b_o", bO);
        return m;
    }

    @Override
    public long macs(List<Shape> inputs, List<Shape> outputs) {
        long steps = outputs.get(0).count(0, 2);
        long h = numOutput;
        long perStep = h * (wXh.shape().dim(1) + 2 * h);
        long once = wXhStatic == null ? 0 : inputs.get(0).dim(1) * h * wXhStatic.shape().dim(1);
        return steps * perStep + once;
    }

    @Override
    public RNN withWeights(Map<String, Tensor> w) {
        return new RNN(numOutput, exposeHidden, Checks.replace(w, "W_xh", wXh), Checks.replace(w, "b_h", bH),
                Checks.replace(w, "W_xh_static", wXhStatic), Checks.replace(w, "W_hh", wHh),
                Checks.replace(w, "W_ho", wHo), Checks.replace(w, "b_o", bO));
    }
}
