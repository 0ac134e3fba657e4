package org.senet4j.nativefmt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.io.Json;
import org.senet4j.ir.op.ArgMax;
import org.senet4j.ir.op.Axpy;
import org.senet4j.ir.op.BatchReindex;
import org.senet4j.ir.op.BatchNorm;
import org.senet4j.ir.op.BatchStatNorm;
import org.senet4j.ir.op.Bias;
import org.senet4j.ir.op.Concat;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.Crop;
import org.senet4j.ir.op.Custom;
import org.senet4j.ir.op.Deconvolution;
import org.senet4j.ir.op.DetectionOutput;
import org.senet4j.ir.op.Dropout;
import org.senet4j.ir.op.Eltwise;
import org.senet4j.ir.op.Embed;
import org.senet4j.ir.op.Flatten;
import org.senet4j.ir.op.Im2col;
import org.senet4j.ir.op.InnerProduct;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.PReLU;
import org.senet4j.ir.op.Pooling;
import org.senet4j.ir.op.LRN;
import org.senet4j.ir.op.MVN;
import org.senet4j.ir.op.Parameter;
import org.senet4j.ir.op.Normalize;
import org.senet4j.ir.op.Permute;
import org.senet4j.ir.op.Power;
import org.senet4j.ir.op.PriorBox;
import org.senet4j.ir.op.ReLU;
import org.senet4j.ir.op.Reduction;
import org.senet4j.ir.op.Reshape;
import org.senet4j.ir.op.SPP;
import org.senet4j.ir.op.Scale;
import org.senet4j.ir.op.Sigmoid;
import org.senet4j.ir.op.Silence;
import org.senet4j.ir.op.Slice;
import org.senet4j.ir.op.Softmax;
import org.senet4j.ir.op.Split;
import org.senet4j.ir.op.TanH;
import org.senet4j.ir.op.Unary;
import org.senet4j.ir.op.YoloDetectionOutput;
import org.senet4j.ir.op.Tile;
import org.senet4j.ir.op.Reorg;
import org.senet4j.ir.op.ShuffleChannel;

/**
 * The one table that maps each {@link Op} record to its serialised attributes and back: for every op, its encoder
 * sits next to its decoder. Weights are not attributes: a node lists them by the names of {@link Op#weights()}, and
 * the decoder asks for each by name ({@code weight} when required, {@code optionalWeight} when the op may lack it).
 * Attribute names follow Caffe's where there is one.
 */
final class OpCodecs {
    private OpCodecs() {
    }

    /** Writes an op's attributes. */
    @FunctionalInterface
    interface Encoder<T extends Op> {
        void encode(T op, AttrWriter out);
    }

    /** Builds an op from its attributes and weights; may throw IllegalArgumentException from the op's checks. */
    @FunctionalInterface
    interface Decoder<T extends Op> {
        T decode(OpReader in) throws ModelException;
    }

    /** One row of the table; its name is the op's {@link Op#opName()}. */
    record Codec<T extends Op>(Class<T> type, Encoder<T> encoder, Decoder<T> decoder) {
        String name() {
            return type.getSimpleName();
        }

        Map<String, Object> encode(Op op) {
            AttrWriter w = new AttrWriter();
            encoder.encode(type.cast(op), w);
            return w.map();
        }
    }

    private static <T extends Op> Codec<T> codec(Class<T> type, Encoder<T> encoder, Decoder<T> decoder) {
        return new Codec<>(type, encoder, decoder);
    }

    private static final List<Codec<?>> TABLE = List.of(
        codec(Input.class,
            (op, a) -> a.shapes("shapes", op.shapes()).string("source", op.source()),
            r -> {
                Input in = new Input(r.shapes("shapes"), r.string("source"));
                if (in.shapes().size() != r.outputCount()) {
                    throw ModelException.field("attrs.shapes", in.shapes().size() + " shapes for "
                            + r.outputCount() + " outputs");
                }
                return in;
            }),
        codec(Convolution.class,
            (op, a) -> a.integer("num_output", op.numOutput())
                .integer("kernel_h", op.kernelH()).integer("kernel_w", op.kernelW())
                .integer("stride_h", op.strideH()).integer("stride_w", op.strideW())
                .integer("pad_h", op.padH()).integer("pad_w", op.padW())
                .integer("dilation_h", op.dilationH()).integer("dilation_w", op.dilationW())
                .integer("group", op.group()).activation("activation", op.activation()),
            r -> new Convolution(r.integer("num_output"), r.integer("kernel_h"), r.integer("kernel_w"),
                r.integer("stride_h"), r.integer("stride_w"), r.integer("pad_h"), r.integer("pad_w"),
                r.integer("dilation_h"), r.integer("dilation_w"), r.integer("group"), r.weight("weight"),
                r.optionalWeight("bias"), r.activation("activation"))),
        codec(BatchNorm.class,
            (op, a) -> a.real("eps", op.eps()),
            r -> new BatchNorm(r.real("eps"), r.weight("mean"), r.weight("variance"), r.weight("scale_factor"))),
        codec(BatchStatNorm.class,
            (op, a) -> a.real("eps", op.eps()),
            r -> new BatchStatNorm(r.real("eps"))),
        codec(Scale.class,
            (op, a) -> a.integer("axis", op.axis()).integer("num_axes", op.numAxes()),
            r -> new Scale(r.integer("axis"), r.integer("num_axes"), r.optionalWeight("scale"),
                r.optionalWeight("bias"))),
        codec(Bias.class,
            (op, a) -> a.integer("axis", op.axis()).integer("num_axes", op.numAxes()),
            r -> new Bias(r.integer("axis"), r.integer("num_axes"), r.optionalWeight("bias"))),
        codec(ReLU.class,
            (op, a) -> a.real("negative_slope", op.negativeSlope()),
            r -> new ReLU(r.real("negative_slope"))),
        codec(PReLU.class,
            (op, a) -> a.bool("channel_shared", op.channelShared()),
            r -> new PReLU(r.bool("channel_shared"), r.weight("slope"))),
        codec(Sigmoid.class,
            (op, a) -> { },
            r -> new Sigmoid()),
        codec(TanH.class,
            (op, a) -> { },
            r -> new TanH()),
        codec(Pooling.class,
            (op, a) -> a.choice("method", op.method())
                .integer("kernel_h", op.kernelH()).integer("kernel_w", op.kernelW())
                .integer("stride_h", op.strideH()).integer("stride_w", op.strideW())
                .integer("pad_h", op.padH()).integer("pad_w", op.padW())
                .bool("global", op.global()).bool("ceil", op.ceil()),
            r -> new Pooling(r.choice("method", Pooling.Method.class), r.integer("kernel_h"), r.integer("kernel_w"),
                r.integer("stride_h"), r.integer("stride_w"), r.integer("pad_h"), r.integer("pad_w"),
                r.bool("global"), r.bool("ceil"))),
        codec(InnerProduct.class,
            (op, a) -> a.integer("num_output", op.numOutput()).integer("axis", op.axis())
                .bool("transpose", op.transpose()).activation("activation", op.activation()),
            r -> new InnerProduct(r.integer("num_output"), r.integer("axis"), r.bool("transpose"),
                r.weight("weight"), r.optionalWeight("bias"), r.activation("activation"))),
        codec(Softmax.class,
            (op, a) -> a.integer("axis", op.axis()),
            r -> new Softmax(r.integer("axis"))),
        codec(Axpy.class,
            (op, a) -> { },
            r -> new Axpy()),
        codec(Eltwise.class,
            (op, a) -> a.choice("operation", op.operation()).reals("coefficients", op.coefficients()),
            r -> new Eltwise(r.choice("operation", Eltwise.Operation.class), r.reals("coefficients"))),
        codec(Concat.class,
            (op, a) -> a.integer("axis", op.axis()),
            r -> new Concat(r.integer("axis"))),
        codec(Slice.class,
            (op, a) -> a.integer("axis", op.axis()).integers("points", op.points()).integer("outputs", op.outputs()),
            r -> new Slice(r.integer("axis"), r.integers("points"), outputs(r))),
        codec(Split.class,
            (op, a) -> a.integer("outputs", op.outputs()),
            r -> new Split(outputs(r))),
        codec(Reshape.class,
            (op, a) -> a.integers("dims", op.dims()).integer("axis", op.axis()).integer("num_axes", op.numAxes()),
            r -> new Reshape(r.integers("dims"), r.integer("axis"), r.integer("num_axes"))),
        codec(Flatten.class,
            (op, a) -> a.integer("axis", op.axis()).integer("end_axis", op.endAxis()),
            r -> new Flatten(r.integer("axis"), r.integer("end_axis"))),
        codec(Dropout.class,
            (op, a) -> a.real("ratio", op.ratio()),
            r -> new Dropout(r.real("ratio"))),
        codec(Power.class,
            (op, a) -> a.real("power", op.power()).real("scale", op.scale()).real("shift", op.shift()),
            r -> new Power(r.real("power"), r.real("scale"), r.real("shift"))),
        codec(Silence.class,
            (op, a) -> { },
            r -> new Silence()),
        codec(LRN.class,
            (op, a) -> a.integer("local_size", op.localSize()).real("alpha", op.alpha()).real("beta", op.beta())
                .real("k", op.k()).choice("region", op.region()),
            r -> new LRN(r.integer("local_size"), r.real("alpha"), r.real("beta"), r.real("k"),
                r.choice("region", LRN.Region.class))),
        codec(Custom.class,
            (op, a) -> a.string("kernel", op.kernel().name()).string("attributes", Json.write(op.kernel().attributes())),
            r -> CustomKernels.recreate(r)),
        codec(MVN.class,
            (op, a) -> a.bool("normalize_variance", op.normalizeVariance())
                .bool("across_channels", op.acrossChannels()).real("eps", op.eps()),
            r -> new MVN(r.bool("normalize_variance"), r.bool("across_channels"), r.real("eps"))),
        codec(Unary.class,
            (op, a) -> {
                a.choice("kind", op.kind());
                float[] p = op.params();
                for (int i = 0; i < p.length; i++) {
                    a.real(op.kind().params().get(i), p[i]);
                }
            },
            r -> {
                Unary.Kind kind = r.choice("kind", Unary.Kind.class);
                float[] p = new float[3];
                for (int i = 0; i < kind.params().size(); i++) {
                    p[i] = r.real(kind.params().get(i));
                }
                return new Unary(kind, p[0], p[1], p[2]);
            }),
        codec(Deconvolution.class,
            (op, a) -> a.integer("num_output", op.numOutput())
                .integer("kernel_h", op.kernelH()).integer("kernel_w", op.kernelW())
                .integer("stride_h", op.strideH()).integer("stride_w", op.strideW())
                .integer("pad_h", op.padH()).integer("pad_w", op.padW())
                .integer("dilation_h", op.dilationH()).integer("dilation_w", op.dilationW())
                .integer("group", op.group()),
            r -> new Deconvolution(r.integer("num_output"), r.integer("kernel_h"), r.integer("kernel_w"),
                r.integer("stride_h"), r.integer("stride_w"), r.integer("pad_h"), r.integer("pad_w"),
                r.integer("dilation_h"), r.integer("dilation_w"), r.integer("group"), r.weight("weight"),
                r.optionalWeight("bias"))),
        codec(Crop.class,
            (op, a) -> a.integer("axis", op.axis()).integers("offset", op.offsets()),
            r -> new Crop(r.integer("axis"), r.integers("offset"))),
        codec(ArgMax.class,
            (op, a) -> a.integer("top_k", op.topK()).bool("out_max_val", op.outMaxVal()).integer("axis", op.axis()),
            r -> new ArgMax(r.integer("top_k"), r.bool("out_max_val"), r.integer("axis"))),
        codec(Reduction.class,
            (op, a) -> a.choice("operation", op.operation()).integer("axis", op.axis()).real("coeff", op.coeff()),
            r -> new Reduction(r.choice("operation", Reduction.Operation.class), r.integer("axis"), r.real("coeff"))),
        codec(Tile.class,
            (op, a) -> a.integer("axis", op.axis()).integer("tiles", op.tiles()),
            r -> new Tile(r.integer("axis"), r.integer("tiles"))),
        codec(org.senet4j.ir.op.LSTM.class,
            (op, a) -> a.integer("num_output", op.numOutput()).bool("expose_hidden", op.exposeHidden())
                .bool("implied_cont", op.impliedCont()),
            r -> new org.senet4j.ir.op.LSTM(r.integer("num_output"), r.bool("expose_hidden"), r.weight("W_xc"),
                r.weight("b_c"), r.optionalWeight("W_xc_static"), r.weight("W_hc"),
                r.bool("implied_cont", false))),
        codec(org.senet4j.ir.op.RNN.class,
            (op, a) -> a.integer("num_output", op.numOutput()).bool("expose_hidden", op.exposeHidden()),
            r -> new org.senet4j.ir.op.RNN(r.integer("num_output"), r.bool("expose_hidden"), r.weight("W_xh"),
                r.weight("b_h"), r.optionalWeight("W_xh_static"), r.weight("W_hh"), r.weight("W_ho"),
                r.weight("b_o"))),
        codec(Embed.class,
            (op, a) -> a.integer("num_output", op.numOutput()).integer("input_dim", op.inputDim()),
            r -> new Embed(r.integer("num_output"), r.integer("input_dim"), r.weight("weight"),
                r.optionalWeight("bias"))),
        codec(Parameter.class,
            (op, a) -> { },
            r -> new Parameter(r.weight("value"))),
        codec(SPP.class,
            (op, a) -> a.integer("pyramid_height", op.pyramidHeight()).choice("pool", op.method()),
            r -> new SPP(r.integer("pyramid_height"), r.choice("pool", Pooling.Method.class))),
        codec(Im2col.class,
            (op, a) -> a.integer("axis", op.axis()).integers("kernel", op.kernel()).integers("stride", op.stride())
                .integers("pad", op.pad()).integers("dilation", op.dilation()),
            r -> new Im2col(r.integer("axis"), r.integers("kernel"), r.integers("stride"), r.integers("pad"),
                r.integers("dilation"))),
        codec(BatchReindex.class,
            (op, a) -> { },
            r -> new BatchReindex()),
        codec(Permute.class,
            (op, a) -> a.integers("order", op.order()),
            r -> new Permute(r.integers("order"))),
        codec(Normalize.class,
            (op, a) -> a.bool("across_spatial", op.acrossSpatial()).bool("channel_shared", op.channelShared())
                .real("eps", op.eps()),
            r -> new Normalize(r.bool("across_spatial"), r.bool("channel_shared"), r.real("eps"),
                r.weight("scale"))),
        codec(PriorBox.class,
            (op, a) -> a.reals("min_size", op.minSizes()).reals("max_size", op.maxSizes())
                .reals("aspect_ratios", op.aspectRatios()).bool("clip", op.clip()).reals("variance", op.variances())
                .integer("img_h", op.imgH()).integer("img_w", op.imgW()).real("step_h", op.stepH())
                .real("step_w", op.stepW()).real("offset", op.offset()).choice("dialect", op.dialect()),
            r -> new PriorBox(r.reals("min_size"), r.reals("max_size"), r.reals("aspect_ratios"), r.bool("clip"),
                r.reals("variance"), r.integer("img_h"), r.integer("img_w"), r.real("step_h"), r.real("step_w"),
                r.real("offset"), r.choice("dialect", PriorBox.Dialect.class))),
        codec(DetectionOutput.class,
            (op, a) -> a.integer("num_classes", op.numClasses()).bool("share_location", op.shareLocation())
                .integer("background_label_id", op.backgroundLabelId()).choice("code_type", op.codeType())
                .bool("variance_encoded_in_target", op.varianceEncodedInTarget())
                .real("nms_threshold", op.nmsThreshold()).integer("top_k", op.topK()).real("eta", op.eta())
                .integer("keep_top_k", op.keepTopK()).real("confidence_threshold", op.confidenceThreshold()),
            r -> new DetectionOutput(r.integer("num_classes"), r.bool("share_location"),
                r.integer("background_label_id"), r.choice("code_type", DetectionOutput.CodeType.class),
                r.bool("variance_encoded_in_target"), r.real("nms_threshold"), r.integer("top_k"), r.real("eta"),
                r.integer("keep_top_k"), r.real("confidence_threshold"))),
        codec(ShuffleChannel.class,
            (op, a) -> a.integer("group", op.group()),
            r -> new ShuffleChannel(r.integer("group"))),
        codec(org.senet4j.ir.op.LSTMUnit.class,
            (op, a) -> { },
            r -> new org.senet4j.ir.op.LSTMUnit()),
        codec(org.senet4j.ir.op.Reverse.class,
            (op, a) -> a.integer("axis", op.axis()),
            r -> new org.senet4j.ir.op.Reverse(r.integer("axis"))),
        codec(org.senet4j.ir.op.ContinuationIndicator.class,
            (op, a) -> a.integer("time_step", op.timeStep()).integer("axis", op.axis())
                .integer("batch_size", op.batchSize()),
            r -> new org.senet4j.ir.op.ContinuationIndicator(r.integer("time_step"), r.integer("axis"),
                r.integer("batch_size"))),
        codec(org.senet4j.ir.op.CtcGreedyDecoder.class,
            (op, a) -> a.integer("blank_index", op.blankIndex()).bool("merge_repeated", op.mergeRepeated()),
            r -> new org.senet4j.ir.op.CtcGreedyDecoder(r.integer("blank_index"), r.bool("merge_repeated"))),
        codec(Reorg.class,
            (op, a) -> a.integer("stride", op.stride()).bool("reverse", op.reverse()),
            r -> new Reorg(r.integer("stride"), r.bool("reverse"))),
        codec(YoloDetectionOutput.class,
            (op, a) -> a.choice("version", op.version()).integer("num_classes", op.numClasses())
                .integer("num_box", op.numBox()).real("confidence_threshold", op.confidenceThreshold())
                .real("nms_threshold", op.nmsThreshold()).reals("biases", op.biases())
                .integers("mask", op.mask()).integers("anchors_scale", op.anchorsScale())
                .integer("mask_group_num", op.maskGroupNum()),
            r -> new YoloDetectionOutput(r.choice("version", YoloDetectionOutput.Version.class),
                r.integer("num_classes"), r.integer("num_box"), r.real("confidence_threshold"),
                r.real("nms_threshold"), r.reals("biases"), r.integers("mask"), r.integers("anchors_scale"),
                r.integer("mask_group_num"))),
        codec(org.senet4j.ir.op.Interp.class,
            (op, a) -> a.integer("zoom_factor", op.zoomFactor()).integer("shrink_factor", op.shrinkFactor())
                .integer("height", op.height()).integer("width", op.width())
                .integer("pad_beg", op.padBeg()).integer("pad_end", op.padEnd()),
            r -> new org.senet4j.ir.op.Interp(r.integer("zoom_factor"), r.integer("shrink_factor"),
                r.integer("height"), r.integer("width"), r.integer("pad_beg"), r.integer("pad_end"))),
        codec(org.senet4j.ir.op.NearestUpsample.class,
            (op, a) -> a.integer("scale", op.scale()),
            r -> new org.senet4j.ir.op.NearestUpsample(r.integer("scale"))),
        codec(org.senet4j.ir.op.MaxUnpool.class,
            (op, a) -> a.integer("scale_h", op.scaleH()).integer("scale_w", op.scaleW())
                .integer("pad_out_h", op.padOutH()).integer("pad_out_w", op.padOutW())
                .integer("upsample_h", op.upsampleH()).integer("upsample_w", op.upsampleW()),
            r -> new org.senet4j.ir.op.MaxUnpool(r.integer("scale_h"), r.integer("scale_w"), r.integer("pad_out_h"),
                r.integer("pad_out_w"), r.integer("upsample_h"), r.integer("upsample_w"))),
        codec(org.senet4j.ir.op.MaxPoolMask.class,
            (op, a) -> a.integer("kernel_h", op.pooling().kernelH()).integer("kernel_w", op.pooling().kernelW())
                .integer("stride_h", op.pooling().strideH()).integer("stride_w", op.pooling().strideW())
                .integer("pad_h", op.pooling().padH()).integer("pad_w", op.pooling().padW())
                .bool("global", op.pooling().global()).bool("ceil", op.pooling().ceil()),
            r -> new org.senet4j.ir.op.MaxPoolMask(new Pooling(Pooling.Method.MAX, r.integer("kernel_h"),
                r.integer("kernel_w"), r.integer("stride_h"), r.integer("stride_w"), r.integer("pad_h"),
                r.integer("pad_w"), r.bool("global"), r.bool("ceil")))),
        codec(org.senet4j.ir.op.RoiPooling.class,
            (op, a) -> a.integer("pooled_h", op.pooledH()).integer("pooled_w", op.pooledW())
                .real("spatial_scale", op.spatialScale()),
            r -> new org.senet4j.ir.op.RoiPooling(r.integer("pooled_h"), r.integer("pooled_w"),
                r.real("spatial_scale"))),
        codec(org.senet4j.ir.op.PsRoiPooling.class,
            (op, a) -> a.real("spatial_scale", op.spatialScale()).integer("output_dim", op.outputDim())
                .integer("group_size", op.groupSize()),
            r -> new org.senet4j.ir.op.PsRoiPooling(r.real("spatial_scale"), r.integer("output_dim"),
                r.integer("group_size"))),
        codec(org.senet4j.ir.op.Proposal.class,
            (op, a) -> a.integer("feat_stride", op.featStride()).integer("base_size", op.baseSize())
                .reals("ratios", op.ratios()).reals("scales", op.scales()).integer("pre_nms_topn", op.preNmsTopN())
                .integer("post_nms_topn", op.postNmsTopN()).real("nms_thresh", op.nmsThresh())
                .real("min_size", op.minSize()).integer("tops", op.tops()),
            r -> new org.senet4j.ir.op.Proposal(r.integer("feat_stride"), r.integer("base_size"), r.reals("ratios"),
                r.reals("scales"), r.integer("pre_nms_topn"), r.integer("post_nms_topn"), r.real("nms_thresh"),
                r.real("min_size"), r.integer("tops"))));

    private static final Map<Class<?>, Codec<?>> BY_TYPE = new LinkedHashMap<>();
    private static final Map<String, Codec<?>> BY_NAME = new LinkedHashMap<>();

    static {
        for (Codec<?> c : TABLE) {
            BY_TYPE.put(c.type(), c);
            BY_NAME.put(c.name(), c);
        }
    }

    /**
     * The output count of Slice and Split must be the node's: checked before the op is built, because a lying count
     * would otherwise make shape inference produce billions of shapes.
     */
    private static int outputs(OpReader r) throws ModelException {
        int n = r.integer("outputs");
        if (n != r.outputCount()) {
            throw ModelException.field("attrs.outputs", n + " does not match the node's " + r.outputCount()
                    + " outputs");
        }
        return n;
    }

    /** The codec of {@code op}'s record type. */
    static Codec<?> of(Op op) {
        Codec<?> c = BY_TYPE.get(op.getClass());
        if (c == null) {
            throw new IllegalStateException("no codec for op " + op.getClass().getName());
        }
        return c;
    }

    /** The codec of the op called {@code name}, or null. */
    static Codec<?> named(String name) {
        return BY_NAME.get(name);
    }

    /** Every op name, in table order. */
    static List<String> names() {
        return new ArrayList<>(BY_NAME.keySet());
    }

    /** Every op type that has a codec. */
    static List<Class<?>> types() {
        return new ArrayList<>(BY_TYPE.keySet());
    }
}
