package org.senet4j.caffe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.CTCDecoderParameter;
import org.senet4j.caffe.proto.ContinuationIndicatorParameter;
import org.senet4j.caffe.proto.LSTMParameter;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.ContinuationIndicator;
import org.senet4j.ir.op.CtcGreedyDecoder;
import org.senet4j.ir.op.LSTM;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.Permute;
import org.senet4j.ir.op.Reverse;

/**
 * Converters of the text-recognition (OCR) forks' layers: senlinuc/caffe_ocr's Transpose (onto {@link Permute}),
 * Reverse, the fork LSTM spelt {@code Lstm} (onto {@link LSTM} with an implied continuation and its blobs in Caffe's
 * order) and CTCGreedyDecoder; jolibrain's / video-caffe's ContinuationIndicator.
 */
final class OcrLayers {
    private OcrLayers() {
    }

    /** The converters, by Caffe layer type, in a fixed order. */
    static Map<String, LayerConverter> converters() {
        Map<String, LayerConverter> m = new LinkedHashMap<>();
        m.put("Transpose", OcrLayers::transpose);
        m.put("Reverse", OcrLayers::reverse);
        m.put("Lstm", OcrLayers::lstm);
        m.put("CTCGreedyDecoder", OcrLayers::ctcGreedyDecoder);
        m.put("ContinuationIndicator", OcrLayers::continuationIndicator);
        return m;
    }

    /**
     * Transpose ({@code transpose_param.dim}): output axis i is input axis {@code dim[i]}; the fork requires one dim
     * per input axis and refuses in-place use. The fork does not check that the dims are a permutation (a repeated
     * axis would leave parts of its output unwritten): refused here.
     */
    static Op transpose(LayerContext c) throws ModelException {
        one(c, "Transpose");
        notInPlace(c, "Transpose");
        List<Integer> dims = c.layer().getTransposeParam().getDimList();
        int rank = c.input(0).rank();
        if (dims.size() != rank) {
            throw ModelException.field("transpose_param.dim", "expected one dim per input axis (" + rank
                    + " for the input " + c.input(0) + "; the fork's CHECK), got " + dims.size() + " " + dims);
        }
        boolean[] seen = new boolean[rank];
        for (int d : dims) {
            if (d < 0 || d >= rank) {
                throw ModelException.field("transpose_param.dim", "axis " + d + " is not one of the input's axes 0.."
                        + (rank - 1));
            }
            if (seen[d]) {
                throw ModelException.field("transpose_param.dim", "axis " + d + " is listed twice in " + dims
                        + " (the dims must be a permutation of the input's axes)");
            }
            seen[d] = true;
        }
        return new Permute(dims);
    }

    /** Reverse ({@code reverse_param.axis}, default 0): non-negative and below the input's rank; not in place. */
    static Op reverse(LayerContext c) throws ModelException {
        one(c, "Reverse");
        notInPlace(c, "Reverse");
        int axis = c.layer().getReverseParam().getAxis();
        if (axis < 0) {
            throw ModelException.field("reverse_param.axis", "must be 0 or more (the fork's CHECK; no negative "
                    + "axes), got " + axis);
        }
        if (axis >= c.input(0).rank()) {
            throw ModelException.field("reverse_param.axis", "axis " + axis + " is not below the input's "
                    + c.input(0).rank() + " axes (shape " + c.input(0) + ")");
        }
        return new Reverse(axis);
    }

    /**
     * The fork LSTM {@code Lstm} ({@code lstm_param.num_output}; {@code clipping_threshold} clips gradients and
     * {@code batch_size} is not read at inference). One bottom x of T x N x I (the fork reads I from axis 2 and
     * T N rows of I values, so exactly 3 axes), one top T x N x H. Its blobs are W_x (4H x I), W_h (4H x H) and b
     * (4H), gate rows i, f, o, g as in BVLC's LSTM, which gets them as W_xc, b_c, W_hc. With no clip bottom the fork
     * starts every stream at step 0 from zero states ({@code cont = t > 0}): an LSTM with an implied continuation.
     * The fork's second (clip) bottom, which also carries the states of one Forward into the next, is refused.
     */
    static Op lstm(LayerContext c) throws ModelException {
        LSTMParameter p = c.layer().getLstmParam();
        if (c.inputs().size() == 2) {
            throw new UnsupportedLayerException("Lstm (clip bottom)", "bottom", "the fork's second bottom (clip: "
                    + "per-step continuation that also carries the last states of one Forward into the next) is not "
                    + "supported; use one bottom (every stream starts at step 0) or BVLC's LSTM with a cont bottom");
        }
        one(c, "Lstm");
        if (c.topCount() != 1) {
            throw ModelException.field("top", "Lstm has one top (T x N x num_output), got " + c.topCount());
        }
        int h = p.getNumOutput();
        if (h <= 0) {
            throw ModelException.field("lstm_param.num_output", "must be positive, got "
                    + Integer.toUnsignedString(h));
        }
        if (h > Integer.MAX_VALUE / 4) {
            throw ModelException.field("lstm_param.num_output", h + " is too large");
        }
        Shape x = c.input(0);
        if (x.rank() != 3) {
            throw ModelException.field("bottom", "Lstm takes a T x N x I sequence (3 axes: the fork reads I from "
                    + "axis 2), got shape " + x);
        }
        int g = 4 * h;
        List<Tensor> w = c.weights(Shape.of(g, x.dim(2)), Shape.of(g, h), Shape.of(g));
        return new LSTM(h, false, w.get(0), w.get(2), null, w.get(1), true);
    }

    /**
     * CTCGreedyDecoder ({@code ctc_decoder_param.blank_index}, {@code ctc_merge_repeated}): one bottom of T x N x C
     * scores, one top (the decoded sequences). The fork's two-bottom form (scores and labels, giving an accuracy)
     * is a training layer and refused.
     */
    static Op ctcGreedyDecoder(LayerContext c) throws ModelException {
        CTCDecoderParameter p = c.layer().getCtcDecoderParam();
        if (c.inputs().size() == 2) {
            throw new UnsupportedLayerException("CTCGreedyDecoder (accuracy)", "bottom", "the two-bottom form "
                    + "(scores and target labels) computes a training accuracy; only decoding (one bottom) is "
                    + "supported");
        }
        one(c, "CTCGreedyDecoder");
        if (c.topCount() != 1) {
            throw ModelException.field("top", "CTCGreedyDecoder has one top (N x T x 1 x 1 sequences), got "
                    + c.topCount());
        }
        if (c.input(0).rank() != 3) {
            throw ModelException.field("bottom", "CTCGreedyDecoder takes T x N x C class scores (3 axes: the fork "
                    + "reads C from axis 2), got shape " + c.input(0));
        }
        return new CtcGreedyDecoder(p.getBlankIndex(), p.getCtcMergeRepeated());
    }

    /**
     * ContinuationIndicator ({@code continuation_indicator_param}): {@code time_step} (required, positive) rows of
     * 0 then 1s. With a bottom (jolibrain), the stream count is the size of its axis {@code axis} (default 0; the
     * values are not read); without one (video-caffe), {@code batch_size} (default 1). video-caffe's {@code flag}
     * and its bottom of per-stream flags (values that mark a stream as continuing at step 0) are refused.
     */
    static Op continuationIndicator(LayerContext c) throws ModelException {
        ContinuationIndicatorParameter p = c.layer().getContinuationIndicatorParam();
        if (c.inputs().size() > 1) {
            throw ModelException.field("bottom", "ContinuationIndicator takes at most one bottom, got "
                    + c.inputs().size());
        }
        if (c.topCount() != 1) {
            throw ModelException.field("top", "ContinuationIndicator has one top (time_step x N), got "
                    + c.topCount());
        }
        if (p.getTimeStep() <= 0) {
            throw ModelException.field("continuation_indicator_param.time_step", "must be given and positive, got "
                    + Integer.toUnsignedString(p.getTimeStep()));
        }
        if (p.getFlag()) {
            throw new UnsupportedLayerException("ContinuationIndicator (flag)", "continuation_indicator_param.flag",
                    "video-caffe's flag (every step, step 0 included, a continuation) is not supported");
        }
        if (c.inputs().size() == 1 && p.hasBatchSize()) {
            throw new UnsupportedLayerException("ContinuationIndicator (batch_size and a bottom)",
                    "continuation_indicator_param.batch_size", "video-caffe's form with a bottom reads per-stream "
                    + "flags from the bottom's values; only jolibrain's (a bottom whose axis gives the streams) or "
                    + "a bottomless one with batch_size is supported");
        }
        if (c.inputs().isEmpty()) {
            if (p.getBatchSize() <= 0) {
                throw ModelException.field("continuation_indicator_param.batch_size", "must be positive, got "
                        + p.getBatchSize());
            }
            return new ContinuationIndicator(p.getTimeStep(), 0, p.getBatchSize());
        }
        int axis = c.axis(p.getAxis(), 0, "continuation_indicator_param.axis");
        return new ContinuationIndicator(p.getTimeStep(), axis, 1);
    }

    private static void one(LayerContext c, String type) throws ModelException {
        if (c.inputs().size() != 1) {
            throw ModelException.field("bottom", type + " takes one bottom, got " + c.inputs().size());
        }
    }

    private static void notInPlace(LayerContext c, String type) throws ModelException {
        if (c.layer().getTopCount() > 0 && c.layer().getTop(0).equals(c.layer().getBottom(0))) {
            throw ModelException.field("top", type + " cannot work in place (the fork's CHECK): top \""
                    + c.layer().getTop(0) + "\" is its bottom");
        }
    }
}
