package org.senet4j.caffe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.BatchNormParameter;
import org.senet4j.caffe.proto.BiasParameter;
import org.senet4j.caffe.proto.BlobShape;
import org.senet4j.caffe.proto.ConcatParameter;
import org.senet4j.caffe.proto.ConvolutionParameter;
import org.senet4j.caffe.proto.CropParameter;
import org.senet4j.caffe.proto.DummyDataParameter;
import org.senet4j.caffe.proto.EltwiseParameter;
import org.senet4j.caffe.proto.FlattenParameter;
import org.senet4j.caffe.proto.InnerProductParameter;
import org.senet4j.caffe.proto.InputParameter;
import org.senet4j.caffe.proto.LRNParameter;
import org.senet4j.caffe.proto.MemoryDataParameter;
import org.senet4j.caffe.proto.PoolingParameter;
import org.senet4j.caffe.proto.ReshapeParameter;
import org.senet4j.caffe.proto.ScaleParameter;
import org.senet4j.caffe.proto.SliceParameter;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.ArgMax;
import org.senet4j.ir.op.Axpy;
import org.senet4j.ir.op.BatchReindex;
import org.senet4j.ir.op.BatchNorm;
import org.senet4j.ir.op.BatchStatNorm;
import org.senet4j.ir.op.Bias;
import org.senet4j.ir.op.Concat;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.Crop;
import org.senet4j.ir.op.Deconvolution;
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
import org.senet4j.ir.op.Unary;
import org.senet4j.ir.op.Tile;

/** The one table from Caffe layer type to converter. Every supported type appears here and nowhere else. */
public final class LayerConverters {
    private static final Map<String, LayerConverter> TABLE;

    static {
        Map<String, LayerConverter> t = new LinkedHashMap<>();
        t.put("Input", LayerConverters::input);
        t.put("MemoryData", LayerConverters::memoryData);
        for (String data : DataLayers.TYPES) {
            t.put(data, DataLayers::convert);
        }
        t.put("Python", LayerConverters::python);
        t.put("DummyData", LayerConverters::dummyData);
        t.put("Convolution", LayerConverters::convolution);
        t.put("Deconvolution", LayerConverters::deconvolution);
        t.put("BatchNorm", LayerConverters::batchNorm);
        t.put("Scale", LayerConverters::scale);
        t.put("Bias", LayerConverters::bias);
        t.put("ReLU", c -> new ReLU(c.layer().getReluParam().getNegativeSlope()));
        t.put("PReLU", LayerConverters::prelu);
        t.put("Sigmoid", c -> new Sigmoid());
        t.put("TanH", c -> new TanH());
        t.put("Pooling", LayerConverters::pooling);
        t.put("InnerProduct", LayerConverters::innerProduct);
        t.put("Softmax", c -> new Softmax(c.axis(c.layer().getSoftmaxParam().getAxis(), 0, "softmax_param.axis")));
        t.put("Axpy", c -> new Axpy());
        t.put("Eltwise", LayerConverters::eltwise);
        t.put("Concat", LayerConverters::concat);
        t.put("Slice", LayerConverters::slice);
        t.put("Split", c -> new Split(requireTops(c)));
        t.put("Reshape", LayerConverters::reshape);
        t.put("Flatten", LayerConverters::flatten);
        t.put("Dropout", LayerConverters::dropout);
        t.put("Power", c -> new Power(c.layer().getPowerParam().getPower(), c.layer().getPowerParam().getScale(),
                c.layer().getPowerParam().getShift()));
        t.put("Silence", c -> new Silence());
        t.put("LRN", LayerConverters::lrn);
        t.put("MVN", c -> new MVN(c.layer().getMvnParam().getNormalizeVariance(),
                c.layer().getMvnParam().getAcrossChannels(), c.layer().getMvnParam().getEps()));
        t.put("ELU", c -> Unary.elu(c.layer().getEluParam().getAlpha()));
        t.put("AbsVal", LayerConverters::absVal);
        t.put("Exp", c -> Unary.exp(base(c.layer().getExpParam().getBase(), "exp_param.base", false),
                c.layer().getExpParam().getScale(), c.layer().getExpParam().getShift()));
        t.put("Log", c -> Unary.log(base(c.layer().getLogParam().getBase(), "log_param.base", true),
                c.layer().getLogParam().getScale(), c.layer().getLogParam().getShift()));
        t.put("BNLL", c -> Unary.bnll());
        t.put("Threshold", c -> Unary.threshold(c.layer().getThresholdParam().getThreshold()));
        t.put("Clip", LayerConverters::clip);
        t.put("Swish", c -> Unary.swish(c.layer().getSwishParam().getBeta()));
        t.put("Crop", LayerConverters::crop);
        t.put("ArgMax", LayerConverters::argMax);
        t.put("Reduction", LayerConverters::reduction);
        t.put("Tile", LayerConverters::tile);
        t.put("LSTM", RecurrentConverters::lstm);
        t.put("RNN", RecurrentConverters::rnn);
        t.put("LSTMUnit", RecurrentConverters::lstmUnit);
        t.put("Embed", MiscLayers::embed);
        t.put("Parameter", MiscLayers::parameter);
        t.put("SPP", MiscLayers::spp);
        t.put("Im2col", MiscLayers::im2col);
        t.put("BatchReindex", c -> new BatchReindex());
        t.put("Permute", DetectionLayers::permute);
        t.put("Normalize", DetectionLayers::normalize);
        t.put("PriorBox", DetectionLayers::priorBox);
        t.put("DetectionOutput", DetectionLayers::detectionOutput);
        // the mobile forks: eric612's / yonghenglh6's DepthwiseConvolution is Caffe's Convolution (its CPU code)
        t.put("DepthwiseConvolution", LayerConverters::convolution);
        t.putAll(MobileLayers.converters());
        t.putAll(YoloLayers.converters());
        t.putAll(SegLayers.converters());
        t.putAll(OcrLayers.converters());
        t.put("ROIPooling", RcnnLayers::roiPooling);
        t.put("PSROIPooling", RcnnLayers::psRoiPooling);
        TABLE = Collections.unmodifiableMap(t);
    }

    private LayerConverters() {
    }

    /**
     * Null when the layer's type is supported, else the name under which the import lists it: its type (with the
     * reason for a type refused on purpose, such as Filter), or for a Python layer that is not a data layer,
     * {@code Python (module.layer)}.
     */
    public static String unsupportedLabel(org.senet4j.caffe.proto.LayerParameter layer) {
        if (layer.getType().equals("Python") && layer.getBottomCount() > 0 && builtInPython(layer) == null) {
            var p = layer.getPythonParam();
            return "Python (" + p.getModule() + "." + p.getLayer() + ")";
        }
        return forType(layer.getType()) == null ? REFUSED.getOrDefault(layer.getType(), layer.getType()) : null;
    }

    /**
     * BVLC types refused on purpose, with the label the import report lists them under. Filter's top has as many items
     * as its selector has non-zero values, known only at run time; the graph's shapes are static.
     */
    private static final Map<String, String> REFUSED = Map.of(
            "Filter", "Filter (its output size depends on the data: one item per non-zero selector value)",
            "DenseBlock", "DenseBlock (Tongcheng's / senlinuc's whole DenseNet block in one layer, with its own "
                    + "training-time BatchNorm; not supported)");

    /**
     * The Python layers that run built in, by {@code module.layer}: py-faster-rcnn's proposal layer and ENet's
     * spatial dropout.
     */
    private static final Map<String, LayerConverter> PYTHON = Map.of(
            RcnnLayers.PROPOSAL_MODULE + "." + RcnnLayers.PROPOSAL_CLASS, RcnnLayers::proposal,
            SegLayers.SPATIAL_DROPOUT, SegLayers::spatialDropout);

    /** The built-in converter of a Python layer, or null (also for a layer of another type). */
    static LayerConverter builtInPython(org.senet4j.caffe.proto.LayerParameter layer) {
        if (!layer.getType().equals("Python")) {
            return null;
        }
        return PYTHON.get(layer.getPythonParam().getModule() + "." + layer.getPythonParam().getLayer());
    }

    /**
     * A Python layer without bottoms is a data layer (a net input); the layers of {@link #PYTHON} run built in;
     * others are refused ({@link #unsupportedLabel}).
     */
    private static Op python(LayerContext c) throws ModelException {
        LayerConverter builtIn = builtInPython(c.layer());
        if (builtIn != null) {
            return builtIn.convert(c);
        }
        if (c.layer().getBottomCount() > 0) {
            throw new IllegalStateException("a Python layer with bottoms reached its converter");
        }
        return DataLayers.convert(c);
    }

    /**
     * Dropout is the identity at test time, except with py-faster-rcnn's (and R-FCN's) {@code scale_train: false}:
     * that fork's Dropout does not scale while training and instead multiplies by {@code 1 / scale} at test, with
     * {@code scale = 1 / (1 - dropout_ratio)} (both in float, as its dropout_layer.cpp), a Power layer's scale here.
     */
    private static Op dropout(LayerContext c) throws ModelException {
        var p = c.layer().getDropoutParam();
        float ratio = p.getDropoutRatio();
        if (p.hasScaleTrain() && !p.getScaleTrain()) {
            if (!(ratio >= 0 && ratio < 1)) {
                throw ModelException.field("dropout_param.dropout_ratio", "must be in [0, 1) with scale_train: "
                        + "false (the test-time factor is 1 - dropout_ratio), got " + ratio);
            }
            float scale = (float) (1.0 / (1.0 - ratio));
            return new Power(1f, (float) (1.0 / scale), 0f);
        }
        return new Dropout(ratio);
    }

    /** The converter for a Caffe layer type (built in, else from a {@link LayerPlugin}), or null. */
    public static LayerConverter forType(String type) {
        LayerConverter c = TABLE.get(type);
        return c != null ? c : LayerPlugins.converter(type);
    }

    /** The data layer types (and Python), which become net inputs. */
    public static List<String> dataLayerTypes() {
        List<String> out = new ArrayList<>(DataLayers.TYPES);
        out.add("Python");
        return out;
    }

    /** Every supported Caffe layer type, in table order. */
    public static List<String> supportedTypes() {
        return List.copyOf(TABLE.keySet());
    }

    // ----- inputs ---------------------------------------------------------------------------------------------

    private static Op input(LayerContext c) throws ModelException {
        InputParameter p = c.layer().getInputParam();
        int tops = requireTops(c);
        if (p.getShapeCount() == 0) {
            throw ModelException.field("input_param.shape", "no shape is given for input " + c.layer().getTopList()
                    + " (give one with --input-shape NAME=N,C,H,W, or in the API's load options)");
        }
        if (p.getShapeCount() != 1 && p.getShapeCount() != tops) {
            throw ModelException.field("input_param.shape", "expected 1 shape or one per top (" + tops + "), got "
                    + p.getShapeCount());
        }
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; i < tops; i++) {
            shapes.add(shape(p.getShape(p.getShapeCount() == 1 ? 0 : i), "input_param.shape"));
        }
        return new Input(shapes, "Input");
    }

    /** The top count of a layer that must have at least one (an input layer, Split, Slice). */
    private static int requireTops(LayerContext c) throws ModelException {
        if (c.topCount() == 0) {
            throw ModelException.field("top", "this layer needs at least one top");
        }
        return c.topCount();
    }

    private static Op memoryData(LayerContext c) throws ModelException {
        MemoryDataParameter p = c.layer().getMemoryDataParam();
        int n = positive(p.getBatchSize(), "memory_data_param.batch_size");
        Shape data = Shape.of(n, positive(p.getChannels(), "memory_data_param.channels"),
                positive(p.getHeight(), "memory_data_param.height"), positive(p.getWidth(), "memory_data_param.width"));
        if (c.topCount() != 2) {
            throw ModelException.field("top", "MemoryData has two tops (data and label), got " + c.topCount());
        }
        return new Input(List.of(data, Shape.of(n)), "MemoryData");
    }

    private static Op dummyData(LayerContext c) throws ModelException {
        DummyDataParameter p = c.layer().getDummyDataParam();
        int tops = requireTops(c);
        List<Shape> shapes = new ArrayList<>();
        if (p.getShapeCount() > 0) {
            if (p.getShapeCount() != 1 && p.getShapeCount() != tops) {
                throw ModelException.field("dummy_data_param.shape", "expected 1 shape or one per top");
            }
            for (int i = 0; i < tops; i++) {
                shapes.add(shape(p.getShape(p.getShapeCount() == 1 ? 0 : i), "dummy_data_param.shape"));
            }
        } else {
            int k = p.getNumCount();
            if (k == 0 || (k != 1 && k != tops) || p.getChannelsCount() != k || p.getHeightCount() != k
                    || p.getWidthCount() != k) {
                throw ModelException.field("dummy_data_param.num",
                        "give shape, or num/channels/height/width once or once per top");
            }
            for (int i = 0; i < tops; i++) {
                int j = k == 1 ? 0 : i;
                shapes.add(Shape.of(positive(p.getNum(j), "dummy_data_param.num"),
                        positive(p.getChannels(j), "dummy_data_param.channels"),
                        positive(p.getHeight(j), "dummy_data_param.height"),
                        positive(p.getWidth(j), "dummy_data_param.width")));
            }
        }
        return new Input(shapes, "DummyData");
    }

    // ----- layers with weights --------------------------------------------------------------------------------

    private static Op convolution(LayerContext c) throws ModelException {
        ConvGeometry g = convGeometry(c);
        Shape w = Shape.of(g.numOutput, c.input(0).dim(1) / g.group, g.kernel[0], g.kernel[1]);
        List<Tensor> t = g.bias ? c.weights(w, Shape.of(g.numOutput)) : c.weights(w);
        return new Convolution(g.numOutput, g.kernel[0], g.kernel[1], g.stride[0], g.stride[1], g.pad[0], g.pad[1],
                g.dilation[0], g.dilation[1], g.group, t.get(0), g.bias ? t.get(1) : null, Activation.NONE);
    }

    /** Caffe's Deconvolution: {@code convolution_param} as for Convolution, weight (C, num_output/group, kh, kw). */
    private static Op deconvolution(LayerContext c) throws ModelException {
        ConvGeometry g = convGeometry(c);
        Shape w = Shape.of(c.input(0).dim(1), g.numOutput / g.group, g.kernel[0], g.kernel[1]);
        List<Tensor> t = g.bias ? c.weights(w, Shape.of(g.numOutput)) : c.weights(w);
        return new Deconvolution(g.numOutput, g.kernel[0], g.kernel[1], g.stride[0], g.stride[1], g.pad[0],
                g.pad[1], g.dilation[0], g.dilation[1], g.group, t.get(0), g.bias ? t.get(1) : null);
    }

    /** The checked {@code convolution_param} of a Convolution or Deconvolution layer. */
    private record ConvGeometry(int numOutput, int[] kernel, int[] stride, int[] pad, int[] dilation, int group,
                                boolean bias) {
    }

    private static ConvGeometry convGeometry(LayerContext c) throws ModelException {
        ConvolutionParameter p = c.layer().getConvolutionParam();
        Shape in = c.input(0);
        if (p.getAxis() != 1) {
            throw ModelException.field("convolution_param.axis", "only channel axis 1 is supported, got "
                    + p.getAxis());
        }
        if (in.rank() != 4) {
            throw ModelException.field("bottom", "only 2-D convolution (4-D input) is supported, got input " + in);
        }
        int numOutput = positive(p.getNumOutput(), "convolution_param.num_output");
        int[] kernel = spatial("kernel_size", p.getKernelSizeList(), p.hasKernelH() || p.hasKernelW(),
                p.getKernelH(), p.getKernelW(), p.hasKernelH() && p.hasKernelW(), -1);
        int[] stride = spatial("stride", p.getStrideList(), p.hasStrideH() || p.hasStrideW(), p.getStrideH(),
                p.getStrideW(), p.hasStrideH() && p.hasStrideW(), 1);
        int[] pad = spatial("pad", p.getPadList(), p.hasPadH() || p.hasPadW(), p.getPadH(), p.getPadW(), true, 0);
        int[] dilation = spatial("dilation", p.getDilationList(), false, 0, 0, true, 1);
        for (int i = 0; i < 2; i++) {
            if (pad[i] < 0) {
                throw ModelException.field("convolution_param.pad", "must not be negative, got "
                        + Integer.toUnsignedString(pad[i]));
            }
            positive(kernel[i], "convolution_param.kernel_size");
            positive(stride[i], "convolution_param.stride");
            positive(dilation[i], "convolution_param.dilation");
        }
        int group = positive(p.getGroup(), "convolution_param.group");
        if (in.dim(1) % group != 0) {
            throw ModelException.field("convolution_param.group", "input channels " + in.dim(1)
                    + " are not divisible by group " + group);
        }
        if (numOutput % group != 0) {
            throw ModelException.field("convolution_param.group", "num_output " + numOutput
                    + " is not divisible by group " + group);
        }
        return new ConvGeometry(numOutput, kernel, stride, pad, dilation, group, p.getBiasTerm());
    }

    /**
     * A 2-D spatial parameter given as a repeated field (1 or 2 values, or none for the default) or as the
     * {@code _h/_w} pair, never both.
     */
    private static int[] spatial(String name, List<Integer> values, boolean hasHw, int h, int w, boolean hwComplete,
                                 int dflt) throws ModelException {
        String field = "convolution_param." + name;
        if (hasHw) {
            if (!values.isEmpty()) {
                throw ModelException.field(field, "give " + name + " or " + hwName(name)
                        + "_h/" + hwName(name) + "_w, not both");
            }
            if (!hwComplete) {
                throw ModelException.field(field.replace(name, hwName(name)) + "_h",
                        "both " + hwName(name) + "_h and " + hwName(name) + "_w are required");
            }
            return new int[] {h, w};
        }
        return switch (values.size()) {
            case 0 -> {
                if (dflt < 0) {
                    throw ModelException.field(field, "missing: the kernel size is required");
                }
                yield new int[] {dflt, dflt};
            }
            case 1 -> new int[] {values.get(0), values.get(0)};
            case 2 -> new int[] {values.get(0), values.get(1)};
            default -> throw ModelException.field(field, "expected 1 or 2 values, got " + values.size());
        };
    }

    private static String hwName(String name) {
        return name.equals("kernel_size") ? "kernel" : name;
    }

    private static Op batchNorm(LayerContext c) throws ModelException {
        BatchNormParameter p = c.layer().getBatchNormParam();
        if (!(p.getEps() > 0)) {
            throw ModelException.field("batch_norm_param.eps", "must be positive, got " + p.getEps());
        }
        Shape stats = BatchNorm.statisticsShape(c.input(0));
        List<Tensor> t = c.weights(stats, stats, Shape.of(1));
        // In the TEST phase Caffe uses the stored statistics unless use_global_stats says false.
        if (p.hasUseGlobalStats() && !p.getUseGlobalStats()) {
            return new BatchStatNorm(p.getEps());
        }
        return new BatchNorm(p.getEps(), t.get(0), t.get(1), t.get(2));
    }

    private static Op scale(LayerContext c) throws ModelException {
        ScaleParameter p = c.layer().getScaleParam();
        int bottoms = c.layer().getBottomCount();
        if (bottoms == 2) {
            Shape f = c.input(1);
            int axis = f.rank() == 0 ? 0 : c.axis(p.getAxis(), 0, "scale_param.axis");
            Tensor bias = p.getBiasTerm() ? c.weights(f).get(0) : null;
            return new Scale(axis, f.rank(), null, bias);
        }
        if (bottoms != 1) {
            throw ModelException.field("bottom", "Scale takes 1 or 2 bottoms, got " + bottoms);
        }
        int axis = c.axis(p.getAxis(), 0, "scale_param.axis");
        int numAxes = numAxes(p.getNumAxes(), axis, c.input(0), "scale_param.num_axes");
        Shape f = new Scale(axis, numAxes, null, null).factorShape(c.input(0));
        List<Tensor> t = p.getBiasTerm() ? c.weights(f, f) : c.weights(f);
        return new Scale(axis, numAxes, t.get(0), p.getBiasTerm() ? t.get(1) : null);
    }

    private static Op bias(LayerContext c) throws ModelException {
        BiasParameter p = c.layer().getBiasParam();
        int bottoms = c.layer().getBottomCount();
        if (bottoms == 2) {
            Shape f = c.input(1);
            int axis = f.rank() == 0 ? 0 : c.axis(p.getAxis(), 0, "bias_param.axis");
            return new Bias(axis, f.rank(), null);
        }
        if (bottoms != 1) {
            throw ModelException.field("bottom", "Bias takes 1 or 2 bottoms, got " + bottoms);
        }
        int axis = c.axis(p.getAxis(), 0, "bias_param.axis");
        int numAxes = numAxes(p.getNumAxes(), axis, c.input(0), "bias_param.num_axes");
        Shape f = new Bias(axis, numAxes, null).termShape(c.input(0));
        return new Bias(axis, numAxes, c.weights(f).get(0));
    }

    private static int numAxes(int numAxes, int axis, Shape in, String field) throws ModelException {
        if (numAxes < -1) {
            throw ModelException.field(field, "must be -1 or more, got " + numAxes);
        }
        if (numAxes != -1 && axis + numAxes > in.rank()) {
            throw ModelException.field(field, "axis " + axis + " + num_axes " + numAxes + " exceeds the "
                    + in.rank() + " axes of input " + in);
        }
        return numAxes;
    }

    private static Op prelu(LayerContext c) throws ModelException {
        boolean shared = c.layer().getPreluParam().getChannelShared();
        if (c.input(0).rank() < 2) {
            throw ModelException.field("bottom", "PReLU needs an input of at least 2 axes, got " + c.input(0));
        }
        return new PReLU(shared, c.weights(PReLU.slopeShape(c.input(0), shared)).get(0));
    }

    private static Op innerProduct(LayerContext c) throws ModelException {
        InnerProductParameter p = c.layer().getInnerProductParam();
        int numOutput = positive(p.getNumOutput(), "inner_product_param.num_output");
        int axis = c.axis(p.getAxis(), 0, "inner_product_param.axis");
        Shape in = c.input(0);
        long k = in.count(axis, in.rank());
        InnerProduct shapeOnly = new InnerProduct(numOutput, axis, p.getTranspose(),
                Tensor.placeholder(Shape.of(1, 1)), null, Activation.NONE);
        Shape w = shapeOnly.weightShape(k);
        List<Tensor> t = p.getBiasTerm() ? c.weights(w, Shape.of(numOutput)) : c.weights(w);
        return new InnerProduct(numOutput, axis, p.getTranspose(), t.get(0), p.getBiasTerm() ? t.get(1) : null,
                Activation.NONE);
    }

    // ----- layers without weights ------------------------------------------------------------------------------

    private static Op pooling(LayerContext c) throws ModelException {
        PoolingParameter p = c.layer().getPoolingParam();
        if (c.topCount() > 1 && (c.topCount() > 2 || p.getPool() != PoolingParameter.PoolMethod.MAX)) {
            throw ModelException.field("top", "Pooling has one top, or two (values and mask) with pool: MAX; got "
                    + c.topCount() + " with pool: " + p.getPool());
        }
        Pooling.Method method = switch (p.getPool()) {
            case MAX -> Pooling.Method.MAX;
            case AVE -> Pooling.Method.AVE;
            case STOCHASTIC -> Pooling.Method.STOCHASTIC;
        };
        boolean global = p.getGlobalPooling();
        int kh;
        int kw;
        if (global) {
            if (p.hasKernelSize() || p.hasKernelH() || p.hasKernelW()) {
                throw ModelException.field("pooling_param.kernel_size",
                        "global pooling takes no kernel size (it pools the whole plane)");
            }
            kh = 0;
            kw = 0;
        } else if (p.hasKernelSize()) {
            if (p.hasKernelH() || p.hasKernelW()) {
                throw ModelException.field("pooling_param.kernel_size",
                        "give kernel_size or kernel_h/kernel_w, not both");
            }
            kh = kw = positive(p.getKernelSize(), "pooling_param.kernel_size");
        } else if (p.hasKernelH() && p.hasKernelW()) {
            kh = positive(p.getKernelH(), "pooling_param.kernel_h");
            kw = positive(p.getKernelW(), "pooling_param.kernel_w");
        } else {
            throw ModelException.field("pooling_param.kernel_size",
                    "missing: give kernel_size, kernel_h and kernel_w, or global_pooling");
        }
        int[] pad = pair(p.hasPad(), p.getPad(), p.hasPadH() || p.hasPadW(), p.getPadH(), p.getPadW(), "pad");
        int[] stride = pair(p.hasStride(), p.getStride(), p.hasStrideH() || p.hasStrideW(), p.getStrideH(),
                p.getStrideW(), "stride");
        positive(stride[0], "pooling_param.stride");
        positive(stride[1], "pooling_param.stride");
        if (pad[0] < 0 || pad[1] < 0) {
            throw ModelException.field("pooling_param.pad", "must not be negative");
        }
        // BVLC's round_mode, or the forks' older ceil_mode (true: round up); both given must agree
        boolean ceil = p.getRoundMode() == PoolingParameter.RoundMode.CEIL;
        if (p.hasCeilMode()) {
            if (p.hasRoundMode() && p.getCeilMode() != ceil) {
                throw ModelException.field("pooling_param.ceil_mode", "ceil_mode: " + p.getCeilMode()
                        + " contradicts round_mode: " + p.getRoundMode());
            }
            ceil = p.getCeilMode();
        }
        Pooling pooling = new Pooling(method, kh, kw, stride[0], stride[1], pad[0], pad[1], global, ceil);
        return c.topCount() == 2 ? new org.senet4j.ir.op.MaxPoolMask(pooling) : pooling;
    }

    private static int[] pair(boolean hasOne, int one, boolean hasHw, int h, int w, String name)
            throws ModelException {
        if (hasOne && hasHw) {
            throw ModelException.field("pooling_param." + name, "give " + name + " or " + name + "_h/" + name
                    + "_w, not both");
        }
        if (hasHw) {
            return new int[] {h, w};
        }
        return new int[] {one, one};
    }

    private static Op eltwise(LayerContext c) throws ModelException {
        EltwiseParameter p = c.layer().getEltwiseParam();
        Eltwise.Operation op = switch (p.getOperation()) {
            case PROD -> Eltwise.Operation.PROD;
            case SUM -> Eltwise.Operation.SUM;
            case MAX -> Eltwise.Operation.MAX;
        };
        if (p.getCoeffCount() > 0 && op != Eltwise.Operation.SUM) {
            throw ModelException.field("eltwise_param.coeff", "coefficients are only allowed for SUM");
        }
        if (p.getCoeffCount() > 0 && p.getCoeffCount() != c.layer().getBottomCount()) {
            throw ModelException.field("eltwise_param.coeff", "expected one coefficient per bottom ("
                    + c.layer().getBottomCount() + "), got " + p.getCoeffCount());
        }
        return new Eltwise(op, p.getCoeffList());
    }

    private static Op concat(LayerContext c) throws ModelException {
        ConcatParameter p = c.layer().getConcatParam();
        if (p.hasConcatDim()) {
            int axis = p.getConcatDim();
            if (axis >= c.input(0).rank()) {
                throw ModelException.field("concat_param.concat_dim", "axis " + axis + " out of range for input "
                        + c.input(0));
            }
            return new Concat(axis);
        }
        return new Concat(c.axis(p.getAxis(), 0, "concat_param.axis"));
    }

    private static Op slice(LayerContext c) throws ModelException {
        SliceParameter p = c.layer().getSliceParam();
        int axis;
        if (p.hasSliceDim()) {
            axis = p.getSliceDim();
            if (axis >= c.input(0).rank()) {
                throw ModelException.field("slice_param.slice_dim", "axis " + axis + " out of range for input "
                        + c.input(0));
            }
        } else {
            axis = c.axis(p.getAxis(), 0, "slice_param.axis");
        }
        return new Slice(axis, p.getSlicePointList(), requireTops(c));
    }

    /** Caffe's Crop: two bottoms (data, shape reference); crop_param.axis may be negative, offsets unsigned. */
    private static Op crop(LayerContext c) throws ModelException {
        CropParameter p = c.layer().getCropParam();
        if (c.layer().getBottomCount() != 2) {
            throw ModelException.field("bottom", "Crop takes 2 bottoms (the input and the reference shape), got "
                    + c.layer().getBottomCount());
        }
        int axis = c.axis(p.getAxis(), 0, "crop_param.axis");
        List<Integer> offsets = new ArrayList<>();
        for (int o : p.getOffsetList()) {
            if (o < 0) {
                throw ModelException.field("crop_param.offset", "offset " + Integer.toUnsignedString(o)
                        + " is too large");
            }
            offsets.add(o);
        }
        int rank = c.input(0).rank();
        if (offsets.size() > 1 && axis + offsets.size() != rank) {
            throw ModelException.field("crop_param.offset", "expected 1 offset or one per axis from " + axis
                    + " on (" + (rank - axis) + "), got " + offsets.size());
        }
        return new Crop(axis, offsets);
    }

    private static Op reshape(LayerContext c) throws ModelException {
        ReshapeParameter p = c.layer().getReshapeParam();
        List<Integer> dims = new ArrayList<>();
        for (long d : p.getShape().getDimList()) {
            if (d < -1 || d > Integer.MAX_VALUE) {
                throw ModelException.field("reshape_param.shape", "dimension " + d + " is out of range");
            }
            dims.add((int) d);
        }
        if (p.getNumAxes() < -1) {
            throw ModelException.field("reshape_param.num_axes", "must be -1 or more, got " + p.getNumAxes());
        }
        return new Reshape(dims, p.getAxis(), p.getNumAxes());
    }

    private static Op flatten(LayerContext c) throws ModelException {
        FlattenParameter p = c.layer().getFlattenParam();
        return new Flatten(c.axis(p.getAxis(), 0, "flatten_param.axis"),
                c.axis(p.getEndAxis(), 0, "flatten_param.end_axis"));
    }

    private static Op lrn(LayerContext c) throws ModelException {
        LRNParameter p = c.layer().getLrnParam();
        int size = positive(p.getLocalSize(), "lrn_param.local_size");
        LRN.Region region = p.getNormRegion() == LRNParameter.NormRegion.WITHIN_CHANNEL ? LRN.Region.WITHIN_CHANNEL
                : LRN.Region.ACROSS_CHANNELS;
        if (region == LRN.Region.WITHIN_CHANNEL && size % 2 == 0) {
            throw ModelException.field("lrn_param.local_size", "must be odd for WITHIN_CHANNEL, got " + size);
        }
        return new LRN(size, p.getAlpha(), p.getBeta(), p.getK(), region);
    }

    // ----- element-wise (Unary) ---------------------------------------------------------------------------------

    /** Caffe's AbsVal refuses to work in place (its LayerSetUp checks top != bottom). */
    private static Op absVal(LayerContext c) throws ModelException {
        var l = c.layer();
        if (l.getTopCount() > 0 && l.getBottomCount() > 0 && l.getTop(0).equals(l.getBottom(0))) {
            throw ModelException.field("top", "AbsVal does not allow in-place computation (Caffe refuses it)");
        }
        return Unary.abs();
    }

    /** Exp and Log: base -1 (e) or positive with a finite logarithm; not 1 for Log (Caffe's LayerSetUp checks). */
    private static float base(float base, String field, boolean log) throws ModelException {
        if (base != -1f && !(base > 0f)) {
            throw ModelException.field(field, "must be -1 (e) or strictly positive, got " + base);
        }
        if (base != -1f && Float.isInfinite((float) Math.log(base))) {
            throw ModelException.field(field, "log(" + base + ") is infinite");
        }
        if (log && base == 1f) {
            throw ModelException.field(field, "1 has no logarithm base (1/log(1) is infinite)");
        }
        return base;
    }

    /** BVLC's Clip (after 1.0) requires min and max. */
    private static Op clip(LayerContext c) throws ModelException {
        var p = c.layer().getClipParam();
        if (!p.hasMin()) {
            throw ModelException.field("clip_param.min", "is required");
        }
        if (!p.hasMax()) {
            throw ModelException.field("clip_param.max", "is required");
        }
        if (!(p.getMin() <= p.getMax())) {
            throw ModelException.field("clip_param.min", p.getMin() + " is greater than clip_param.max "
                    + p.getMax());
        }
        return Unary.clip(p.getMin(), p.getMax());
    }

    private static Op argMax(LayerContext c) throws ModelException {
        var p = c.layer().getArgmaxParam();
        int topK = positive(p.getTopK(), "argmax_param.top_k");
        int axis = p.hasAxis() ? c.axis(p.getAxis(), 0, "argmax_param.axis") : ArgMax.NO_AXIS;
        return new ArgMax(topK, p.getOutMaxVal(), axis);
    }

    private static Op reduction(LayerContext c) throws ModelException {
        var p = c.layer().getReductionParam();
        Reduction.Operation op = switch (p.getOperation()) {
            case SUM -> Reduction.Operation.SUM;
            case ASUM -> Reduction.Operation.ASUM;
            case SUMSQ -> Reduction.Operation.SUMSQ;
            case MEAN -> Reduction.Operation.MEAN;
        };
        return new Reduction(op, c.axis(p.getAxis(), 0, "reduction_param.axis"), p.getCoeff());
    }

    private static Op tile(LayerContext c) throws ModelException {
        var p = c.layer().getTileParam();
        if (!p.hasTiles()) {
            throw ModelException.field("tile_param.tiles", "missing: the number of tiles is required");
        }
        return new Tile(c.axis(p.getAxis(), 0, "tile_param.axis"), positive(p.getTiles(), "tile_param.tiles"));
    }

    // ----- helpers ---------------------------------------------------------------------------------------------

    private static int positive(int v, String field) throws ModelException {
        if (v <= 0) {
            throw ModelException.field(field, "must be positive, got " + Integer.toUnsignedString(v));
        }
        return v;
    }

    static Shape shape(BlobShape s, String field) throws ModelException {
        int[] d = new int[s.getDimCount()];
        for (int i = 0; i < d.length; i++) {
            long v = s.getDim(i);
            if (v <= 0 || v > Integer.MAX_VALUE) {
                throw ModelException.field(field, "dimension " + i + " is " + v + "; dimensions must be positive");
            }
            d[i] = (int) v;
        }
        return Shape.of(d);
    }
}
