package org.senet4j.caffe;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.RecurrentParameter;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.LSTM;
import org.senet4j.ir.op.LSTMUnit;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.RNN;

/**
 * Converters of BVLC's recurrent layers LSTM and RNN, and of LSTMUnit, the LSTM's cell step ({@code recurrent_param}: {@code num_output},
 * {@code expose_hidden}; {@code weight_filler}, {@code bias_filler} and {@code debug_info} do not change inference).
 * Caffe's rules: bottoms x, cont, an optional x_static (present when there is one bottom more than x, cont and the
 * exposed states), then with expose_hidden the initial states; tops the output, then with expose_hidden the final
 * states.
 */
final class RecurrentConverters {
    private RecurrentConverters() {
    }

    static Op lstm(LayerContext c) throws ModelException {
        var l = c.layer();
        if (l.hasLstmParam() && !l.hasRecurrentParam()) {
            throw new UnsupportedLayerException("LSTM (lstm_param)", "lstm_param", "this is the LSTM of the "
                    + "junhyukoh/caffe-lstm and senlinuc/caffe_ocr forks (lstm_param), not BVLC's LSTM "
                    + "(recurrent_param); those forks register it as type \"Lstm\", which is supported");
        }
        RecurrentParameter p = l.getRecurrentParam();
        int h = numOutput(p, 4);
        boolean expose = p.getExposeHidden();
        tops(c, expose, "h, h_T, c_T");
        List<Shape> shapes = LSTM.weightShapes(h, expose, c.inputs());
        List<Tensor> t = c.weights(shapes.toArray(Shape[]::new));
        boolean hasStatic = t.size() == 4;
        return new LSTM(h, expose, t.get(0), t.get(1), hasStatic ? t.get(2) : null, t.get(t.size() - 1));
    }

    static Op rnn(LayerContext c) throws ModelException {
        RecurrentParameter p = c.layer().getRecurrentParam();
        int h = numOutput(p, 1);
        boolean expose = p.getExposeHidden();
        tops(c, expose, "o, h_T");
        List<Shape> shapes = RNN.weightShapes(h, expose, c.inputs());
        List<Tensor> t = c.weights(shapes.toArray(Shape[]::new));
        int k = t.size() == 6 ? 1 : 0;
        return new RNN(h, expose, t.get(0), t.get(1), k == 1 ? t.get(2) : null, t.get(2 + k), t.get(3 + k),
                t.get(4 + k));
    }

    /**
     * LSTMUnit (no parameters, no blobs): bottoms C_prev, X, cont and tops C, H, exactly (Caffe's ExactNumBottomBlobs
     * and ExactNumTopBlobs); the shapes are checked by {@link LSTMUnit#outputShapes} with Caffe's Reshape rules. In place
     * (C on C_prev, H on X, the only forms the importer admits) Caffe reads each value before it overwrites it, so the
     * result is that of separate blobs.
     */
    static Op lstmUnit(LayerContext c) throws ModelException {
        var l = c.layer();
        if (l.getBottomCount() != 3) {
            throw ModelException.field("bottom", "expected 3 bottoms " + LSTMUnit.BOTTOMS + " (Caffe's "
                    + "ExactNumBottomBlobs), got " + l.getBottomCount());
        }
        if (c.topCount() != 2) {
            throw ModelException.field("top", "expected 2 tops (C, H; Caffe's ExactNumTopBlobs), got "
                    + c.topCount());
        }
        if (l.getTop(0).equals(l.getTop(1))) {
            throw ModelException.field("top", "the tops C and H are both \"" + l.getTop(0) + "\"; give each its "
                    + "own blob");
        }
        return new LSTMUnit();
    }

    private static int numOutput(RecurrentParameter p, int gates) throws ModelException {
        int h = p.getNumOutput();
        if (h <= 0) {
            throw ModelException.field("recurrent_param.num_output", "must be positive, got "
                    + Integer.toUnsignedString(h));
        }
        if (h > Integer.MAX_VALUE / gates) {
            throw ModelException.field("recurrent_param.num_output", h + " is too large");
        }
        return h;
    }

    /** Caffe's ExactNumTopBlobs: the output, and with expose_hidden one top per recurrent state. */
    private static void tops(LayerContext c, boolean expose, String names) throws ModelException {
        int want = expose ? names.split(",").length : 1;
        if (c.topCount() != want) {
            throw ModelException.field("top", "expected " + want + " top" + (want == 1 ? "" : "s")
                    + (expose ? " (" + names + ", as recurrent_param.expose_hidden asks)" : " (expose_hidden is off)")
                    + ", got " + c.topCount());
        }
    }
}
