package org.senet4j.caffe;

import com.google.protobuf.Descriptors.FieldDescriptor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.BlobShape;
import org.senet4j.caffe.proto.InputParameter;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.caffe.proto.NetState;
import org.senet4j.caffe.proto.NetStateRule;
import org.senet4j.caffe.proto.ParamSpec;
import org.senet4j.caffe.proto.Phase;
import org.senet4j.caffe.proto.PoolingParameter;
import org.senet4j.caffe.proto.V0LayerParameter;
import org.senet4j.caffe.proto.V1LayerParameter;
import org.senet4j.caffe.proto.V1LayerParameter.LayerType;

/**
 * Brings old Caffe nets to the modern form before anything else looks at them, as Caffe itself does: V0 layers
 * ({@code layers { layer { type: "conv" ... } }}) become V1 layers, their {@code padding} layers folded into the
 * convolution or pooling they feed; V1 {@code layers} with enum types become {@code layer}s with string types;
 * net-level {@code input} with {@code input_dim} or {@code input_shape} becomes an Input layer; then the net is
 * filtered by the include/exclude rules for the TEST phase.
 *
 * <p>Where Caffe's V0 upgrade only logs a problem and goes on with the field dropped (a V0 field given to a layer type
 * it does not apply to), this class refuses the net, naming the layer, its type and the field.
 */
public final class NetUpgrader {
    private static final Map<LayerType, String> V1_TYPES = new EnumMap<>(LayerType.class);
    /** V1 enum values that forks added (docs/fork-fields.md), by number. */
    private static final Map<Long, String> V1_FORK_TYPES = Map.of(61L, "RELU6", 40L, "SELU", 41L, "SELU_DROPOUT",
            42L, "DICE_LOSS");

    static {
        String[][] names = {
            {"ABSVAL", "AbsVal"}, {"ACCURACY", "Accuracy"}, {"ARGMAX", "ArgMax"}, {"BNLL", "BNLL"},
            {"CONCAT", "Concat"}, {"CONTRASTIVE_LOSS", "ContrastiveLoss"}, {"CONVOLUTION", "Convolution"},
            {"DECONVOLUTION", "Deconvolution"}, {"DATA", "Data"}, {"DROPOUT", "Dropout"}, {"DUMMY_DATA", "DummyData"},
            {"EUCLIDEAN_LOSS", "EuclideanLoss"}, {"ELTWISE", "Eltwise"}, {"EXP", "Exp"}, {"FLATTEN", "Flatten"},
            {"HDF5_DATA", "HDF5Data"}, {"HDF5_OUTPUT", "HDF5Output"}, {"HINGE_LOSS", "HingeLoss"},
            {"IM2COL", "Im2col"}, {"IMAGE_DATA", "ImageData"}, {"INFOGAIN_LOSS", "InfogainLoss"},
            {"INNER_PRODUCT", "InnerProduct"}, {"LRN", "LRN"}, {"MEMORY_DATA", "MemoryData"},
            {"MULTINOMIAL_LOGISTIC_LOSS", "MultinomialLogisticLoss"}, {"MVN", "MVN"}, {"POOLING", "Pooling"},
            {"POWER", "Power"}, {"RELU", "ReLU"}, {"SIGMOID", "Sigmoid"},
            {"SIGMOID_CROSS_ENTROPY_LOSS", "SigmoidCrossEntropyLoss"}, {"SILENCE", "Silence"}, {"SOFTMAX", "Softmax"},
            {"SOFTMAX_LOSS", "SoftmaxWithLoss"}, {"SPLIT", "Split"}, {"SLICE", "Slice"}, {"TANH", "TanH"},
            {"WINDOW_DATA", "WindowData"}, {"THRESHOLD", "Threshold"},
        };
        for (String[] n : names) {
            V1_TYPES.put(LayerType.valueOf(n[0]), n[1]);
        }
    }

    /** V0 type strings and the V1 types they become ({@code padding} has none: it is folded away first). */
    private static final Map<String, LayerType> V0_TYPES = new TreeMap<>();

    static {
        Object[][] v0 = {
            {"accuracy", LayerType.ACCURACY}, {"bnll", LayerType.BNLL}, {"concat", LayerType.CONCAT},
            {"conv", LayerType.CONVOLUTION}, {"data", LayerType.DATA}, {"dropout", LayerType.DROPOUT},
            {"euclidean_loss", LayerType.EUCLIDEAN_LOSS}, {"flatten", LayerType.FLATTEN},
            {"hdf5_data", LayerType.HDF5_DATA}, {"hdf5_output", LayerType.HDF5_OUTPUT}, {"im2col", LayerType.IM2COL},
            {"images", LayerType.IMAGE_DATA}, {"infogain_loss", LayerType.INFOGAIN_LOSS},
            {"innerproduct", LayerType.INNER_PRODUCT}, {"lrn", LayerType.LRN},
            {"multinomial_logistic_loss", LayerType.MULTINOMIAL_LOGISTIC_LOSS}, {"pool", LayerType.POOLING},
            {"relu", LayerType.RELU}, {"sigmoid", LayerType.SIGMOID}, {"softmax", LayerType.SOFTMAX},
            {"softmax_loss", LayerType.SOFTMAX_LOSS}, {"split", LayerType.SPLIT}, {"tanh", LayerType.TANH},
            {"window_data", LayerType.WINDOW_DATA},
        };
        for (Object[] t : v0) {
            V0_TYPES.put((String) t[0], (LayerType) t[1]);
        }
    }

    private static final String PADDING = "padding";

    private NetUpgrader() {
    }

    /** Whether the net uses any legacy form this class upgrades. */
    public static boolean needsUpgrade(NetParameter net) {
        return needsV0Upgrade(net) || net.getLayersCount() > 0 || net.getInputCount() > 0;
    }

    /** Whether any of the net's {@code layers} is a V0 definition (has a {@code layer} block), as Caffe decides. */
    public static boolean needsV0Upgrade(NetParameter net) {
        for (V1LayerParameter l : net.getLayersList()) {
            if (l.hasLayer()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The net in modern form: V0 layers, V1 layers and legacy inputs upgraded.
     *
     * @throws ModelException when layer forms are mixed, a V0 layer cannot be upgraded, or inputs have no shapes
     */
    public static NetParameter upgrade(NetParameter net, Path file) throws ModelException {
        return upgrade(net, file, Map.of());
    }

    /**
     * {@link #upgrade(NetParameter, Path)}, with the type names of V1 layers whose enum type BVLC lacks (a fork's, as
     * the prototxt reader found them, by V1 layer index): such layers keep that name as their type, so that the import
     * reports them as unsupported types.
     */
    public static NetParameter upgrade(NetParameter net, Path file, Map<Integer, String> v1ForkTypes)
            throws ModelException {
        if (net.getLayersCount() > 0 && net.getLayerCount() > 0) {
            throw new ModelException(file, null, null, "layers",
                    "the net mixes legacy V1 'layers' and modern 'layer' definitions", null);
        }
        if (needsV0Upgrade(net)) {
            net = upgradeV0Net(net, file);
        }
        NetParameter.Builder b = net.toBuilder();
        if (net.getLayersCount() > 0) {
            b.clearLayers();
            for (int i = 0; i < net.getLayersCount(); i++) {
                V1LayerParameter v1 = net.getLayers(i);
                String forkType = v1ForkTypes.get(i);
                // a fork type has no modern name: upgrade the rest of the layer under a placeholder type (any type
                // BVLC maps; the common fields do not depend on it), then give it the fork's name
                b.addLayer(forkType == null ? upgradeV1Layer(v1, file)
                        : upgradeV1Layer(v1.toBuilder().setType(LayerType.SILENCE).build(), file).toBuilder()
                                .setType(forkType).build());
            }
        }
        if (net.getInputCount() > 0) {
            LayerParameter input = inputLayer(net, file);
            List<LayerParameter> layers = new ArrayList<>(b.getLayerList());
            layers.add(0, input);
            b.clearLayer().addAllLayer(layers);
            b.clearInput().clearInputDim().clearInputShape();
        }
        return b.build();
    }

    private static LayerParameter inputLayer(NetParameter net, Path file) throws ModelException {
        int n = net.getInputCount();
        InputParameter.Builder ip = InputParameter.newBuilder();
        if (net.getInputShapeCount() > 0) {
            if (net.getInputShapeCount() != n) {
                throw new ModelException(file, null, null, "input_shape", "expected one input_shape per input (" + n
                        + "), got " + net.getInputShapeCount(), null);
            }
            for (int i = 0; i < n; i++) {
                BlobShape s = net.getInputShape(i);
                for (int j = 0; j < s.getDimCount(); j++) {
                    checkDim(s.getDim(j), net.getInput(i), j, "input_shape", file);
                }
            }
            ip.addAllShape(net.getInputShapeList());
        } else if (net.getInputDimCount() > 0) {
            if (net.getInputDimCount() != 4 * n) {
                throw new ModelException(file, null, null, "input_dim", "expected 4 input_dim values per input ("
                        + 4 * n + "), got " + net.getInputDimCount(), null);
            }
            for (int i = 0; i < n; i++) {
                BlobShape.Builder s = BlobShape.newBuilder();
                for (int j = 0; j < 4; j++) {
                    checkDim(net.getInputDim(4 * i + j), net.getInput(i), j, "input_dim", file);
                    s.addDim(net.getInputDim(4 * i + j));
                }
                ip.addShape(s);
            }
        }
        return LayerParameter.newBuilder().setName("input").setType("Input").addAllTop(net.getInputList())
                .setInputParam(ip).build();
    }

    private static void checkDim(long d, String input, int axis, String field, Path file) throws ModelException {
        if (d <= 0 || d > Integer.MAX_VALUE) {
            throw new ModelException(file, "input", "Input", field, "dimension " + axis + " of input \"" + input
                    + "\" is " + d + "; dimensions must be positive (and fit 32 bits)", null);
        }
    }

    /**
     * One V1 layer (blobs included) in modern form; a V0 layer (one with a {@code layer} block, as a V0 caffemodel
     * holds them) is upgraded to V1 first. A V0 {@code padding} layer, which has no modern form, comes back with its
     * name, bottoms and tops, type {@code "padding"} and nothing else: it holds no weights, and in a net it is folded
     * into the layer it feeds (see {@link #upgrade}).
     */
    public static LayerParameter upgradeV1Layer(V1LayerParameter v1, Path file) throws ModelException {
        if (v1.hasLayer()) {
            if (v1.getLayer().getType().equals(PADDING)) {
                checkOnlyV0Fields(v1, file);
                return LayerParameter.newBuilder().setName(v1.getLayer().getName()).setType(PADDING)
                        .addAllBottom(v1.getBottomList()).addAllTop(v1.getTopList()).build();
            }
            v1 = upgradeV0Layer(v1, file);
        }
        String type = V1_TYPES.get(v1.getType());
        var unknownType = v1.getUnknownFields().getField(V1LayerParameter.TYPE_FIELD_NUMBER).getVarintList();
        if (type == null && !unknownType.isEmpty()) {
            // a binary V1 layer of a fork's enum type (e.g. eric612's RELU6 = 61): keep it under that number, so
            // that the weights still load by name and a net using it reports the type
            long n = unknownType.get(unknownType.size() - 1);
            type = V1_FORK_TYPES.getOrDefault(n, "V1 type " + n);
        }
        if (type == null) {
            throw new ModelException(file, v1.getName(), v1.getType().name(), "type",
                    "V1 layer type " + v1.getType() + " has no modern equivalent", null);
        }
        LayerParameter.Builder b = LayerParameter.newBuilder().setName(v1.getName()).setType(type)
                .addAllBottom(v1.getBottomList()).addAllTop(v1.getTopList())
                .addAllInclude(v1.getIncludeList()).addAllExclude(v1.getExcludeList())
                .addAllBlobs(v1.getBlobsList()).addAllLossWeight(v1.getLossWeightList());
        int params = Math.max(Math.max(v1.getParamCount(), v1.getBlobShareModeCount()),
                Math.max(v1.getBlobsLrCount(), v1.getWeightDecayCount()));
        for (int i = 0; i < params; i++) {
            ParamSpec.Builder p = ParamSpec.newBuilder();
            if (i < v1.getParamCount()) {
                p.setName(v1.getParam(i));
            }
            if (i < v1.getBlobShareModeCount()) {
                p.setShareMode(ParamSpec.DimCheckMode.forNumber(v1.getBlobShareMode(i).getNumber()));
            }
            if (i < v1.getBlobsLrCount()) {
                p.setLrMult(v1.getBlobsLr(i));
            }
            if (i < v1.getWeightDecayCount()) {
                p.setDecayMult(v1.getWeightDecay(i));
            }
            b.addParam(p);
        }
        if (v1.hasAccuracyParam()) b.setAccuracyParam(v1.getAccuracyParam());
        if (v1.hasArgmaxParam()) b.setArgmaxParam(v1.getArgmaxParam());
        if (v1.hasConcatParam()) b.setConcatParam(v1.getConcatParam());
        if (v1.hasContrastiveLossParam()) b.setContrastiveLossParam(v1.getContrastiveLossParam());
        if (v1.hasConvolutionParam()) b.setConvolutionParam(v1.getConvolutionParam());
        if (v1.hasDataParam()) b.setDataParam(v1.getDataParam());
        if (v1.hasDropoutParam()) b.setDropoutParam(v1.getDropoutParam());
        if (v1.hasDummyDataParam()) b.setDummyDataParam(v1.getDummyDataParam());
        if (v1.hasEltwiseParam()) b.setEltwiseParam(v1.getEltwiseParam());
        if (v1.hasExpParam()) b.setExpParam(v1.getExpParam());
        if (v1.hasHdf5DataParam()) b.setHdf5DataParam(v1.getHdf5DataParam());
        if (v1.hasHdf5OutputParam()) b.setHdf5OutputParam(v1.getHdf5OutputParam());
        if (v1.hasHingeLossParam()) b.setHingeLossParam(v1.getHingeLossParam());
        if (v1.hasImageDataParam()) b.setImageDataParam(v1.getImageDataParam());
        if (v1.hasInfogainLossParam()) b.setInfogainLossParam(v1.getInfogainLossParam());
        if (v1.hasInnerProductParam()) b.setInnerProductParam(v1.getInnerProductParam());
        if (v1.hasLrnParam()) b.setLrnParam(v1.getLrnParam());
        if (v1.hasMemoryDataParam()) b.setMemoryDataParam(v1.getMemoryDataParam());
        if (v1.hasMvnParam()) b.setMvnParam(v1.getMvnParam());
        if (v1.hasPoolingParam()) b.setPoolingParam(v1.getPoolingParam());
        if (v1.hasPowerParam()) b.setPowerParam(v1.getPowerParam());
        if (v1.hasReluParam()) b.setReluParam(v1.getReluParam());
        if (v1.hasSigmoidParam()) b.setSigmoidParam(v1.getSigmoidParam());
        if (v1.hasSoftmaxParam()) b.setSoftmaxParam(v1.getSoftmaxParam());
        if (v1.hasSliceParam()) b.setSliceParam(v1.getSliceParam());
        if (v1.hasTanhParam()) b.setTanhParam(v1.getTanhParam());
        if (v1.hasThresholdParam()) b.setThresholdParam(v1.getThresholdParam());
        if (v1.hasWindowDataParam()) b.setWindowDataParam(v1.getWindowDataParam());
        if (v1.hasTransformParam()) b.setTransformParam(v1.getTransformParam());
        if (v1.hasLossParam()) b.setLossParam(v1.getLossParam());
        return b.build();
    }

    // ---- V0 -> V1 ------------------------------------------------------------------------------------------------

    /**
     * A V0 net as a V1 net: padding layers folded, every layer upgraded. Like Caffe, only the net's name, its
     * {@code input}/{@code input_dim} and {@code force_backward} are kept from the net-level fields.
     */
    private static NetParameter upgradeV0Net(NetParameter net, Path file) throws ModelException {
        if (net.getInputShapeCount() > 0) {
            throw new ModelException(file, null, null, "input_shape", "a V0 net declares the shapes of its inputs "
                    + "with input_dim (Caffe's V0 upgrade keeps input_dim and drops input_shape)", null);
        }
        NetParameter.Builder b = NetParameter.newBuilder();
        if (net.hasName()) {
            b.setName(net.getName());
        }
        for (V1LayerParameter l : foldPaddingLayers(net, file)) {
            b.addLayers(upgradeV0Layer(l, file));
        }
        b.addAllInput(net.getInputList()).addAllInputDim(net.getInputDimList());
        if (net.hasForceBackward()) {
            b.setForceBackward(net.getForceBackward());
        }
        return b.build();
    }

    /**
     * The layers without their {@code padding} layers: a padding layer's {@code pad} moves to the conv or pool layer
     * it feeds, which takes the padding layer's bottom instead. Every bottom must be a net input or the top of an
     * earlier layer; a padding layer must have one bottom and one top and feed only conv and pool layers with one
     * bottom, as Caffe checks.
     */
    private static List<V1LayerParameter> foldPaddingLayers(NetParameter net, Path file) throws ModelException {
        List<V1LayerParameter> in = net.getLayersList();
        Map<String, Integer> producer = new HashMap<>();
        for (String input : net.getInputList()) {
            producer.put(input, -1);
        }
        List<V1LayerParameter.Builder> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            V1LayerParameter l = in.get(i);
            if (!l.hasLayer()) {
                throw new ModelException(file, l.getName(), l.hasType() ? l.getType().name() : null, "layer",
                        "the net mixes V0 layers (layers { layer { ... } }) and V1 layers; in a V0 net every "
                        + "layer's definition is its 'layer' block", null);
            }
            checkOnlyV0Fields(l, file);
            V0LayerParameter v0 = l.getLayer();
            String type = v0.getType();
            if (!type.equals(PADDING)) {
                out.add(l.toBuilder());
            }
            for (int j = 0; j < l.getBottomCount(); j++) {
                String blob = l.getBottom(j);
                Integer from = producer.get(blob);
                if (from == null) {
                    throw v0Error(file, v0, "bottom[" + j + "]", "blob \"" + blob
                            + "\" is neither a net input nor the top of an earlier layer");
                }
                if (from < 0 || !in.get(from).getLayer().getType().equals(PADDING)) {
                    continue;
                }
                V1LayerParameter pad = in.get(from);
                if (!type.equals("conv") && !type.equals("pool")) {
                    throw v0Error(file, v0, "bottom[" + j + "]", "blob \"" + blob + "\" comes from padding layer \""
                            + pad.getLayer().getName() + "\"; a padding layer may only feed conv and pool layers");
                }
                if (l.getBottomCount() != 1) {
                    throw v0Error(file, v0, "bottom", "a " + type + " layer fed by a padding layer must have one "
                            + "bottom, it has " + l.getBottomCount());
                }
                if (pad.getBottomCount() != 1) {
                    throw v0Error(file, pad.getLayer(), "bottom", "a padding layer must have one bottom, it has "
                            + pad.getBottomCount());
                }
                if (pad.getTopCount() != 1) {
                    throw v0Error(file, pad.getLayer(), "top", "a padding layer must have one top, it has "
                            + pad.getTopCount());
                }
                V1LayerParameter.Builder target = out.get(out.size() - 1);
                target.getLayerBuilder().setPad(pad.getLayer().getPad());
                target.setBottom(j, pad.getBottom(0));
            }
            for (String top : l.getTopList()) {
                producer.put(top, i);
            }
        }
        List<V1LayerParameter> folded = new ArrayList<>();
        for (V1LayerParameter.Builder l : out) {
            folded.add(l.build());
        }
        return folded;
    }

    /**
     * One V0 layer as a V1 layer: its type string becomes the V1 enum, each V0 field goes to the parameter message of
     * its type. The data transformation fields ({@code scale}, {@code meanfile}, {@code cropsize}, {@code mirror})
     * go to {@code transform_param} whatever the type; {@code new_num} and {@code new_channels} are dropped, as Caffe
     * drops them.
     *
     * @throws ModelException for a missing or unknown type, a field that does not apply to the type, or fields
     *                        outside the {@code layer} block besides bottom and top (Caffe would drop them)
     */
    static V1LayerParameter upgradeV0Layer(V1LayerParameter l, Path file) throws ModelException {
        checkOnlyV0Fields(l, file);
        V0LayerParameter v0 = l.getLayer();
        String type = v0.getType();
        if (!v0.hasType()) {
            throw v0Error(file, v0, "layer.type", "a V0 layer needs a type");
        }
        LayerType v1Type = V0_TYPES.get(type);
        if (v1Type == null) {
            throw v0Error(file, v0, "layer.type", "unknown V0 layer type \"" + type + "\" (V0 types: "
                    + String.join(", ", V0_TYPES.keySet()) + ", and padding)");
        }
        V1LayerParameter.Builder b = V1LayerParameter.newBuilder().addAllBottom(l.getBottomList())
                .addAllTop(l.getTopList()).setType(v1Type).addAllBlobs(v0.getBlobsList())
                .addAllBlobsLr(v0.getBlobsLrList()).addAllWeightDecay(v0.getWeightDecayList());
        if (v0.hasName()) {
            b.setName(v0.getName());
        }
        boolean conv = type.equals("conv");
        boolean ip = type.equals("innerproduct");
        boolean pool = type.equals("pool");
        boolean lrn = type.equals("lrn");
        boolean data = type.equals("data");
        boolean hdf5 = type.equals("hdf5_data");
        boolean images = type.equals("images");
        boolean window = type.equals("window_data");
        if (v0.hasNumOutput()) {
            if (conv) {
                b.getConvolutionParamBuilder().setNumOutput(v0.getNumOutput());
            } else if (ip) {
                b.getInnerProductParamBuilder().setNumOutput(v0.getNumOutput());
            } else {
                throw misplaced(file, v0, "num_output", "conv, innerproduct");
            }
        }
        if (v0.hasBiasterm()) {
            if (conv) {
                b.getConvolutionParamBuilder().setBiasTerm(v0.getBiasterm());
            } else if (ip) {
                b.getInnerProductParamBuilder().setBiasTerm(v0.getBiasterm());
            } else {
                throw misplaced(file, v0, "biasterm", "conv, innerproduct");
            }
        }
        if (v0.hasWeightFiller()) {
            if (conv) {
                b.getConvolutionParamBuilder().setWeightFiller(v0.getWeightFiller());
            } else if (ip) {
                b.getInnerProductParamBuilder().setWeightFiller(v0.getWeightFiller());
            } else {
                throw misplaced(file, v0, "weight_filler", "conv, innerproduct");
            }
        }
        if (v0.hasBiasFiller()) {
            if (conv) {
                b.getConvolutionParamBuilder().setBiasFiller(v0.getBiasFiller());
            } else if (ip) {
                b.getInnerProductParamBuilder().setBiasFiller(v0.getBiasFiller());
            } else {
                throw misplaced(file, v0, "bias_filler", "conv, innerproduct");
            }
        }
        if (v0.hasPad()) {
            if (conv) {
                b.getConvolutionParamBuilder().addPad(v0.getPad());
            } else if (pool) {
                b.getPoolingParamBuilder().setPad(v0.getPad());
            } else {
                throw misplaced(file, v0, "pad", "conv, pool");
            }
        }
        if (v0.hasKernelsize()) {
            if (conv) {
                b.getConvolutionParamBuilder().addKernelSize(v0.getKernelsize());
            } else if (pool) {
                b.getPoolingParamBuilder().setKernelSize(v0.getKernelsize());
            } else {
                throw misplaced(file, v0, "kernelsize", "conv, pool");
            }
        }
        if (v0.hasGroup()) {
            if (conv) {
                b.getConvolutionParamBuilder().setGroup(v0.getGroup());
            } else {
                throw misplaced(file, v0, "group", "conv");
            }
        }
        if (v0.hasStride()) {
            if (conv) {
                b.getConvolutionParamBuilder().addStride(v0.getStride());
            } else if (pool) {
                b.getPoolingParamBuilder().setStride(v0.getStride());
            } else {
                throw misplaced(file, v0, "stride", "conv, pool");
            }
        }
        if (v0.hasPool()) {
            if (!pool) {
                throw misplaced(file, v0, "pool", "pool");
            }
            b.getPoolingParamBuilder().setPool(switch (v0.getPool()) {
                case MAX -> PoolingParameter.PoolMethod.MAX;
                case AVE -> PoolingParameter.PoolMethod.AVE;
                case STOCHASTIC -> PoolingParameter.PoolMethod.STOCHASTIC;
            });
        }
        if (v0.hasDropoutRatio()) {
            if (!type.equals("dropout")) {
                throw misplaced(file, v0, "dropout_ratio", "dropout");
            }
            b.getDropoutParamBuilder().setDropoutRatio(v0.getDropoutRatio());
        }
        if (v0.hasLocalSize()) {
            if (!lrn) {
                throw misplaced(file, v0, "local_size", "lrn");
            }
            b.getLrnParamBuilder().setLocalSize(v0.getLocalSize());
        }
        if (v0.hasAlpha()) {
            if (!lrn) {
                throw misplaced(file, v0, "alpha", "lrn");
            }
            b.getLrnParamBuilder().setAlpha(v0.getAlpha());
        }
        if (v0.hasBeta()) {
            if (!lrn) {
                throw misplaced(file, v0, "beta", "lrn");
            }
            b.getLrnParamBuilder().setBeta(v0.getBeta());
        }
        if (v0.hasK()) {
            if (!lrn) {
                throw misplaced(file, v0, "k", "lrn");
            }
            b.getLrnParamBuilder().setK(v0.getK());
        }
        if (v0.hasSource()) {
            if (data) {
                b.getDataParamBuilder().setSource(v0.getSource());
            } else if (hdf5) {
                b.getHdf5DataParamBuilder().setSource(v0.getSource());
            } else if (images) {
                b.getImageDataParamBuilder().setSource(v0.getSource());
            } else if (window) {
                b.getWindowDataParamBuilder().setSource(v0.getSource());
            } else if (type.equals("infogain_loss")) {
                b.getInfogainLossParamBuilder().setSource(v0.getSource());
            } else {
                throw misplaced(file, v0, "source", "data, hdf5_data, images, window_data, infogain_loss");
            }
        }
        if (v0.hasScale()) {
            b.getTransformParamBuilder().setScale(v0.getScale());
        }
        if (v0.hasMeanfile()) {
            b.getTransformParamBuilder().setMeanFile(v0.getMeanfile());
        }
        if (v0.hasBatchsize()) {
            if (data) {
                b.getDataParamBuilder().setBatchSize(v0.getBatchsize());
            } else if (hdf5) {
                b.getHdf5DataParamBuilder().setBatchSize(v0.getBatchsize());
            } else if (images) {
                b.getImageDataParamBuilder().setBatchSize(v0.getBatchsize());
            } else if (window) {
                b.getWindowDataParamBuilder().setBatchSize(v0.getBatchsize());
            } else {
                throw misplaced(file, v0, "batchsize", "data, hdf5_data, images, window_data");
            }
        }
        if (v0.hasCropsize()) {
            b.getTransformParamBuilder().setCropSize(v0.getCropsize());
        }
        if (v0.hasMirror()) {
            b.getTransformParamBuilder().setMirror(v0.getMirror());
        }
        if (v0.hasRandSkip()) {
            if (data) {
                b.getDataParamBuilder().setRandSkip(v0.getRandSkip());
            } else if (images) {
                b.getImageDataParamBuilder().setRandSkip(v0.getRandSkip());
            } else {
                throw misplaced(file, v0, "rand_skip", "data, images");
            }
        }
        if (v0.hasShuffleImages()) {
            if (!images) {
                throw misplaced(file, v0, "shuffle_images", "images");
            }
            b.getImageDataParamBuilder().setShuffle(v0.getShuffleImages());
        }
        if (v0.hasNewHeight()) {
            if (!images) {
                throw misplaced(file, v0, "new_height", "images");
            }
            b.getImageDataParamBuilder().setNewHeight(v0.getNewHeight());
        }
        if (v0.hasNewWidth()) {
            if (!images) {
                throw misplaced(file, v0, "new_width", "images");
            }
            b.getImageDataParamBuilder().setNewWidth(v0.getNewWidth());
        }
        if (v0.hasConcatDim()) {
            if (!type.equals("concat")) {
                throw misplaced(file, v0, "concat_dim", "concat");
            }
            b.getConcatParamBuilder().setConcatDim(v0.getConcatDim());
        }
        if (v0.hasDetFgThreshold()) {
            if (!window) {
                throw misplaced(file, v0, "det_fg_threshold", "window_data");
            }
            b.getWindowDataParamBuilder().setFgThreshold(v0.getDetFgThreshold());
        }
        if (v0.hasDetBgThreshold()) {
            if (!window) {
                throw misplaced(file, v0, "det_bg_threshold", "window_data");
            }
            b.getWindowDataParamBuilder().setBgThreshold(v0.getDetBgThreshold());
        }
        if (v0.hasDetFgFraction()) {
            if (!window) {
                throw misplaced(file, v0, "det_fg_fraction", "window_data");
            }
            b.getWindowDataParamBuilder().setFgFraction(v0.getDetFgFraction());
        }
        if (v0.hasDetContextPad()) {
            if (!window) {
                throw misplaced(file, v0, "det_context_pad", "window_data");
            }
            b.getWindowDataParamBuilder().setContextPad(v0.getDetContextPad());
        }
        if (v0.hasDetCropMode()) {
            if (!window) {
                throw misplaced(file, v0, "det_crop_mode", "window_data");
            }
            b.getWindowDataParamBuilder().setCropMode(v0.getDetCropMode());
        }
        if (v0.hasHdf5OutputParam()) {
            if (!type.equals("hdf5_output")) {
                throw misplaced(file, v0, "hdf5_output_param", "hdf5_output");
            }
            b.setHdf5OutputParam(v0.getHdf5OutputParam());
        }
        return b.build();
    }

    /** A V0 layer's definition is all in its {@code layer} block; only bottom and top may stand beside it. */
    private static void checkOnlyV0Fields(V1LayerParameter l, Path file) throws ModelException {
        for (FieldDescriptor f : l.getAllFields().keySet()) {
            int n = f.getNumber();
            if (n != V1LayerParameter.BOTTOM_FIELD_NUMBER && n != V1LayerParameter.TOP_FIELD_NUMBER
                    && n != V1LayerParameter.LAYER_FIELD_NUMBER) {
                throw v0Error(file, l.getLayer(), f.getName(), "a V0 layer (one with a 'layer' block) takes only "
                        + "bottom and top beside that block; Caffe's V0 upgrade would drop " + f.getName());
            }
        }
    }

    private static ModelException misplaced(Path file, V0LayerParameter v0, String field, String types) {
        return v0Error(file, v0, "layer." + field, "V0 field " + field + " does not apply to a " + v0.getType()
                + " layer (it applies to " + types + ")");
    }

    private static ModelException v0Error(Path file, V0LayerParameter v0, String field, String detail) {
        return new ModelException(file, v0.getName(), v0.hasType() ? v0.getType() : null, field, detail, null);
    }

    /**
     * The layers Caffe instantiates for {@code phase}: level 0 and the stages named in the net's own state. A layer
     * with include rules is kept when any rule is met; one with exclude rules is dropped when any rule is met.
     */
    public static List<LayerParameter> filter(NetParameter net, Phase phase, Path file) throws ModelException {
        NetState state = net.getState().toBuilder().setPhase(phase).setLevel(0).build();
        Set<String> stages = Set.copyOf(state.getStageList());
        List<LayerParameter> kept = new ArrayList<>();
        for (LayerParameter l : net.getLayerList()) {
            if (l.getIncludeCount() > 0 && l.getExcludeCount() > 0) {
                throw new ModelException(file, l.getName(), l.getType(), "include",
                        "a layer may have include rules or exclude rules, not both", null);
            }
            boolean included = l.getIncludeCount() == 0;
            for (NetStateRule r : l.getExcludeList()) {
                if (meets(state, stages, r)) {
                    included = false;
                }
            }
            for (NetStateRule r : l.getIncludeList()) {
                if (meets(state, stages, r)) {
                    included = true;
                }
            }
            if (included) {
                kept.add(l);
            }
        }
        return kept;
    }

    private static boolean meets(NetState state, Set<String> stages, NetStateRule r) {
        if (r.hasPhase() && r.getPhase() != state.getPhase()) {
            return false;
        }
        if (r.hasMinLevel() && state.getLevel() < r.getMinLevel()) {
            return false;
        }
        if (r.hasMaxLevel() && state.getLevel() > r.getMaxLevel()) {
            return false;
        }
        for (String s : r.getStageList()) {
            if (!stages.contains(s)) {
                return false;
            }
        }
        for (String s : r.getNotStageList()) {
            if (stages.contains(s)) {
                return false;
            }
        }
        return true;
    }
}
