package org.senet4j.caffe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.BNParameter;
import org.senet4j.caffe.proto.ConvolutionParameter;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.Scale;
import org.senet4j.ir.op.ShuffleChannel;
import org.senet4j.ir.op.Unary;

/**
 * Converters of the mobile and segmentation forks' layers, each lowered onto a core op with the fork's semantics:
 * ReLU6, ConvolutionDepthwise, ShuffleChannel, HardSwish, HardSigmoid, Mish and the SegNet / yjxiong {@code BN}.
 * (DepthwiseConvolution is Caffe's Convolution, see {@link LayerConverters}.)
 */
final class MobileLayers {
    private MobileLayers() {
    }

    /** The converters, by Caffe layer type, in a fixed order. */
    static Map<String, LayerConverter> converters() {
        Map<String, LayerConverter> m = new LinkedHashMap<>();
        m.put("ReLU6", MobileLayers::relu6);
        m.put("ConvolutionDepthwise", MobileLayers::convolutionDepthwise);
        m.put("ShuffleChannel", MobileLayers::shuffleChannel);
        m.put("HardSwish", c -> Unary.hardSwish());
        m.put("HardSigmoid", c -> Unary.hardSigmoid());
        m.put("Mish", c -> Unary.mish());
        m.put("BN", MobileLayers::bn);
        return m;
    }

    /**
     * eric612/MobileNet-YOLO's ReLU6: {@code min(max(x, 0) + negative_slope min(x, 0), 6)} with
     * {@code relu6_param.negative_slope} (default 0, which is Clip(0, 6)).
     */
    static Op relu6(LayerContext c) {
        float slope = c.layer().getRelu6Param().getNegativeSlope();
        return slope == 0f ? Unary.clip(0f, 6f) : Unary.relu6(slope);
    }

    /**
     * farmingyard's ConvolutionDepthwise (caffe-mobilenet's {@code conv_dw_layer}): one k_h x k_w filter per input
     * channel, so the output has the input's C channels whatever {@code num_output} says (the fork never reads it,
     * nor {@code group}); weight (C, 1, k_h, k_w), bias (C) when {@code bias_term}. The geometry is read as the fork
     * reads it: {@code kernel_h}/{@code kernel_w} when both are set, else {@code kernel_size} (one value, or the
     * first two as h and w); likewise stride and pad; {@code dilation} one or two values. Where the fork would read a
     * missing repeated value, stride defaults to 1 and pad to 0 (OpenCV's reading); a missing kernel size is an
     * error. Lowered onto Convolution with group = C.
     */
    static Op convolutionDepthwise(LayerContext c) throws ModelException {
        ConvolutionParameter p = c.layer().getConvolutionParam();
        Shape in = c.input(0);
        if (in.rank() != 4) {
            throw ModelException.field("bottom", "ConvolutionDepthwise needs a 4-D input (N x C x H x W), got " + in);
        }
        int[] kernel = hw(p.hasKernelH() && p.hasKernelW(), p.getKernelH(), p.getKernelW(), p.getKernelSizeList(),
                -1, "kernel_size");
        int[] stride = hw(p.hasStrideH() && p.hasStrideW(), p.getStrideH(), p.getStrideW(), p.getStrideList(), 1,
                "stride");
        int[] pad = hw(p.hasPadH() && p.hasPadW(), p.getPadH(), p.getPadW(), p.getPadList(), 0, "pad");
        int[] dilation = hw(false, 0, 0, p.getDilationList(), 1, "dilation");
        for (int i = 0; i < 2; i++) {
            positive(kernel[i], "convolution_param.kernel_size");
            positive(stride[i], "convolution_param.stride");
            positive(dilation[i], "convolution_param.dilation");
            if (pad[i] < 0) {
                throw ModelException.field("convolution_param.pad", "must not be negative, got "
                        + Integer.toUnsignedString(pad[i]));
            }
        }
        int channels = in.dim(1);
        List<Tensor> t = p.getBiasTerm()
                ? c.weights(Shape.of(channels, 1, kernel[0], kernel[1]), Shape.of(channels))
                : c.weights(Shape.of(channels, 1, kernel[0], kernel[1]));
        return new Convolution(channels, kernel[0], kernel[1], stride[0], stride[1], pad[0], pad[1], dilation[0],
                dilation[1], channels, t.get(0), p.getBiasTerm() ? t.get(1) : null, Activation.NONE);
    }

    /** The fork's reading of one 2-D parameter: the h/w pair when both are set, else the list's first one or two. */
    private static int[] hw(boolean pair, int h, int w, List<Integer> values, int dflt, String name)
            throws ModelException {
        if (pair) {
            return new int[] {h, w};
        }
        if (values.isEmpty()) {
            if (dflt < 0) {
                throw ModelException.field("convolution_param." + name, "missing: give " + name + " or "
                        + name.replace("_size", "") + "_h and " + name.replace("_size", "") + "_w");
            }
            return new int[] {dflt, dflt};
        }
        return values.size() == 1 ? new int[] {values.get(0), values.get(0)} : new int[] {values.get(0), values.get(1)};
    }

    /** farmingyard/ShuffleNet's ShuffleChannel: {@code shuffle_channel_param.group}, greater than 0 (its CHECK). */
    static Op shuffleChannel(LayerContext c) throws ModelException {
        int group = c.layer().getShuffleChannelParam().getGroup();
        if (group <= 0) {
            throw ModelException.field("shuffle_channel_param.group", "must be greater than 0, got "
                    + Integer.toUnsignedString(group));
        }
        return new ShuffleChannel(group);
    }

    /**
     * The {@code BN} layer of two forks, told apart by the {@code bn_param} fields set (else, with weights, by the
     * number of blobs), each lowered onto a per-channel Scale with bias:
     * <ul>
     *   <li>SegNet / ENet ({@code bn_mode}, {@code scale_filler}, {@code shift_filler}; blobs scale and shift, each
     *       1 x C x 1 x 1): {@code bn_mode: INFERENCE} computes {@code scale x + shift} (the statistics were folded
     *       into the two blobs by SegNet's compute_bn_statistics.py). {@code LEARN}, the fork's default, normalises
     *       with the statistics of the batch being run, also at test time, and is refused.</li>
     *   <li>yjxiong/caffe and PSPNet ({@code slope_filler}, {@code bias_filler}, {@code momentum}, {@code eps},
     *       {@code frozen}, {@code engine}; blobs slope, bias, mean, variance, each 1 x C): in the TEST phase it
     *       computes {@code (x - mean) (variance + eps)^-1/2 slope + bias} with {@code eps} default 1e-5.</li>
     * </ul>
     * The blobs may also be stored as 1 x C x 1 x 1 or C (a count of C each is what both forks read).
     */
    static Op bn(LayerContext c) throws ModelException {
        BNParameter p = c.layer().getBnParam();
        Shape in = c.input(0);
        if (in.rank() < 2 || in.rank() > 4) {
            throw ModelException.field("bottom", "BN needs an input of 2 to 4 axes (N x C [x H [x W]]), got " + in);
        }
        int channels = in.dim(1);
        boolean segnet = p.hasBnMode() || p.hasScaleFiller() || p.hasShiftFiller();
        boolean yjxiong = p.hasSlopeFiller() || p.hasBiasFiller() || p.hasMomentum() || p.hasEps() || p.hasFrozen()
                || p.hasEngine();
        if (segnet && yjxiong) {
            throw ModelException.field("bn_param", "mixes SegNet's fields (bn_mode, scale_filler, shift_filler) with "
                    + "yjxiong's (slope_filler, bias_filler, momentum, eps, frozen, engine): cannot tell which BN "
                    + "layer this is");
        }
        List<Shape> stored = c.storedBlobShapes().orElse(null);
        if (!segnet && !yjxiong) {
            segnet = stored != null && stored.size() == 2;
        }
        Scale shapeOnly = new Scale(1, 1, null, null);
        Shape factor = shapeOnly.factorShape(in);
        if (segnet) {
            if (p.getBnMode() != BNParameter.BNMode.INFERENCE) {
                throw ModelException.field("bn_param.bn_mode", "LEARN (SegNet's default) normalises with the "
                        + "statistics of the batch being run, also at test time, which is not supported; SegNet's "
                        + "compute_bn_statistics.py writes the inference net with bn_mode: INFERENCE");
            }
            List<Tensor> t = c.weights(blobShapes(stored, 2, channels, Shape.of(1, channels, 1, 1)));
            return new Scale(1, 1, reshaped(t.get(0), factor), reshaped(t.get(1), factor));
        }
        float eps = p.getEps();
        List<Tensor> t = c.weights(blobShapes(stored, 4, channels, Shape.of(1, channels)));
        if (!t.get(0).hasData()) {
            return new Scale(1, 1, Tensor.placeholder(factor), Tensor.placeholder(factor));
        }
        float[] slope = t.get(0).toArray();
        float[] bias = t.get(1).toArray();
        float[] mean = t.get(2).toArray();
        float[] variance = t.get(3).toArray();
        float[] a = new float[channels];
        float[] b = new float[channels];
        for (int i = 0; i < channels; i++) {
            float invStd = (float) Math.pow(variance[i] + eps, -0.5);
            a[i] = invStd * slope[i];
            b[i] = bias[i] - mean[i] * a[i];
        }
        return new Scale(1, 1, Tensor.of(factor, a), Tensor.of(factor, b));
    }

    /** The stored shapes when they are {@code count} blobs of C values each, else {@code count} times {@code dflt}. */
    private static Shape[] blobShapes(List<Shape> stored, int count, int channels, Shape dflt) {
        Shape[] out = new Shape[count];
        boolean useStored = stored != null && stored.size() == count
                && stored.stream().allMatch(s -> s.count() == channels && s.rank() >= 1 && s.rank() <= 4);
        for (int i = 0; i < count; i++) {
            out[i] = useStored ? stored.get(i) : dflt;
        }
        return out;
    }

    private static Tensor reshaped(Tensor t, Shape to) {
        return t.hasData() ? new Tensor(to, t.data()) : Tensor.placeholder(to);
    }

    private static int positive(int v, String field) throws ModelException {
        if (v <= 0) {
            throw ModelException.field(field, "must be positive, got " + Integer.toUnsignedString(v));
        }
        return v;
    }
}
