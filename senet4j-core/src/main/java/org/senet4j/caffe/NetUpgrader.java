package org.senet4j.caffe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.BlobShape;
import org.senet4j.caffe.proto.InputParameter;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.caffe.proto.NetState;
import org.senet4j.caffe.proto.NetStateRule;
import org.senet4j.caffe.proto.ParamSpec;
import org.senet4j.caffe.proto.Phase;
import org.senet4j.caffe.proto.V1LayerParameter;
import org.senet4j.caffe.proto.V1LayerParameter.LayerType;

/**
 * Brings old Caffe nets to the modern form before anything else looks at them, as Caffe itself does: V1 {@code layers}
 * with enum types become {@code layer}s with string types; net-level {@code input} with {@code input_dim} or
 * {@code input_shape} becomes an Input layer; then the net is filtered by the include/exclude rules for the TEST
 * phase.
 */
public final class NetUpgrader {
    private static final Map<LayerType, String> V1_TYPES = new EnumMap<>(LayerType.class);

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

    private NetUpgrader() {
    }

    /** Whether the net uses any legacy form this class upgrades. */
    public static boolean needsUpgrade(NetParameter net) {
        return net.getLayersCount() > 0 || net.getInputCount() > 0;
    }

    /**
     * The net in modern form: V1 layers and legacy inputs upgraded.
     *
     * @throws ModelException when both layer forms are mixed, inputs have no shapes, or a V0 layer is found
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
        NetParameter.Builder b = net.toBuilder();
        if (net.getLayersCount() > 0) {
            if (net.getLayerCount() > 0) {
                throw new ModelException(file, null, null, "layers",
                        "the net mixes legacy V1 'layers' and modern 'layer' definitions", null);
            }
            b.clearLayers();
            for (int i = 0; i < net.getLayersCount(); i++) {
                V1LayerParameter v1 = net.getLayers(i);
                String forkType = v1ForkTypes.get(i);
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

    /** One V1 layer (blobs included) in modern form. */
    public static LayerParameter upgradeV1Layer(V1LayerParameter v1, Path file) throws ModelException {
        if (v1.hasLayer()) {
            throw new ModelException(file, v1.getName(), null, "layer", "pre-2014 (V0) layer definitions are not "
                    + "supported; upgrade the file with Caffe's upgrade_net_proto_text/binary tools", null);
        }
        String type = V1_TYPES.get(v1.getType());
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
