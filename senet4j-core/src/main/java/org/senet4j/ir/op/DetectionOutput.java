package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * The SSD fork's DetectionOutput: decodes the location predictions (bottom 0, {@code N x (P * L * 4)}, {@code L = 1}
 * with {@code shareLocation}, else {@code numClasses}) against the priors (bottom 2, {@code 1 x 2 x (P * 4)}: boxes,
 * then variances), then for each image and each class but the background keeps the boxes whose confidence (bottom 1,
 * {@code N x (P * numClasses)}) is above {@code confidenceThreshold}, at most {@code topK} of them by score, and runs
 * greedy NMS on them (a box survives when its Jaccard overlap with every kept box is at most the threshold, which
 * shrinks by {@code eta} after each kept box while above 0.5). When an image has more than {@code keepTopK}
 * detections ({@code keepTopK >= 0}), the {@code keepTopK} best over all classes are kept (the fork's unstable
 * {@code std::sort}). A fourth bottom (the image, for the fork's visualisation) is accepted and not read.
 *
 * <p>Each detection is a row {@code [image, label, score, xmin, ymin, xmax, ymax]}: images in order, labels
 * ascending, scores descending within a label. When the whole batch has no detection the fork writes one row per
 * image, {@code [i, -1, -1, -1, -1, -1, -1]}.
 *
 * <p><b>Shape.</b> The fork's output is {@code 1 x 1 x K x 7} with {@code K} known only after the forward pass. The
 * IR gives the static upper bound {@link #maxRows} for {@code K}: the output holds the {@code K} rows, then padding
 * rows of seven -1 (no real row has image -1). Engines return the first {@code K} rows ({@link #rows}), so a run gives
 * exactly the fork's blob; the graph refuses layers that would read the padded blob.
 *
 * @param topK            {@code nms_param.top_k}, or -1 when absent (any negative value keeps every candidate)
 * @param keepTopK        {@code keep_top_k}; a negative value keeps every detection
 * @param confidenceThreshold {@code confidence_threshold}, or {@code -Float.MAX_VALUE} when absent (as the fork)
 */
public record DetectionOutput(int numClasses, boolean shareLocation, int backgroundLabelId, CodeType codeType,
                              boolean varianceEncodedInTarget, float nmsThreshold, int topK, float eta, int keepTopK,
                              float confidenceThreshold) implements Op, DetectionRows {

    /** How location predictions encode boxes relative to the priors (the fork's {@code PriorBoxParameter.CodeType}). */
    public enum CodeType { CORNER, CENTER_SIZE, CORNER_SIZE }

    public DetectionOutput {
        Checks.positive(numClasses, "num_classes");
        if (codeType == null) {
            throw new IllegalArgumentException("code_type is required");
        }
        if (!(nmsThreshold >= 0)) {
            throw new IllegalArgumentException("nms_threshold must not be negative, got " + nmsThreshold);
        }
        if (!(eta > 0 && eta <= 1)) {
            throw new IllegalArgumentException("eta must be in (0, 1], got " + eta);
        }
        if (shareLocation && backgroundLabelId == -1) {
            throw new IllegalArgumentException("background_label_id -1 with share_location: the fork skips decoding "
                    + "the shared locations and aborts");
        }
    }

    /** Location classes: 1 with shared locations, else {@code numClasses}. */
    public int locClasses() {
        return shareLocation ? 1 : numClasses;
    }

    /** The classes that get detections: all but the background (when it is one of them). */
    public int detectedClasses() {
        return backgroundLabelId >= 0 && backgroundLabelId < numClasses ? numClasses - 1 : numClasses;
    }

    /** The priors {@code P} that bottom 2 describes: Caffe's legacy height (axis 2) divided by 4. */
    public static int priorCount(Shape priors) {
        return (priors.rank() > 2 ? priors.dim(2) : 1) / 4;
    }

    /** Detections one image can have at most, for {@code priors} priors. */
    public long maxPerImage(int priors) {
        long perClass = topK > -1 ? Math.min(topK, priors) : priors;
        long all = perClass * detectedClasses();
        return keepTopK > -1 ? Math.min(keepTopK, all) : all;
    }

    /** The static bound on the output's rows for a batch of {@code n}: at least {@code n} (the empty convention). */
    public long maxRows(int n, int priors) {
        return Math.max(n, n * maxPerImage(priors));
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 3, 4);
        Shape loc = inputs.get(0);
        Shape conf = inputs.get(1);
        Shape prior = inputs.get(2);
        for (int i = 0; i < 3; i++) {
            Checks.rank(inputs.get(i), 1, 4, "bottom " + i + " of DetectionOutput");
        }
        if (loc.dim(0) != conf.dim(0)) {
            throw ModelException.field("bottom", "the location (" + loc + ") and confidence (" + conf
                    + ") predictions have different batch sizes");
        }
        int p = priorCount(prior);
        long locChannels = loc.rank() > 1 ? loc.dim(1) : 1;
        long confChannels = conf.rank() > 1 ? conf.dim(1) : 1;
        if ((long) p * locClasses() * 4 != locChannels) {
            throw ModelException.field("bottom", "the " + p + " priors of " + prior + " need " + (long) p
                    * locClasses() * 4 + " location predictions per image, bottom 0 " + loc + " has " + locChannels);
        }
        if ((long) p * numClasses != confChannels) {
            throw ModelException.field("detection_output_param.num_classes", "the " + p + " priors and "
                    + numClasses + " classes need " + (long) p * numClasses + " confidences per image, bottom 1 "
                    + conf + " has " + confChannels);
        }
        if (prior.count() < 8L * p) {
            throw ModelException.field("bottom", "the priors " + prior + " lack the variances (the fork reads "
                    + 8L * p + " values: boxes, then variances)");
        }
        long rows = maxRows(loc.dim(0), p);
        if (rows * 7 > Shape.MAX_COUNT) {
            throw ModelException.field("detection_output_param.keep_top_k", "up to " + rows
                    + " detections do not fit one blob; set keep_top_k or nms_param.top_k");
        }
        return List.of(Shape.of(1, 1, (int) rows, 7));
    }

    /** The rows of an output that are detections (or the empty-result rows): those before the padding. */
    public static int rows(float[] output) {
        return DetectionRows.rows(output);
    }
}
