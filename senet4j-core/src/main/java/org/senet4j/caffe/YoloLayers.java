package org.senet4j.caffe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.ReorgParameter;
import org.senet4j.caffe.proto.YoloDetectionOutputParameter;
import org.senet4j.caffe.proto.Yolov3DetectionOutputParameter;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.Reorg;
import org.senet4j.ir.op.YoloDetectionOutput;

/**
 * Converters of eric612/MobileNet-YOLO's YOLO layers: Reorg, YoloDetectionOutput (YOLOv2) and Yolov3DetectionOutput,
 * with the fork's {@code LayerSetUp} checks and defaults, naming the field when a check fails.
 */
final class YoloLayers {
    private YoloLayers() {
    }

    /** The converters, by Caffe layer type, in a fixed order. */
    static Map<String, LayerConverter> converters() {
        Map<String, LayerConverter> m = new LinkedHashMap<>();
        m.put("Reorg", YoloLayers::reorg);
        m.put("YoloDetectionOutput", YoloLayers::yoloV2);
        m.put("Yolov3DetectionOutput", YoloLayers::yoloV3);
        return m;
    }

    /** {@code reorg_param.stride} is required (the fork's CHECK) and positive; the fork refuses in-place use. */
    static Op reorg(LayerContext c) throws ModelException {
        ReorgParameter p = c.layer().getReorgParam();
        if (!p.hasStride()) {
            throw ModelException.field("reorg_param.stride", "missing: the fork requires a stride");
        }
        if (p.getStride() <= 0) {
            throw ModelException.field("reorg_param.stride", "must be greater than 0, got "
                    + Integer.toUnsignedString(p.getStride()));
        }
        if (c.layer().getTopCount() > 0 && c.layer().getBottomCount() > 0
                && c.layer().getTop(0).equals(c.layer().getBottom(0))) {
            throw ModelException.field("top", "Reorg cannot work in place (the fork's CHECK): top \""
                    + c.layer().getTop(0) + "\" is its bottom");
        }
        return new Reorg(p.getStride(), p.getReverse());
    }

    /**
     * {@code yolo_detection_output_param}: {@code num_classes} must be given (the fork's CHECK); {@code num_box}
     * (default 5), {@code confidence_threshold} (0.01), {@code nms_threshold} (0.45), {@code biases}. The fork never
     * reads {@code side} (it takes the grid from the bottom) nor {@code coords}, and {@code label_map_file} only names
     * classes in its logs; a third bottom is never read, so it is refused.
     */
    static Op yoloV2(LayerContext c) throws ModelException {
        YoloDetectionOutputParameter p = c.layer().getYoloDetectionOutputParam();
        String f = "yolo_detection_output_param.";
        if (!p.hasNumClasses()) {
            throw ModelException.field(f + "num_classes", "missing: the fork requires num_classes");
        }
        if (c.inputs().size() > 2) {
            throw ModelException.field("bottom", "YoloDetectionOutput reads 1 or 2 bottoms, got " + c.inputs().size());
        }
        return new YoloDetectionOutput(YoloDetectionOutput.Version.V2, positive(p.getNumClasses(), f + "num_classes"),
                positive(p.getNumBox(), f + "num_box"), p.getConfidenceThreshold(),
                nms(p.getNmsThreshold(), f), p.getBiasesList(), List.of(), List.of(), 0);
    }

    /**
     * {@code yolov3_detection_output_param}: {@code num_classes} must be given (the fork's CHECK); {@code num_box}
     * (default 3), {@code confidence_threshold} (0.01), {@code nms_threshold} (0.45), {@code biases},
     * {@code anchors_scale}, {@code mask}, {@code mask_group_num} (default 2, the number of bottoms). The Gaussian
     * YOLOv3 boxes ({@code gaussian_box: true}) are refused: the fork's CPU code for them stores the objectness as
     * class 0 and the last class past its class array, then reads the objectness from a buffer element it never
     * wrote.
     */
    static Op yoloV3(LayerContext c) throws ModelException {
        Yolov3DetectionOutputParameter p = c.layer().getYolov3DetectionOutputParam();
        String f = "yolov3_detection_output_param.";
        if (!p.hasNumClasses()) {
            throw ModelException.field(f + "num_classes", "missing: the fork requires num_classes");
        }
        if (p.getGaussianBox()) {
            throw ModelException.field(f + "gaussian_box", "Gaussian YOLOv3 boxes are not supported: the fork's CPU "
                    + "path for them reads the objectness from a buffer it never writes and writes one class score past "
                    + "its array, so it has no defined result to reproduce");
        }
        return new YoloDetectionOutput(YoloDetectionOutput.Version.V3, positive(p.getNumClasses(), f + "num_classes"),
                positive(p.getNumBox(), f + "num_box"), p.getConfidenceThreshold(), nms(p.getNmsThreshold(), f),
                p.getBiasesList(), p.getMaskList(), p.getAnchorsScaleList(),
                positive(p.getMaskGroupNum(), f + "mask_group_num"));
    }

    private static int positive(int v, String field) throws ModelException {
        if (v <= 0) {
            throw ModelException.field(field, "must be greater than 0, got " + Integer.toUnsignedString(v));
        }
        return v;
    }

    private static float nms(float v, String f) throws ModelException {
        if (Float.isNaN(v)) {
            throw ModelException.field(f + "nms_threshold", "must be a number, got " + v);
        }
        return v;
    }
}
