package org.senet4j.caffe;

import java.util.ArrayList;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.ConvolutionParameter;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Embed;
import org.senet4j.ir.op.Im2col;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.Parameter;
import org.senet4j.ir.op.Pooling;
import org.senet4j.ir.op.SPP;

/**
 * The converters of Embed, Parameter, SPP and Im2col (their rows are in {@link LayerConverters}' table), with the
 * checks of Caffe's {@code LayerSetUp}; errors name the field.
 */
final class MiscLayers {
    private MiscLayers() {
    }

    /** Embed: weight (input_dim, num_output), bias (num_output) when {@code bias_term} (default true). */
    static Op embed(LayerContext c) throws ModelException {
        var p = c.layer().getEmbedParam();
        int n = positive(p.getNumOutput(), "embed_param.num_output");
        int k = positive(p.getInputDim(), "embed_param.input_dim");
        List<Tensor> t = p.getBiasTerm() ? c.weights(Shape.of(k, n), Shape.of(n)) : c.weights(Shape.of(k, n));
        return new Embed(n, k, t.get(0), p.getBiasTerm() ? t.get(1) : null);
    }

    /** Parameter: no bottoms, one top, one blob of {@code parameter_param.shape} (none given: a scalar). */
    static Op parameter(LayerContext c) throws ModelException {
        if (c.layer().getBottomCount() != 0) {
            throw ModelException.field("bottom", "Parameter takes no bottoms, got " + c.layer().getBottomCount());
        }
        if (c.topCount() != 1) {
            throw ModelException.field("top", "Parameter has exactly one top, got " + c.topCount());
        }
        Shape s = LayerConverters.shape(c.layer().getParameterParam().getShape(), "parameter_param.shape");
        return new Parameter(c.weights(s).get(0));
    }

    /** SPP: {@code spp_param.pyramid_height} (required), {@code pool} MAX, AVE or STOCHASTIC (test time). */
    static Op spp(LayerContext c) throws ModelException {
        var p = c.layer().getSppParam();
        Pooling.Method method = switch (p.getPool()) {
            case MAX -> Pooling.Method.MAX;
            case AVE -> Pooling.Method.AVE;
            case STOCHASTIC -> Pooling.Method.STOCHASTIC;
        };
        if (!p.hasPyramidHeight()) {
            throw ModelException.field("spp_param.pyramid_height", "missing: the number of pyramid levels is "
                    + "required");
        }
        return new SPP(positive(p.getPyramidHeight(), "spp_param.pyramid_height"), method);
    }

    /**
     * Im2col: {@code convolution_param}'s kernel, stride, pad and dilation, once or once per spatial axis (the axes
     * after {@code axis}), or as the 2-D {@code _h}/{@code _w} pairs; {@code num_output}, {@code group} and the
     * fillers are not read (Caffe ignores them), nor {@code force_nd_im2col} (the same values either way).
     */
    static Op im2col(LayerContext c) throws ModelException {
        ConvolutionParameter p = c.layer().getConvolutionParam();
        Shape in = c.input(0);
        int axis = c.axis(p.getAxis(), 0, "convolution_param.axis");
        int spatial = in.rank() - axis - 1;
        if (spatial < 1) {
            throw ModelException.field("convolution_param.axis", "channel axis " + axis + " of the input " + in
                    + " leaves no spatial axis");
        }
        List<Integer> kernel;
        if (p.hasKernelH() || p.hasKernelW()) {
            kernel = pair("kernel", p.getKernelSizeCount() > 0, p.hasKernelH() && p.hasKernelW(), p.getKernelH(),
                    p.getKernelW(), spatial, "kernel_size");
        } else if (p.getKernelSizeCount() == 0) {
            throw ModelException.field("convolution_param.kernel_size", "missing: the kernel size is required");
        } else {
            kernel = perAxis(p.getKernelSizeList(), spatial, 0, "kernel_size");
        }
        List<Integer> stride = p.hasStrideH() || p.hasStrideW()
                ? pair("stride", p.getStrideCount() > 0, p.hasStrideH() && p.hasStrideW(), p.getStrideH(),
                        p.getStrideW(), spatial, "stride")
                : perAxis(p.getStrideList(), spatial, 1, "stride");
        List<Integer> pad = p.hasPadH() || p.hasPadW()
                ? pair("pad", p.getPadCount() > 0, true, p.getPadH(), p.getPadW(), spatial, "pad")
                : perAxis(p.getPadList(), spatial, 0, "pad");
        List<Integer> dilation = perAxis(p.getDilationList(), spatial, 1, "dilation");
        for (int i = 0; i < spatial; i++) {
            positive(kernel.get(i), "convolution_param.kernel_size");
            positive(stride.get(i), "convolution_param.stride");
            positive(dilation.get(i), "convolution_param.dilation");
            if (pad.get(i) < 0) {
                throw ModelException.field("convolution_param.pad", "must not be negative, got "
                        + Integer.toUnsignedString(pad.get(i)));
            }
        }
        return new Im2col(axis, kernel, stride, pad, dilation);
    }

    /** The 2-D {@code name_h}/{@code name_w} spelling (with Caffe's checks: 2 spatial axes, not with the list). */
    private static List<Integer> pair(String name, boolean listGiven, boolean complete, int h, int w, int spatial,
                                      String listName) throws ModelException {
        String field = "convolution_param." + name + "_h";
        if (spatial != 2) {
            throw ModelException.field(field, name + "_h and " + name + "_w can only be used for 2 spatial axes, the "
                    + "input has " + spatial);
        }
        if (listGiven) {
            throw ModelException.field(field, "give " + listName + " or " + name + "_h/" + name + "_w, not both");
        }
        if (!complete) {
            throw ModelException.field(field, "both " + name + "_h and " + name + "_w are required");
        }
        return List.of(h, w);
    }

    /** A repeated field given once for every spatial axis, once per axis, or not at all ({@code dflt}). */
    private static List<Integer> perAxis(List<Integer> values, int spatial, int dflt, String name)
            throws ModelException {
        if (values.size() > 1 && values.size() != spatial) {
            throw ModelException.field("convolution_param." + name, "expected 1 value or one per spatial axis ("
                    + spatial + "), got " + values.size());
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < spatial; i++) {
            out.add(values.isEmpty() ? dflt : values.get(values.size() == 1 ? 0 : i));
        }
        return out;
    }

    private static int positive(int v, String field) throws ModelException {
        if (v <= 0) {
            throw ModelException.field(field, "must be positive, got " + Integer.toUnsignedString(v));
        }
        return v;
    }
}
