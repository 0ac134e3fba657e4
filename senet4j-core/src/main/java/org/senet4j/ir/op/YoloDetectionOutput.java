package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * The YOLO detection heads of eric612/MobileNet-YOLO: {@code YoloDetectionOutput} (YOLOv2, {@link Version#V2}) and
 * {@code Yolov3DetectionOutput} ({@link Version#V3}), with the fork's CPU arithmetic.
 *
 * <p><b>V2</b> (1 or 2 bottoms, each {@code N x (numBox * L) x S x S}, {@code L >= 5 + numClasses}): anchor
 * {@code n} at cell {@code (row j, column i)} reads channels {@code n L .. n L + 4 + numClasses}:
 * {@code x = (i + sigmoid(t0)) / S}, {@code y = (j + sigmoid(t1)) / S}, {@code w = exp(t2) biases[2n] / S},
 * {@code h = exp(t3) biases[2n+1] / S}; the score is {@code sigmoid(t4)} times the largest softmax probability of the
 * classes (the first class wins a tie); the anchor is kept when the score is at least the threshold. Both bottoms use
 * the same biases. The fork walks S from the width, so the grid must be square.
 *
 * <p><b>V3</b> (exactly {@code maskGroupNum} bottoms, bottom {@code t} being {@code N x C x H x W} with
 * {@code C >= numBox (5 + numClasses)}): anchor {@code n} of bottom {@code t} uses the bias pair
 * {@code m = mask[t * (mask.size / maskGroupNum) + n]} and the input size {@code W a, H a} with
 * {@code a = anchorsScale[t]}: {@code x = (i + sigmoid(t0)) / W}, {@code y = (j + sigmoid(t1)) / H},
 * {@code w = exp(t2) biases[2m] / (W a)}, {@code h = exp(t3) biases[2m+1] / (H a)}; every class whose
 * {@code sigmoid(t_{5+c}) sigmoid(t4)} is above the threshold (strictly) gives a detection.
 *
 * <p><b>Both</b>: the candidates of all bottoms and all images are pooled, sorted by score descending with the
 * fork's unstable {@code std::sort}, and one class-agnostic greedy NMS over the whole pool drops a box whose IoU
 * (of the centre-size boxes, in float) with an earlier kept box is at least {@code nmsThreshold} — so with a batch
 * above 1 the images' boxes suppress each other, as in the fork. Each kept box is a row
 * {@code [0, class + 1, score, x - w/2, y - h/2, x + w/2, y + h/2]} (image id always 0, labels from 1, boxes not
 * clipped). With no detection the output is one row per image, {@code [i, -1, -1, -1, -1, -1, -1]}.
 *
 * <p><b>Shape.</b> As {@link DetectionOutput}: {@code 1 x 1 x K x 7} with {@code K} bounded by {@link #maxRows}, the
 * rows after the real ones padded with -1; engines return the real rows.
 *
 * @param biases       anchor sizes in pairs (V2: in grid cells; V3: in input pixels)
 * @param mask         V3: bias pair of each anchor of each bottom, {@code maskGroupNum} groups; empty for V2
 * @param anchorsScale V3: per bottom, the input pixels per grid cell; empty for V2
 * @param maskGroupNum V3: the number of bottoms; 0 for V2
 */
public record YoloDetectionOutput(Version version, int numClasses, int numBox, float confidenceThreshold,
                                  float nmsThreshold, List<Float> biases, List<Integer> mask,
                                  List<Integer> anchorsScale, int maskGroupNum) implements Op, DetectionRows {

    /** Which of the fork's two layers. */
    public enum Version { V2, V3 }

    public YoloDetectionOutput {
        if (version == null) {
            throw new IllegalArgumentException("version is required");
        }
        Checks.positive(numClasses, "num_classes");
        Checks.positive(numBox, "num_box");
        biases = List.copyOf(biases);
        mask = List.copyOf(mask);
        anchorsScale = List.copyOf(anchorsScale);
        if (version == Version.V3) {
            Checks.positive(maskGroupNum, "mask_group_num");
        }
    }

    /** Channels one anchor's prediction occupies in V3 (and at least in V2): box, objectness, classes. */
    public int anchorChannels() {
        return 5 + numClasses;
    }

    /** V3: the mask groups' size ({@code mask.size / maskGroupNum}, the fork's {@code groups_num_}). */
    public int groupSize() {
        return version == Version.V3 ? mask.size() / maskGroupNum : 0;
    }

    /** Candidates (hence detections) one image can give at most, for these bottoms. */
    public long maxPerImage(List<Shape> inputs) {
        long cells = 0;
        for (Shape s : inputs) {
            cells += (long) s.dim(2) * s.dim(3);
        }
        return cells * numBox * (version == Version.V3 ? numClasses : 1);
    }

    /** The static bound on the output's rows: at least the batch size (the empty convention). */
    public long maxRows(List<Shape> inputs) {
        int n = inputs.get(0).dim(0);
        return Math.max(n, n * maxPerImage(inputs));
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        String field = version == Version.V2 ? "yolo_detection_output_param" : "yolov3_detection_output_param";
        if (version == Version.V2) {
            Checks.arity(inputs, 1, 2);
        } else if (inputs.size() != maskGroupNum) {
            throw ModelException.field(field + ".mask_group_num", "the fork takes one bottom per mask group: "
                    + maskGroupNum + " groups, got " + inputs.size() + " bottoms");
        }
        for (int t = 0; t < inputs.size(); t++) {
            Shape s = inputs.get(t);
            Checks.rank(s, 4, 4, "bottom " + t + " of " + (version == Version.V2 ? "YoloDetectionOutput"
                    : "Yolov3DetectionOutput"));
            if (s.dim(0) != inputs.get(0).dim(0)) {
                throw ModelException.field("bottom", "bottoms 0 " + inputs.get(0) + " and " + t + " " + s
                        + " have different batch sizes");
            }
            long need = (long) numBox * anchorChannels();
            if (version == Version.V2) {
                if (s.dim(1) % numBox != 0 || s.dim(1) / numBox < anchorChannels()) {
                    throw ModelException.field(field + ".num_classes", "bottom " + t + " " + s + " must have num_box ("
                            + numBox + ") x L channels with L at least 5 + num_classes = " + anchorChannels());
                }
                if (s.dim(2) != s.dim(3)) {
                    throw ModelException.field("bottom", "bottom " + t + " " + s + " is not square: the fork takes "
                            + "the grid size from the width for both axes");
                }
            } else if (s.dim(1) < need) {
                throw ModelException.field(field + ".num_classes", "bottom " + t + " " + s + " has fewer than num_box ("
                        + numBox + ") x (5 + num_classes) = " + need + " channels");
            }
        }
        int pairs = biases.size() / 2;
        if (version == Version.V2) {
            if (pairs < numBox) {
                throw ModelException.field(field + ".biases", "need " + 2 * numBox + " values (a pair per box), got "
                        + biases.size());
            }
        } else {
            if (anchorsScale.size() < inputs.size()) {
                throw ModelException.field(field + ".anchors_scale", "need one value per bottom (" + inputs.size()
                        + "), got " + anchorsScale.size());
            }
            for (int t = 0; t < inputs.size(); t++) {
                if (anchorsScale.get(t) <= 0) {
                    throw ModelException.field(field + ".anchors_scale", "must be positive, got "
                            + Integer.toUnsignedString(anchorsScale.get(t)));
                }
            }
            int used = (inputs.size() - 1) * groupSize() + numBox;
            if (mask.size() < used) {
                throw ModelException.field(field + ".mask", "the fork reads " + used + " values (mask groups of "
                        + groupSize() + ", num_box " + numBox + "), got " + mask.size());
            }
            for (int t = 0; t < inputs.size(); t++) {
                for (int n = 0; n < numBox; n++) {
                    int m = mask.get(t * groupSize() + n);
                    if (m < 0 || m >= pairs) {
                        throw ModelException.field(field + ".mask", "value " + Integer.toUnsignedString(m)
                                + " has no bias pair (" + biases.size() + " biases)");
                    }
                }
            }
        }
        long rows = maxRows(inputs);
        if (rows * 7 > Shape.MAX_COUNT) {
            throw ModelException.field(field + ".num_classes", "up to " + rows
                    + " detections do not fit one blob");
        }
        return List.of(Shape.of(1, 1, (int) rows, 7));
    }
}
