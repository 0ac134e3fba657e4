package org.senet4j.caffe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.PSROIPoolingParameter;
import org.senet4j.caffe.proto.ROIPoolingParameter;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.Proposal;
import org.senet4j.ir.op.PsRoiPooling;
import org.senet4j.ir.op.RoiPooling;

/**
 * Converters of the R-CNN layers: Fast R-CNN's ROIPooling (rbgirshick/caffe-fast-rcnn), R-FCN's PSROIPooling
 * (daijifeng001/caffe-rfcn) and py-faster-rcnn's Python proposal layer, built in as {@link Proposal}.
 */
final class RcnnLayers {
    private RcnnLayers() {
    }

    /** The Python module and class of py-faster-rcnn's proposal layer. */
    static final String PROPOSAL_MODULE = "rpn.proposal_layer";
    static final String PROPOSAL_CLASS = "ProposalLayer";

    static Op roiPooling(LayerContext c) throws ModelException {
        ROIPoolingParameter p = c.layer().getRoiPoolingParam();
        int ph = positive(p.getPooledH(), "roi_pooling_param.pooled_h");
        int pw = positive(p.getPooledW(), "roi_pooling_param.pooled_w");
        if (!(p.getSpatialScale() > 0) || !Float.isFinite(p.getSpatialScale())) {
            throw ModelException.field("roi_pooling_param.spatial_scale", "must be positive, got "
                    + p.getSpatialScale());
        }
        bottoms(c, 2, "the feature map and the regions (R x 5)");
        return new RoiPooling(ph, pw, p.getSpatialScale());
    }

    static Op psRoiPooling(LayerContext c) throws ModelException {
        PSROIPoolingParameter p = c.layer().getPsroiPoolingParam();
        for (String f : List.of("spatial_scale", "output_dim", "group_size")) {
            boolean has = switch (f) {
                case "spatial_scale" -> p.hasSpatialScale();
                case "output_dim" -> p.hasOutputDim();
                default -> p.hasGroupSize();
            };
            if (!has) {
                throw ModelException.field("psroi_pooling_param." + f, "missing: R-FCN requires it");
            }
        }
        if (!(p.getSpatialScale() > 0) || !Float.isFinite(p.getSpatialScale())) {
            throw ModelException.field("psroi_pooling_param.spatial_scale", "must be positive, got "
                    + p.getSpatialScale());
        }
        if (p.getOutputDim() <= 0) {
            throw ModelException.field("psroi_pooling_param.output_dim", "must be positive, got " + p.getOutputDim());
        }
        if (p.getGroupSize() <= 0) {
            throw ModelException.field("psroi_pooling_param.group_size", "must be positive, got " + p.getGroupSize());
        }
        bottoms(c, 2, "the score map and the regions (R x 5)");
        return new PsRoiPooling(p.getSpatialScale(), p.getOutputDim(), p.getGroupSize());
    }

    /**
     * py-faster-rcnn's proposal layer with its TEST configuration (RPN_PRE_NMS_TOP_N 6000, RPN_POST_NMS_TOP_N 300,
     * RPN_NMS_THRESH 0.7, RPN_MIN_SIZE 16) and the anchors of generate_anchors (base 16, ratios 0.5, 1, 2, scales 8,
     * 16, 32); {@code param_str} gives {@code feat_stride} (required) and optionally {@code scales} and
     * {@code ratios}.
     */
    static Op proposal(LayerContext c) throws ModelException {
        bottoms(c, 3, "rpn_cls_prob_reshape, rpn_bbox_pred and im_info");
        int tops = c.layer().getTopCount();
        if (tops != 1 && tops != 2) {
            throw ModelException.field("top", "the proposal layer has 1 or 2 tops (rois, optionally scores), got "
                    + tops);
        }
        Map<String, String> params = paramStr(c.layer().getPythonParam().getParamStr());
        String stride = params.remove("feat_stride");
        if (stride == null) {
            throw ModelException.field("python_param.param_str", "missing 'feat_stride' (e.g. \"'feat_stride': 16\"), "
                    + "got \"" + c.layer().getPythonParam().getParamStr() + "\"");
        }
        int featStride;
        try {
            featStride = Integer.parseInt(stride);
        } catch (NumberFormatException e) {
            throw ModelException.field("python_param.param_str", "'feat_stride' must be a whole number, got " + stride);
        }
        if (featStride <= 0) {
            throw ModelException.field("python_param.param_str", "'feat_stride' must be positive, got " + featStride);
        }
        List<Float> scales = numbers(params.remove("scales"), List.of(8f, 16f, 32f), "scales");
        List<Float> ratios = numbers(params.remove("ratios"), List.of(0.5f, 1f, 2f), "ratios");
        if (!params.isEmpty()) {
            throw ModelException.field("python_param.param_str", "unknown key(s) " + params.keySet() + " for "
                    + PROPOSAL_MODULE + "." + PROPOSAL_CLASS + "; known: feat_stride, scales, ratios");
        }
        return new Proposal(featStride, 16, ratios, scales, 6000, 300, 0.7f, 16f, tops);
    }

    private static List<Float> numbers(String v, List<Float> dflt, String key) throws ModelException {
        if (v == null) {
            return dflt;
        }
        String s = v.trim();
        if (s.startsWith("!!python/tuple")) {
            s = s.substring("!!python/tuple".length()).trim();
        }
        if ((s.startsWith("[") && s.endsWith("]")) || (s.startsWith("(") && s.endsWith(")"))) {
            s = s.substring(1, s.length() - 1);
        }
        List<Float> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                float f = Float.parseFloat(part.trim());
                if (!(f > 0) || !Float.isFinite(f)) {
                    throw new NumberFormatException();
                }
                out.add(f);
            } catch (NumberFormatException e) {
                throw ModelException.field("python_param.param_str", "'" + key + "' must be a list of positive "
                        + "numbers, got " + v);
            }
        }
        if (out.isEmpty()) {
            throw ModelException.field("python_param.param_str", "'" + key + "' is empty");
        }
        return out;
    }

    /** The keys of a flat YAML mapping such as {@code 'feat_stride': 16} (values kept as text). */
    static Map<String, String> paramStr(String text) throws ModelException {
        String s = text.trim();
        if (s.startsWith("{") && s.endsWith("}")) {
            s = s.substring(1, s.length() - 1);
        }
        Map<String, String> out = new LinkedHashMap<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        List<String> items = new ArrayList<>();
        for (char ch : s.toCharArray()) {
            if (ch == '[' || ch == '(') {
                depth++;
            } else if (ch == ']' || ch == ')') {
                depth--;
            }
            if ((ch == ',' || ch == '\n') && depth == 0) {
                items.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        items.add(cur.toString());
        for (String item : items) {
            if (item.isBlank()) {
                continue;
            }
            int colon = item.indexOf(':');
            if (colon < 0) {
                throw ModelException.field("python_param.param_str", "expected key: value pairs, got \"" + text + "\"");
            }
            String key = item.substring(0, colon).trim().replaceAll("^['\"]|['\"]$", "");
            out.put(key, item.substring(colon + 1).trim());
        }
        return out;
    }

    private static void bottoms(LayerContext c, int n, String what) throws ModelException {
        if (c.inputs().size() != n) {
            throw ModelException.field("bottom", "expected " + n + " bottoms (" + what + "), got " + c.inputs().size());
        }
    }

    private static int positive(int v, String field) throws ModelException {
        if (v <= 0) {
            throw ModelException.field(field, "must be positive, got " + Integer.toUnsignedString(v));
        }
        return v;
    }
}
