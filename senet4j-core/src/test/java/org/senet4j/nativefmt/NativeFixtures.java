package org.senet4j.nativefmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.verify.SeededWeights;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.ArgMax;
import org.senet4j.ir.op.Axpy;
import org.senet4j.ir.op.BatchNorm;
import org.senet4j.ir.op.Bias;
import org.senet4j.ir.op.Concat;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.Dropout;
import org.senet4j.ir.op.Eltwise;
import org.senet4j.ir.op.Flatten;
import org.senet4j.ir.op.InnerProduct;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.LRN;
import org.senet4j.ir.op.MVN;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.PReLU;
import org.senet4j.ir.op.Pooling;
import org.senet4j.ir.op.Power;
import org.senet4j.ir.op.Unary;
import org.senet4j.ir.op.ReLU;
import org.senet4j.ir.op.Reduction;
import org.senet4j.ir.op.Reshape;
import org.senet4j.ir.op.Scale;
import org.senet4j.ir.op.Sigmoid;
import org.senet4j.ir.op.Silence;
import org.senet4j.ir.op.Slice;
import org.senet4j.ir.op.Softmax;
import org.senet4j.ir.op.Split;
import org.senet4j.ir.op.TanH;
import org.senet4j.ir.op.Tile;

/** Graphs for the native-format tests, and a strict comparison of graphs. */
final class NativeFixtures {
    private NativeFixtures() {
    }

    /** {@code g} with every weight filled with the oracle's seeded random values ({@link SeededWeights}). */
    static Graph withRandomWeights(Graph g, long seed) throws ModelException {
        return SeededWeights.fill(g, seed);
    }

    private static Tensor random(SplittableRandom r, int... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[Math.toIntExact(s.count())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(s, v);
    }

    /** Bit patterns a float round trip must keep: NaN payloads, signed zero, infinities, subnormals. */
    static final float[] SPECIAL_FLOATS = {
        Float.intBitsToFloat(0x7fa00001), Float.intBitsToFloat(0xffc00000), Float.NaN, -0.0f, 0.0f,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MAX_VALUE, 1f / 3f,
    };

    /** Every op type and variant (with and without bias, one- and two-input Scale and Bias...) in one graph. */
    static Graph allOps() throws ModelException {
        SplittableRandom r = new SplittableRandom(7);
        Tensor conv1w = random(r, 8, 4, 3, 3);
        float[] special = conv1w.toArray();
        System.arraycopy(SPECIAL_FLOATS, 0, special, 0, SPECIAL_FLOATS.length);
        conv1w = Tensor.of(conv1w.shape(), special);
        Graph.Builder b = Graph.builder("all-ops \u2014 \u00e9t\u00e9 \"quoted\"\n")
                .metadata("source.prototxt", "all_ops.prototxt")
                .metadata("labels", "tench\ngoldfish\n\u91d1\u9c7c")
                .metadata("preprocessing", "{\"mean\":[104,117,123],\"order\":\"BGR\"}");
        add(b, "data", "Input", new Input(List.of(Shape.of(2, 4, 9, 9), Shape.of(2, 0)), "Input"),
                List.of(), List.of("data", "aux"));
        add(b, "conv1", "Convolution", new Convolution(8, 3, 3, 1, 1, 1, 1, 1, 1, 1, conv1w, random(r, 8),
                Activation.relu(0.1f)), List.of("data"), List.of("conv1"));
        add(b, "conv_g", "Convolution", new Convolution(8, 1, 3, 2, 1, 0, 1, 1, 2, 2, random(r, 8, 4, 1, 3), null,
                Activation.NONE), List.of("conv1"), List.of("conv_g@bn"), List.of("conv_g"));
        add(b, "bn", "BatchNorm", new BatchNorm(1e-5f, random(r, 8), Tensor.of(Shape.of(8),
                new float[] {1, 2, 3, 4, 0.5f, 0.25f, 1, 1}), Tensor.of(Shape.of(1), new float[] {0.999f})),
                List.of("conv_g@bn"), List.of("conv_g@scale"), List.of("conv_g"));
        add(b, "scale1", "Scale", new Scale(1, 1, random(r, 8), random(r, 8)), List.of("conv_g@scale"),
                List.of("conv_g"));
        add(b, "scale_nb", "Scale", new Scale(2, 2, random(r, 5, 7), null), List.of("conv_g"), List.of("snb"));
        add(b, "bias1", "Bias", new Bias(1, 1, random(r, 8)), List.of("snb"), List.of("bias1"));
        add(b, "relu", "ReLU", new ReLU(-0.0f), List.of("bias1"), List.of("relu"));
        add(b, "prelu", "PReLU", new PReLU(false, random(r, 8)), List.of("relu"), List.of("prelu"));
        add(b, "prelu_s", "PReLU", new PReLU(true, random(r)), List.of("prelu"), List.of("prelu_s"));
        add(b, "sig", "Sigmoid", new Sigmoid(), List.of("prelu_s"), List.of("sig"));
        add(b, "tanh", "TanH", new TanH(), List.of("prelu"), List.of("tanh"));
        add(b, "pool_max", "Pooling", new Pooling(Pooling.Method.MAX, 3, 3, 2, 2, 1, 1, false, true),
                List.of("tanh"), List.of("pool_max"));
        add(b, "lrn", "LRN", new LRN(5, 1e-4f, 0.75f, 2f, LRN.Region.ACROSS_CHANNELS), List.of("tanh"),
                List.of("lrn"));
        add(b, "lrn_w", "LRN", new LRN(3, 0.9f, 0.75f, 1f, LRN.Region.WITHIN_CHANNEL), List.of("lrn"),
                List.of("lrn_w"));
        add(b, "mvn", "MVN", new MVN(true, false, 0.1f), List.of("lrn_w"), List.of("mvn"));
        add(b, "pool_ave", "Pooling", new Pooling(Pooling.Method.AVE, 2, 2, 1, 1, 0, 0, false, false),
                List.of("mvn"), List.of("pool_ave"));
        add(b, "pool_g", "Pooling", new Pooling(Pooling.Method.AVE, 0, 0, 1, 1, 0, 0, true, true),
                List.of("sig"), List.of("pool_g"));
        add(b, "ip", "InnerProduct", new InnerProduct(6, 1, false, random(r, 6, 192), random(r, 6),
                Activation.relu(0f)), List.of("pool_ave"), List.of("ip"));
        add(b, "ip_t", "InnerProduct", new InnerProduct(8, 1, true, random(r, 8, 8), null, Activation.NONE),
                List.of("pool_g"), List.of("ip_t"));
        add(b, "softmax", "Softmax", new Softmax(1), List.of("ip"), List.of("softmax"));
        add(b, "reshape", "Reshape", new Reshape(List.of(0, -1, 1, 1), 0, -1), List.of("ip_t"), List.of("resh"));
        add(b, "split", "Split", new Split(2), List.of("pool_max"), List.of("s_a", "s_b"));
        add(b, "axpy", "Axpy", new Axpy(), List.of("resh", "s_a", "s_b"), List.of("axpy"));
        add(b, "scale2in", "Scale", new Scale(0, 1, null, random(r, 2, 8)), List.of("axpy", "ip_t"),
                List.of("scale2in"));
        add(b, "bias2in", "Bias", new Bias(0, 1, null), List.of("scale2in", "ip_t"), List.of("bias2in"));
        add(b, "sum", "Eltwise", new Eltwise(Eltwise.Operation.SUM, List.of(1f / 3f, Float.NEGATIVE_INFINITY)),
                List.of("axpy", "bias2in"), List.of("sum"));
        add(b, "prod", "Eltwise", new Eltwise(Eltwise.Operation.PROD, List.of()), List.of("sum", "axpy"),
                List.of("prod"));
        add(b, "max", "Eltwise", new Eltwise(Eltwise.Operation.MAX, List.of()), List.of("prod", "sum", "axpy"),
                List.of("max"));
        add(b, "concat", "Concat", new Concat(1), List.of("max", "prod"), List.of("concat"));
        add(b, "slice", "Slice", new Slice(1, List.of(3, 10), 3), List.of("concat"),
                List.of("sl_a", "sl_b", "sl_c"));
        add(b, "slice_eq", "Slice", new Slice(1, List.of(), 2), List.of("concat"), List.of("se_a", "se_b"));
        add(b, "flatten", "Flatten", new Flatten(1, 3), List.of("sl_c"), List.of("flat"));
        add(b, "drop", "Dropout", new Dropout(0.1f), List.of("flat"), List.of("drop"));
        add(b, "power", "Power", new Power(Float.intBitsToFloat(0x7f800001), -0.0f, Float.MIN_VALUE),
                List.of("drop"), List.of("power"));
        add(b, "elu", "ELU", Unary.elu(Float.NaN), List.of("power"), List.of("elu"));
        add(b, "absval", "AbsVal", Unary.abs(), List.of("elu"), List.of("absval"));
        add(b, "exp", "Exp", Unary.exp(-1f, -0.0f, Float.MIN_VALUE), List.of("absval"), List.of("exp"));
        add(b, "log", "Log", Unary.log(10f, 2f, 0.5f), List.of("exp"), List.of("log"));
        add(b, "bnll", "BNLL", Unary.bnll(), List.of("log"), List.of("bnll"));
        add(b, "threshold", "Threshold", Unary.threshold(Float.NEGATIVE_INFINITY), List.of("bnll"),
                List.of("threshold"));
        add(b, "clip", "Clip", Unary.clip(-0.0f, 0.0f), List.of("threshold"), List.of("clip"));
        add(b, "swish", "Swish", Unary.swish(1.25f), List.of("clip"), List.of("swish"));
        add(b, "relu6_leaky", "ReLU6", Unary.relu6(0.125f), List.of("swish"), List.of("relu6_leaky"));
        add(b, "hardswish", "HardSwish", Unary.hardSwish(), List.of("relu6_leaky"), List.of("hardswish"));
        add(b, "hardsigmoid", "HardSigmoid", Unary.hardSigmoid(), List.of("hardswish"), List.of("hardsigmoid"));
        add(b, "mish", "Mish", Unary.mish(), List.of("hardsigmoid"), List.of("mish"));
        add(b, "shuffle", "ShuffleChannel", new org.senet4j.ir.op.ShuffleChannel(4), List.of("tanh"),
                List.of("shuffle"));
        add(b, "aux_bias", "Bias", new Bias(1, 1, random(r, 0)), List.of("aux"), List.of("aux_bias"));
        add(b, "aux_softmax", "Softmax", new Softmax(1), List.of("aux_bias"), List.of("aux_softmax"));
        add(b, "argmax", "ArgMax", new ArgMax(3, true, ArgMax.NO_AXIS), List.of("pool_max"), List.of("argmax"));
        add(b, "argmax_axis", "ArgMax", new ArgMax(2, false, 1), List.of("pool_max"), List.of("argmax_axis"));
        add(b, "reduction", "Reduction", new Reduction(Reduction.Operation.SUMSQ, 2, -0.5f), List.of("mvn"),
                List.of("reduction"));
        add(b, "tile", "Tile", new Tile(2, 3), List.of("lrn_w"), List.of("tile"));
        add(b, "bn_batch", "BatchNorm", new org.senet4j.ir.op.BatchStatNorm(1e-3f), List.of("tanh"),
                List.of("bn_batch"));
        add(b, "pool_sto", "Pooling", new Pooling(Pooling.Method.STOCHASTIC, 2, 2, 2, 2, 0, 0, false, true),
                List.of("bn_batch"), List.of("pool_sto"));
        add(b, "pool_mask", "Pooling", new org.senet4j.ir.op.MaxPoolMask(new Pooling(Pooling.Method.MAX, 2, 2, 2, 2,
                0, 0, false, true)), List.of("data"), List.of("pm_v", "pm_m"));
        add(b, "unpool", "Upsample", new org.senet4j.ir.op.MaxUnpool(2, 2, 1, 1, 0, 0), List.of("pm_v", "pm_m"),
                List.of("unpool"));
        add(b, "interp", "Interp", new org.senet4j.ir.op.Interp(2, 0, 0, 0, -1, 0), List.of("data"),
                List.of("interp"));
        add(b, "upsample", "Upsample", new org.senet4j.ir.op.NearestUpsample(2), List.of("data"),
                List.of("upsample"));
        add(b, "silence", "Silence", new Silence(), List.of("sl_a", "sl_b", "se_a", "se_b", "argmax",
                "argmax_axis", "reduction", "tile", "pool_sto", "mish", "shuffle", "unpool", "interp", "upsample"),
                List.of());
        add(b, "custom", "SignedSqrt", new org.senet4j.ir.op.Custom(
                new org.senet4j.caffe.plugin.SignedSqrtPlugin.SignedSqrt(0.125f), Map.of()),
                List.of("aux_softmax"), List.of("custom"));
        add(b, "deconv", "Deconvolution", new org.senet4j.ir.op.Deconvolution(4, 3, 2, 2, 1, 1, 0, 1, 2, 2,
                random(r, 8, 2, 3, 2), random(r, 4)), List.of("conv1"), List.of("deconv"));
        add(b, "crop", "Crop", new org.senet4j.ir.op.Crop(2, List.of(1, 0)), List.of("deconv", "data"),
                List.of("crop"));
        add(b, "seq", "Input", new Input(List.of(Shape.of(3, 2, 2, 2), Shape.of(3, 2), Shape.of(2, 5),
                Shape.of(1, 2, 3), Shape.of(1, 2, 3)), "Input"), List.of(),
                List.of("seq_x", "seq_cont", "seq_xs", "seq_h0", "seq_c0"));
        add(b, "lstm", "LSTM", new org.senet4j.ir.op.LSTM(3, true, random(r, 12, 4), random(r, 12),
                random(r, 12, 5), random(r, 12, 3)), List.of("seq_x", "seq_cont", "seq_xs", "seq_h0", "seq_c0"),
                List.of("lstm_h", "lstm_hT", "lstm_cT"));
        add(b, "lstm_plain", "LSTM", new org.senet4j.ir.op.LSTM(2, false, random(r, 8, 3), random(r, 8), null,
                random(r, 8, 2)), List.of("lstm_h", "seq_cont"), List.of("lstm_plain"));
        add(b, "rnn", "RNN", new org.senet4j.ir.op.RNN(3, true, random(r, 3, 2), random(r, 3), null,
                random(r, 3, 3), random(r, 3, 3), random(r, 3)), List.of("lstm_plain", "seq_cont", "seq_h0"),
                List.of("rnn_o", "rnn_hT"));
        add(b, "rnn_static", "RNN", new org.senet4j.ir.op.RNN(4, false, random(r, 4, 4), random(r, 4),
                random(r, 4, 5), random(r, 4, 4), random(r, 4, 4), random(r, 4)),
                List.of("seq_x", "seq_cont", "seq_xs"), List.of("rnn_static"));
        add(b, "seq_silence", "Silence", new Silence(), List.of("lstm_hT", "lstm_cT", "rnn_hT", "rnn_static"),
                List.of());
        add(b, "embed", "Embed", new org.senet4j.ir.op.Embed(3, 8, random(r, 8, 3), random(r, 3)),
                List.of("argmax_axis"), List.of("embed"));
        add(b, "embed_nb", "Embed", new org.senet4j.ir.op.Embed(2, 8, random(r, 8, 2), null), List.of("argmax_axis"),
                List.of("embed_nb"));
        add(b, "param", "Parameter", new org.senet4j.ir.op.Parameter(random(r, 3)), List.of(), List.of("param"));
        add(b, "spp", "SPP", new org.senet4j.ir.op.SPP(2, Pooling.Method.AVE), List.of("tanh"), List.of("spp"));
        add(b, "im2col", "Im2col", new org.senet4j.ir.op.Im2col(1, List.of(2, 3), List.of(2, 1), List.of(1, 0),
                List.of(1, 2)), List.of("tanh"), List.of("im2col"));
        add(b, "reindex", "BatchReindex", new org.senet4j.ir.op.BatchReindex(), List.of("tanh", "param"),
                List.of("reindex"));
        add(b, "silence_misc", "Silence", new Silence(), List.of("embed", "embed_nb", "spp", "im2col", "reindex"),
                List.of());
        // the SSD fork's layers: a detection head on conv1 (2 x 8 x 9 x 9), 4 priors per position, 3 classes
        add(b, "norm", "Normalize", new org.senet4j.ir.op.Normalize(false, false, 1e-10f, random(r, 8)),
                List.of("conv1"), List.of("norm"));
        add(b, "norm_s", "Normalize", new org.senet4j.ir.op.Normalize(true, true, 1e-3f, random(r)), List.of("norm"),
                List.of("norm_s"));
        add(b, "loc", "Convolution", new Convolution(16, 1, 1, 1, 1, 0, 0, 1, 1, 1, random(r, 16, 8, 1, 1), null,
                Activation.NONE), List.of("norm_s"), List.of("loc"));
        add(b, "loc_perm", "Permute", new org.senet4j.ir.op.Permute(List.of(0, 2, 3, 1)), List.of("loc"),
                List.of("loc_perm"));
        add(b, "loc_flat", "Flatten", new Flatten(1, 3), List.of("loc_perm"), List.of("loc_flat"));
        add(b, "conf", "Convolution", new Convolution(12, 1, 1, 1, 1, 0, 0, 1, 1, 1, random(r, 12, 8, 1, 1), null,
                Activation.NONE), List.of("norm_s"), List.of("conf"));
        add(b, "conf_perm", "Permute", new org.senet4j.ir.op.Permute(List.of(0, 2, 3, 1)), List.of("conf"),
                List.of("conf_perm"));
        add(b, "conf_flat", "Flatten", new Flatten(1, 3), List.of("conf_perm"), List.of("conf_flat"));
        add(b, "priors", "PriorBox", new org.senet4j.ir.op.PriorBox(List.of(2f), List.of(4.5f),
                org.senet4j.ir.op.PriorBox.aspectRatios(List.of(2f), true), true, List.of(0.1f, 0.1f, 0.2f, 0.2f), 0, 0,
                0, 0, 0.5f), List.of("conv1", "data"), List.of("priors"));
        add(b, "detections", "DetectionOutput", new org.senet4j.ir.op.DetectionOutput(3, true, 0,
                org.senet4j.ir.op.DetectionOutput.CodeType.CENTER_SIZE, false, 0.45f, 50, 0.75f, 20, -Float.MAX_VALUE),
                List.of("loc_flat", "conf_flat", "priors"), List.of("detections"));
        // the YOLO fork's layers on conv1 (2 x 8 x 9 x 9): Reorg both ways, a YOLOv2 and a YOLOv3 head
        add(b, "reorg", "Reorg", new org.senet4j.ir.op.Reorg(2, true), List.of("conv1"), List.of("reorg"));
        add(b, "reorg_back", "Reorg", new org.senet4j.ir.op.Reorg(1, false), List.of("reorg"), List.of("reorg_back"));
        add(b, "yolo2", "YoloDetectionOutput", new org.senet4j.ir.op.YoloDetectionOutput(
                org.senet4j.ir.op.YoloDetectionOutput.Version.V2, 3, 1, 0.25f, 0.45f, List.of(1.08f, 1.19f), List.of(),
                List.of(), 0), List.of("conv1"), List.of("yolo2"));
        add(b, "yolo3", "Yolov3DetectionOutput", new org.senet4j.ir.op.YoloDetectionOutput(
                org.senet4j.ir.op.YoloDetectionOutput.Version.V3, 3, 1, 0.01f, 0.5f, List.of(10f, 14f, 23f, 27f),
                List.of(1), List.of(16), 1), List.of("conv1"), List.of("yolo3"));
        // the R-CNN layers: proposals from constant scores and deltas (3 anchors on 3 x 3 cells), pooled from conv1
        add(b, "rpn_scores", "Parameter", new org.senet4j.ir.op.Parameter(random(r, 1, 6, 3, 3)), List.of(),
                List.of("rpn_scores"));
        add(b, "rpn_deltas", "Parameter", new org.senet4j.ir.op.Parameter(random(r, 1, 12, 3, 3)), List.of(),
                List.of("rpn_deltas"));
        add(b, "im_info", "Parameter", new org.senet4j.ir.op.Parameter(random(r, 1, 3)), List.of(),
                List.of("im_info"));
        add(b, "proposal", "Python", new org.senet4j.ir.op.Proposal(4, 8, List.of(1f), List.of(0.5f, 1f, 2f), 20, 10,
                0.6f, 0.25f, 2), List.of("rpn_scores", "rpn_deltas", "im_info"), List.of("rois", "roi_scores"));
        add(b, "roi_pool", "ROIPooling", new org.senet4j.ir.op.RoiPooling(2, 3, 0.5f), List.of("conv1", "rois"),
                List.of("roi_pool"));
        add(b, "psroi_pool", "PSROIPooling", new org.senet4j.ir.op.PsRoiPooling(0.5f, 2, 2), List.of("conv1", "rois"),
                List.of("psroi_pool"));
        add(b, "silence_rcnn", "Silence", new Silence(), List.of("roi_pool", "psroi_pool", "roi_scores"), List.of());
        add(b, "ocr_seq", "Input", new Input(List.of(Shape.of(4, 2, 3)), "Input"), List.of(), List.of("ocr_x"));
        add(b, "ocr_reverse", "Reverse", new org.senet4j.ir.op.Reverse(0), List.of("ocr_x"), List.of("ocr_rev"));
        add(b, "ocr_lstm", "Lstm", new org.senet4j.ir.op.LSTM(2, false, random(r, 8, 3), random(r, 8), null,
                random(r, 8, 2), true), List.of("ocr_rev"), List.of("ocr_lstm"));
        add(b, "ocr_cont", "ContinuationIndicator", new org.senet4j.ir.op.ContinuationIndicator(4, 1, 1),
                List.of("ocr_x"), List.of("ocr_cont"));
        add(b, "ocr_ctc", "CTCGreedyDecoder", new org.senet4j.ir.op.CtcGreedyDecoder(-1, true), List.of("ocr_lstm"),
                List.of("ocr_ctc"));
        add(b, "silence_ocr", "Silence", new Silence(), List.of("ocr_cont", "ocr_ctc"), List.of());
        // BVLC's LSTMUnit: one cell step of 2 samples and 3 units
        add(b, "unit_c_prev", "Parameter", new org.senet4j.ir.op.Parameter(random(r, 1, 2, 3)), List.of(),
                List.of("unit_c_prev"));
        add(b, "unit_x", "Parameter", new org.senet4j.ir.op.Parameter(random(r, 1, 2, 12)), List.of(),
                List.of("unit_x"));
        add(b, "unit_cont", "Parameter", new org.senet4j.ir.op.Parameter(random(r, 1, 2)), List.of(),
                List.of("unit_cont"));
        add(b, "lstm_unit", "LSTMUnit", new org.senet4j.ir.op.LSTMUnit(), List.of("unit_c_prev", "unit_x",
                "unit_cont"), List.of("unit_c", "unit_h"));
        add(b, "silence_unit", "Silence", new Silence(), List.of("unit_c", "unit_h"), List.of());
        return b.outputs(List.of("softmax", "power", "custom", "crop", "rnn_o", "detections", "yolo2", "yolo3",
                "reorg_back")).build();
    }

    private static void add(Graph.Builder b, String name, String type, Op op, List<String> in, List<String> out)
            throws ModelException {
        add(b, name, type, op, in, out, out);
    }

    private static void add(Graph.Builder b, String name, String type, Op op, List<String> in, List<String> out,
                            List<String> blobs) throws ModelException {
        b.add(new Node(name, type, op, in, out), blobs);
    }

    /**
     * Asserts that {@code actual} is {@code expected} exactly: name, inputs, outputs, metadata, every value (name,
     * blob, shape), every node (name, type, op with all attributes, connections) and every weight bit for bit.
     */
    static void assertSameGraph(Graph expected, Graph actual) {
        assertEquals(expected.name(), actual.name());
        assertEquals(expected.inputs(), actual.inputs());
        assertEquals(expected.outputs(), actual.outputs());
        assertEquals(new ArrayList<>(expected.metadata().entrySet()), new ArrayList<>(actual.metadata().entrySet()));
        assertEquals(new ArrayList<>(expected.values().values()), new ArrayList<>(actual.values().values()));
        assertEquals(expected.nodes().size(), actual.nodes().size());
        for (int i = 0; i < expected.nodes().size(); i++) {
            Node e = expected.nodes().get(i);
            Node a = actual.nodes().get(i);
            assertEquals(e, a, "node " + i + " " + e.name());
            assertEquals(e.op().weights().keySet(), a.op().weights().keySet(), e.name());
            for (Map.Entry<String, Tensor> w : e.op().weights().entrySet()) {
                assertBitIdentical(w.getValue(), a.op().weights().get(w.getKey()), e.name() + "/" + w.getKey());
            }
        }
    }

    static void assertBitIdentical(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.shape(), actual.shape(), what);
        FloatBuffer x = expected.data();
        FloatBuffer y = actual.data();
        assertEquals(x.remaining(), y.remaining(), what);
        for (int i = 0; i < x.remaining(); i++) {
            int bx = Float.floatToRawIntBits(x.get(i));
            int by = Float.floatToRawIntBits(y.get(i));
            if (bx != by) {
                assertTrue(false, what + "[" + i + "]: bits " + Integer.toHexString(bx) + " vs "
                        + Integer.toHexString(by));
            }
        }
    }
}
