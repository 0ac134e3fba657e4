package org.senet4j.ir.op;

import java.util.ArrayList;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * The SSD fork's PriorBox: the default boxes of one feature map, which depend only on the shapes of its inputs (the
 * feature map, bottom 0, and the image, bottom 1, whose values are never read). Output {@code 1 x 2 x (H * W *
 * numPriors * 4)}: channel 0 the boxes {@code [xmin, ymin, xmax, ymax]} normalised by the image size, channel 1 the
 * variances.
 *
 * <p>Boxes are emitted for each row {@code h}, each column {@code w}, each min size {@code s}: first the square box
 * of side {@code (int) minSize[s]}, then (with max sizes) the square of side {@code sqrt((int) minSize[s] * (int)
 * maxSize[s])}, then one box per aspect ratio other than 1, {@code (int) minSize[s] * sqrt(ar)} wide and {@code (int)
 * minSize[s] / sqrt(ar)} high, in the order of {@link #aspectRatios}. Sizes are truncated to integers as the fork
 * does. The centre is {@code ((w + offset) * stepW, (h + offset) * stepH)}; without a step, {@code stepW = imageW /
 * W} (in float); without {@code img_size}/{@code img_h}/{@code img_w} the image size is bottom 1's. {@code clip} clamps
 * every coordinate to [0, 1]. Variances: one value for all four coordinates, or four.
 *
 * <p>{@link Dialect#FACEBOXES} is the PriorBox of sfzhang15/FaceBoxes' fork, whose prototxts look the same: every
 * square min-size box is {@code (int) minSize - 1} wide (its half extent {@code (size - 1) / 2}); min size 32 gives
 * 16 such boxes, centred at {@code (cx + 8j, cy + 8i)} for {@code i, j = -2..1} (rows first), and 64 gives 4 at
 * {@code (cx + 16j, cy + 16i)}, {@code i, j = -1..0} (anchor densification); the fork assumes 21 boxes per position
 * whenever there are three min sizes.
 *
 * @param aspectRatios the fork's list: 1 first, then each given ratio that is new (within 1e-6) followed by its
 *                     reciprocal when {@code flip} (see {@link #aspectRatios(List, boolean)})
 * @param imgH         the image height to use, 0 for bottom 1's (with {@code imgW})
 * @param stepH        the vertical step, 0 for {@code imageH / H} (with {@code stepW})
 * @param dialect      whose PriorBox: the SSD fork's or FaceBoxes'
 */
public record PriorBox(List<Float> minSizes, List<Float> maxSizes, List<Float> aspectRatios, boolean clip,
                       List<Float> variances, int imgH, int imgW, float stepH, float stepW, float offset,
                       Dialect dialect) implements Op {

    /** The fork whose PriorBox semantics apply (the prototxt fields are the same). */
    public enum Dialect { SSD, FACEBOXES }

    /** The SSD fork's PriorBox. */
    public PriorBox(List<Float> minSizes, List<Float> maxSizes, List<Float> aspectRatios, boolean clip,
                    List<Float> variances, int imgH, int imgW, float stepH, float stepW, float offset) {
        this(minSizes, maxSizes, aspectRatios, clip, variances, imgH, imgW, stepH, stepW, offset, Dialect.SSD);
    }

    public PriorBox {
        if (dialect == null) {
            throw new IllegalArgumentException("dialect is required");
        }
        minSizes = List.copyOf(minSizes);
        maxSizes = List.copyOf(maxSizes);
        aspectRatios = List.copyOf(aspectRatios);
        variances = List.copyOf(variances);
        if (minSizes.isEmpty()) {
            throw new IllegalArgumentException("min_size is required");
        }
        for (float m : minSizes) {
            if (!(m > 0)) {
                throw new IllegalArgumentException("min_size must be positive, got " + m);
            }
        }
        if (!maxSizes.isEmpty() && maxSizes.size() != minSizes.size()) {
            throw new IllegalArgumentException("expected one max_size per min_size, got " + maxSizes.size() + " for "
                    + minSizes.size());
        }
        for (int i = 0; i < maxSizes.size(); i++) {
            if (!(maxSizes.get(i) > minSizes.get(i))) {
                throw new IllegalArgumentException("max_size " + maxSizes.get(i) + " must be greater than min_size "
                        + minSizes.get(i));
            }
        }
        if (aspectRatios.isEmpty() || aspectRatios.get(0) != 1f) {
            throw new IllegalArgumentException("the aspect ratios must start with 1, got " + aspectRatios);
        }
        if (variances.size() != 1 && variances.size() != 4) {
            throw new IllegalArgumentException("expected 1 or 4 variances, got " + variances.size());
        }
        for (float v : variances) {
            if (!(v > 0)) {
                throw new IllegalArgumentException("variances must be positive, got " + variances);
            }
        }
        if (imgH < 0 || imgW < 0 || (imgH == 0) != (imgW == 0)) {
            throw new IllegalArgumentException("img_h and img_w must both be positive or both 0, got " + imgH + ", "
                    + imgW);
        }
        if (!(stepH >= 0) || !(stepW >= 0) || (stepH == 0) != (stepW == 0)) {
            throw new IllegalArgumentException("step_h and step_w must both be positive or both 0, got " + stepH + ", "
                    + stepW);
        }
        Checks.finite(offset, "offset");
        int counted = numPriors(minSizes, maxSizes, aspectRatios, dialect);
        int written = emitted(minSizes, maxSizes, aspectRatios, dialect);
        if (counted != written) {
            throw new IllegalArgumentException("FaceBoxes' PriorBox counts " + counted + " boxes per position for "
                    + "min sizes " + minSizes + " but writes " + written + " (its fork would write past its blob)");
        }
    }

    /** Square boxes FaceBoxes' fork emits for one min size: 16 for 32, 4 for 64, else 1. */
    private static int denseBoxes(int minSize) {
        return minSize == 32 ? 16 : minSize == 64 ? 4 : 1;
    }

    /** The boxes each position actually gets. */
    private static int emitted(List<Float> minSizes, List<Float> maxSizes, List<Float> aspectRatios, Dialect d) {
        int n = maxSizes.size() + (aspectRatios.size() - 1) * minSizes.size();
        for (float m : minSizes) {
            n += d == Dialect.FACEBOXES ? denseBoxes((int) m) : 1;
        }
        return n;
    }

    /** The fork's {@code num_priors_}: FaceBoxes' fork assumes 21 squares whenever there are three min sizes. */
    private static int numPriors(List<Float> minSizes, List<Float> maxSizes, List<Float> aspectRatios, Dialect d) {
        int squares = d == Dialect.FACEBOXES && minSizes.size() == 3 ? 21 : aspectRatios.size() * minSizes.size();
        return squares + maxSizes.size();
    }

    /**
     * The fork's aspect ratios: 1, then each given ratio not yet in the list (within 1e-6), followed by its reciprocal
     * (computed in double, stored in float) when {@code flip}.
     */
    public static List<Float> aspectRatios(List<Float> given, boolean flip) {
        List<Float> out = new ArrayList<>(List.of(1f));
        for (float ar : given) {
            boolean exists = false;
            for (float a : out) {
                if (Math.abs(ar - a) < 1e-6) {
                    exists = true;
                    break;
                }
            }
            if (!exists) {
                out.add(ar);
                if (flip) {
                    out.add((float) (1.0 / ar));
                }
            }
        }
        return out;
    }

    /** Boxes per feature-map position (the fork's {@code num_priors_}). */
    public int numPriors() {
        return numPriors(minSizes, maxSizes, aspectRatios, dialect);
    }

    /** Whether the image size comes from bottom 1 (no {@code img_size} / {@code img_h} / {@code img_w}). */
    public boolean readsImageShape() {
        return imgH == 0;
    }

    /** Caffe's legacy height ({@code dim(2)}, 1 for fewer axes) and width ({@code dim(3)}). */
    private static int height(Shape s) {
        return s.rank() > 2 ? s.dim(2) : 1;
    }

    private static int width(Shape s) {
        return s.rank() > 3 ? s.dim(3) : 1;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, readsImageShape() ? 2 : 1, Integer.MAX_VALUE);
        Checks.rank(inputs.get(0), 1, 4, "the feature map (bottom 0) of PriorBox");
        if (readsImageShape()) {
            Checks.rank(inputs.get(1), 1, 4, "the image (bottom 1) of PriorBox");
        }
        long d = (long) height(inputs.get(0)) * width(inputs.get(0)) * numPriors() * 4;
        if (d <= 0 || 2 * d > Shape.MAX_COUNT) {
            throw ModelException.field("bottom", "PriorBox of feature map " + inputs.get(0) + " gives " + d
                    + " coordinates");
        }
        return List.of(Shape.of(1, 2, (int) d));
    }

    /**
     * The output values for a feature map and an image of these shapes ({@code image} may be null when the op has
     * its own image size), in the fork's arithmetic: float centres and steps, double box corners rounded to float.
     */
    public float[] priors(Shape feature, Shape image) {
        int layerH = height(feature);
        int layerW = width(feature);
        int imageH = readsImageShape() ? height(image) : imgH;
        int imageW = readsImageShape() ? width(image) : imgW;
        float sw = stepW;
        float sh = stepH;
        if (stepW == 0 || stepH == 0) {
            sw = (float) imageW / layerW;
            sh = (float) imageH / layerH;
        }
        int dim = layerH * layerW * numPriors() * 4;
        float[] top = new float[2 * dim];
        int idx = 0;
        for (int h = 0; h < layerH; h++) {
            for (int w = 0; w < layerW; w++) {
                float cx = (w + offset) * sw;
                float cy = (h + offset) * sh;
                for (int s = 0; s < minSizes.size(); s++) {
                    int minSize = (int) (float) minSizes.get(s);
                    if (dialect == Dialect.FACEBOXES) {
                        idx = denseSquares(top, idx, cx, cy, minSize, imageW, imageH);
                    } else {
                        idx = box(top, idx, cx, cy, minSize, minSize, imageW, imageH);
                    }
                    if (!maxSizes.isEmpty()) {
                        int maxSize = (int) (float) maxSizes.get(s);
                        float side = (float) Math.sqrt(minSize * maxSize);
                        idx = box(top, idx, cx, cy, side, side, imageW, imageH);
                    }
                    for (float ar : aspectRatios) {
                        if (Math.abs(ar - 1.0) < 1e-6) {
                            continue;
                        }
                        float root = (float) Math.sqrt(ar);
                        idx = box(top, idx, cx, cy, minSize * root, minSize / root, imageW, imageH);
                    }
                }
            }
        }
        if (clip) {
            for (int i = 0; i < dim; i++) {
                top[i] = Math.min(Math.max(top[i], 0f), 1f);
            }
        }
        for (int i = 0; i < dim; i++) {
            top[dim + i] = variances.get(variances.size() == 1 ? 0 : i % 4);
        }
        return top;
    }

    /** FaceBoxes' square boxes of one min size: half extent {@code (size - 1) / 2}, densified for 32 and 64. */
    private static int denseSquares(float[] top, int idx, float cx, float cy, int minSize, int imageW, int imageH) {
        int n = minSize == 32 ? 2 : minSize == 64 ? 1 : 0;
        int shift = minSize == 32 ? 8 : 16;
        float bw = minSize;
        double half = (bw - 1) / 2.;
        for (int i = -n; i < Math.max(n, 1); i++) {
            for (int j = -n; j < Math.max(n, 1); j++) {
                float x = n == 0 ? cx : cx + j * shift;
                float y = n == 0 ? cy : cy + i * shift;
                top[idx++] = (float) ((x - half) / imageW);
                top[idx++] = (float) ((y - half) / imageH);
                top[idx++] = (float) ((x + half) / imageW);
                top[idx++] = (float) ((y + half) / imageH);
            }
        }
        return idx;
    }

    private static int box(float[] top, int idx, float cx, float cy, float bw, float bh, int imageW, int imageH) {
        top[idx++] = (float) ((cx - bw / 2.) / imageW);
        top[idx++] = (float) ((cy - bh / 2.) / imageH);
        top[idx++] = (float) ((cx + bw / 2.) / imageW);
        top[idx++] = (float) ((cy + bh / 2.) / imageH);
        return idx;
    }
}
