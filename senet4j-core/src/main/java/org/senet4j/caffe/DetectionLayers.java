package org.senet4j.caffe;

import java.util.ArrayList;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.DetectionOutputParameter;
import org.senet4j.caffe.proto.NonMaximumSuppressionParameter;
import org.senet4j.caffe.proto.NormalizeParameter;
import org.senet4j.caffe.proto.PriorBoxParameter;
import org.senet4j.ir.op.DetectionOutput;
import org.senet4j.ir.op.Normalize;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.Permute;
import org.senet4j.ir.op.PriorBox;

/**
 * Converters of the SSD fork's layers (weiliu89/caffe, branch ssd, as eric612/MobileNet-YOLO carries them): each
 * applies the fork's {@code LayerSetUp} checks and defaults, naming the field when a check fails.
 */
final class DetectionLayers {
    private DetectionLayers() {
    }

    static Op permute(LayerContext c) throws ModelException {
        return new Permute(Permute.complete(c.layer().getPermuteParam().getOrderList(), c.input(0).rank()));
    }

    static Op normalize(LayerContext c) throws ModelException {
        NormalizeParameter p = c.layer().getNormParam();
        if (c.input(0).rank() < 2) {
            throw ModelException.field("bottom", "Normalize needs an input of at least 2 axes, got " + c.input(0));
        }
        return new Normalize(p.getAcrossSpatial(), p.getChannelShared(), p.getEps(),
                c.weights(Normalize.scaleShape(c.input(0), p.getChannelShared())).get(0));
    }

    static Op priorBox(LayerContext c) throws ModelException {
        PriorBoxParameter p = c.layer().getPriorBoxParam();
        if (p.getMinSizeCount() == 0) {
            throw ModelException.field("prior_box_param.min_size", "missing: at least one min_size is required");
        }
        for (float m : p.getMinSizeList()) {
            if (!(m > 0)) {
                throw ModelException.field("prior_box_param.min_size", "must be positive, got " + m);
            }
        }
        if (p.getMaxSizeCount() > 0) {
            if (p.getMaxSizeCount() != p.getMinSizeCount()) {
                throw ModelException.field("prior_box_param.max_size", "expected one max_size per min_size ("
                        + p.getMinSizeCount() + "), got " + p.getMaxSizeCount());
            }
            for (int i = 0; i < p.getMaxSizeCount(); i++) {
                if (!(p.getMaxSize(i) > p.getMinSize(i))) {
                    throw ModelException.field("prior_box_param.max_size", "max_size " + p.getMaxSize(i)
                            + " must be greater than min_size " + p.getMinSize(i));
                }
            }
        }
        List<Float> variances = new ArrayList<>(p.getVarianceList());
        if (variances.size() > 1 && variances.size() != 4) {
            throw ModelException.field("prior_box_param.variance", "expected 1 or 4 values, got " + variances.size());
        }
        for (float v : variances) {
            if (!(v > 0)) {
                throw ModelException.field("prior_box_param.variance", "must be positive, got " + v);
            }
        }
        if (variances.isEmpty()) {
            variances.add(0.1f);
        }
        int imgH = 0;
        int imgW = 0;
        if (p.hasImgH() || p.hasImgW()) {
            if (p.hasImgSize()) {
                throw ModelException.field("prior_box_param.img_size", "give img_size or img_h/img_w, not both");
            }
            imgH = positive(p.getImgH(), "prior_box_param.img_h");
            imgW = positive(p.getImgW(), "prior_box_param.img_w");
        } else if (p.hasImgSize()) {
            imgH = imgW = positive(p.getImgSize(), "prior_box_param.img_size");
        }
        float stepH = 0;
        float stepW = 0;
        if (p.hasStepH() || p.hasStepW()) {
            if (p.hasStep()) {
                throw ModelException.field("prior_box_param.step", "give step or step_h/step_w, not both");
            }
            stepH = positive(p.getStepH(), "prior_box_param.step_h");
            stepW = positive(p.getStepW(), "prior_box_param.step_w");
        } else if (p.hasStep()) {
            stepH = stepW = positive(p.getStep(), "prior_box_param.step");
        }
        if (imgH == 0 && c.inputs().size() < 2) {
            throw ModelException.field("bottom", "PriorBox takes the image as bottom 1 (for its size) unless "
                    + "img_size or img_h/img_w is given; got " + c.inputs().size() + " bottom");
        }
        if (!Float.isFinite(p.getOffset())) {
            throw ModelException.field("prior_box_param.offset", "must be finite, got " + p.getOffset());
        }
        return new PriorBox(p.getMinSizeList(), p.getMaxSizeList(),
                PriorBox.aspectRatios(p.getAspectRatioList(), p.getFlip()), p.getClip(), variances, imgH, imgW,
                stepH, stepW, p.getOffset(), c.priorBoxDialect());
    }

    /** One import of the whole net with the PriorBox layers read in a dialect. */
    @FunctionalInterface
    interface Attempt<T> {
        T run(PriorBox.Dialect dialect) throws ModelException;
    }

    /**
     * Imports with the SSD fork's PriorBox; when a DetectionOutput then finds fewer or more priors than location
     * predictions, once more with FaceBoxes' PriorBox (sfzhang15/FaceBoxes writes its densified anchors with the same
     * prototxt fields), keeping that reading, with a warning, if the net then fits. Otherwise the first error stands.
     */
    static <T> T withPriorBoxDialect(Attempt<T> attempt, List<String> warnings) throws ModelException {
        int mark = warnings.size();
        try {
            return attempt.run(PriorBox.Dialect.SSD);
        } catch (ModelException e) {
            if (!"DetectionOutput".equals(e.layerType()) || e.detail() == null
                    || !e.detail().contains(PRIOR_MISMATCH)) {
                throw e;
            }
            List<String> first = new ArrayList<>(warnings.subList(mark, warnings.size()));
            warnings.subList(mark, warnings.size()).clear();
            T r;
            try {
                r = attempt.run(PriorBox.Dialect.FACEBOXES);
            } catch (ModelException | RuntimeException again) {
                warnings.subList(mark, warnings.size()).clear();
                warnings.addAll(first);
                throw e;
            }
            warnings.add((e.file() == null ? "" : e.file() + ": ") + "the PriorBox layers are read as "
                    + "sfzhang15/FaceBoxes' fork computes them (square boxes of min size - 1, 16 of them for min "
                    + "size 32 and 4 for 64): with the SSD fork's PriorBox, layer \"" + e.layer()
                    + "\" (DetectionOutput) would not fit: " + e.detail());
            return r;
        }
    }

    /** Part of the message of DetectionOutput's check that priors and location predictions agree. */
    static final String PRIOR_MISMATCH = "location predictions per image";

    static Op detectionOutput(LayerContext c) throws ModelException {
        DetectionOutputParameter p = c.layer().getDetectionOutputParam();
        if (p.hasSide() || p.hasNumBox() || p.hasCoords() || p.getBiasesCount() > 0 || p.hasNmsThreshold()
                || p.hasLabelMapFile()) {
            throw ModelException.field("detection_output_param", "side, num_box, coords, biases, nms_threshold and "
                    + "label_map_file belong to gklz1982/caffe-yolov2's DetectionOutput (YOLOv2 decoding), which is "
                    + "not supported; the SSD fork's DetectionOutput takes nms_param");
        }
        if (!p.hasNumClasses()) {
            throw ModelException.field("detection_output_param.num_classes", "missing: the number of classes is "
                    + "required");
        }
        int classes = positive(p.getNumClasses(), "detection_output_param.num_classes");
        NonMaximumSuppressionParameter nms = p.getNmsParam();
        if (!(nms.getNmsThreshold() >= 0)) {
            throw ModelException.field("detection_output_param.nms_param.nms_threshold", "must not be negative, got "
                    + nms.getNmsThreshold());
        }
        if (!(nms.getEta() > 0 && nms.getEta() <= 1)) {
            throw ModelException.field("detection_output_param.nms_param.eta", "must be in (0, 1], got "
                    + nms.getEta());
        }
        if (p.getShareLocation() && p.getBackgroundLabelId() == -1) {
            throw ModelException.field("detection_output_param.background_label_id", "-1 (no background class) with "
                    + "share_location: true cannot run: the fork skips decoding the shared locations (their label, "
                    + "-1, is the background's) and then aborts (\"Could not find location predictions for label "
                    + "-1\")");
        }
        DetectionOutput.CodeType code = switch (p.getCodeType()) {
            case CORNER -> DetectionOutput.CodeType.CORNER;
            case CENTER_SIZE -> DetectionOutput.CodeType.CENTER_SIZE;
            case CORNER_SIZE -> DetectionOutput.CodeType.CORNER_SIZE;
        };
        return new DetectionOutput(classes, p.getShareLocation(), p.getBackgroundLabelId(), code,
                p.getVarianceEncodedInTarget(), nms.getNmsThreshold(), nms.hasTopK() ? nms.getTopK() : -1,
                nms.getEta(), p.getKeepTopK(), p.hasConfidenceThreshold() ? p.getConfidenceThreshold()
                        : -Float.MAX_VALUE);
    }

    private static int positive(int v, String field) throws ModelException {
        if (v <= 0) {
            throw ModelException.field(field, "must be positive, got " + Integer.toUnsignedString(v));
        }
        return v;
    }

    private static float positive(float v, String field) throws ModelException {
        if (!(v > 0)) {
            throw ModelException.field(field, "must be positive, got " + v);
        }
        return v;
    }
}
