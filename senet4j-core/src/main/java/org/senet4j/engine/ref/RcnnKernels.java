package org.senet4j.engine.ref;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Proposal;
import org.senet4j.ir.op.PsRoiPooling;
import org.senet4j.ir.op.RoiPooling;

/** Reference kernels of the R-CNN layers: ROI pooling, position-sensitive ROI pooling, region proposals. */
public final class RcnnKernels {
    private RcnnKernels() {
    }

    /** C's {@code round}: half away from zero, in float. */
    static float roundHalfAway(float v) {
        return (float) (v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5));
    }

    /** The batch index of a region row; -1 for padding (negative), else checked against the batch. */
    private static int batchIndex(float v, int batch, String type) {
        if (v < 0) {
            return -1;
        }
        int b = (int) v;
        if (b >= batch) {
            throw new IllegalArgumentException(type + ": a region's batch index " + v + " is outside the batch of "
                    + batch);
        }
        return b;
    }

    public static void roiPooling(RoiPooling op, Shape xs, float[] x, float[] rois, int roiCount, float[] y) {
        int n = xs.dim(0);
        int ch = xs.dim(1);
        int h = xs.dim(2);
        int w = xs.dim(3);
        int ph = op.pooledH();
        int pw = op.pooledW();
        float scale = op.spatialScale();
        for (int r = 0; r < roiCount; r++) {
            int o = r * 5;
            int b = batchIndex(rois[o], n, "ROIPooling");
            int out = r * ch * ph * pw;
            if (b < 0) {
                Arrays.fill(y, out, out + ch * ph * pw, 0f);
                continue;
            }
            int x1 = (int) roundHalfAway(rois[o + 1] * scale);
            int y1 = (int) roundHalfAway(rois[o + 2] * scale);
            int x2 = (int) roundHalfAway(rois[o + 3] * scale);
            int y2 = (int) roundHalfAway(rois[o + 4] * scale);
            int rh = Math.max(y2 - y1 + 1, 1);
            int rw = Math.max(x2 - x1 + 1, 1);
            float binH = (float) rh / (float) ph;
            float binW = (float) rw / (float) pw;
            for (int c = 0; c < ch; c++) {
                int plane = (b * ch + c) * h * w;
                for (int i = 0; i < ph; i++) {
                    int hs = clamp((int) Math.floor(i * binH) + y1, h);
                    int he = clamp((int) Math.ceil((i + 1) * binH) + y1, h);
                    for (int j = 0; j < pw; j++) {
                        int ws = clamp((int) Math.floor(j * binW) + x1, w);
                        int we = clamp((int) Math.ceil((j + 1) * binW) + x1, w);
                        float m;
                        if (he <= hs || we <= ws) {
                            m = 0f;
                        } else {
                            m = -Float.MAX_VALUE;
                            for (int yy = hs; yy < he; yy++) {
                                for (int xx = ws; xx < we; xx++) {
                                    m = Math.max(m, x[plane + yy * w + xx]);
                                }
                            }
                        }
                        y[out + (c * ph + i) * pw + j] = m;
                    }
                }
            }
        }
    }

    private static int clamp(int v, int size) {
        return Math.min(Math.max(v, 0), size);
    }

    public static void psRoiPooling(PsRoiPooling op, Shape xs, float[] x, float[] rois, int roiCount, float[] y) {
        int n = xs.dim(0);
        int ch = xs.dim(1);
        int h = xs.dim(2);
        int w = xs.dim(3);
        int g = op.groupSize();
        int dim = op.outputDim();
        float scale = op.spatialScale();
        for (int r = 0; r < roiCount; r++) {
            int o = r * 5;
            int b = batchIndex(rois[o], n, "PSROIPooling");
            int out = r * dim * g * g;
            if (b < 0) {
                Arrays.fill(y, out, out + dim * g * g, 0f);
                continue;
            }
            float x1 = roundHalfAway(rois[o + 1]) * scale;
            float y1 = roundHalfAway(rois[o + 2]) * scale;
            float x2 = (roundHalfAway(rois[o + 3]) + 1f) * scale;
            float y2 = (roundHalfAway(rois[o + 4]) + 1f) * scale;
            float rw = Math.max(x2 - x1, 0.1f);
            float rh = Math.max(y2 - y1, 0.1f);
            float binH = rh / g;
            float binW = rw / g;
            for (int k = 0; k < dim; k++) {
                for (int i = 0; i < g; i++) {
                    int hs = clamp((int) Math.floor(i * binH + y1), h);
                    int he = clamp((int) Math.ceil((i + 1) * binH + y1), h);
                    for (int j = 0; j < g; j++) {
                        int ws = clamp((int) Math.floor(j * binW + x1), w);
                        int we = clamp((int) Math.ceil((j + 1) * binW + x1), w);
                        float v = 0f;
                        if (he > hs && we > ws) {
                            int plane = (b * ch + (k * g + i) * g + j) * h * w;
                            float sum = 0f;
                            for (int yy = hs; yy < he; yy++) {
                                for (int xx = ws; xx < we; xx++) {
                                    sum += x[plane + yy * w + xx];
                                }
                            }
                            v = sum / ((he - hs) * (we - ws));
                        }
                        y[out + (k * g + i) * g + j] = v;
                    }
                }
            }
        }
    }

    /**
     * generate_anchors: {@code A x 4} boxes {@code [x1, y1, x2, y2]} around the base box's centre, ratios outer,
     * scales inner (in double, as numpy).
     */
    public static double[] anchors(Proposal op) {
        double base = op.baseSize();
        double ctr = 0.5 * (base - 1);
        double[] a = new double[op.anchors() * 4];
        int k = 0;
        for (float ratio : op.ratios()) {
            double sizeRatio = base * base / ratio;
            double ws = Math.rint(Math.sqrt(sizeRatio));
            double hs = Math.rint(ws * ratio);
            for (float s : op.scales()) {
                double sw = ws * s;
                double sh = hs * s;
                a[k++] = ctr - 0.5 * (sw - 1);
                a[k++] = ctr - 0.5 * (sh - 1);
                a[k++] = ctr + 0.5 * (sw - 1);
                a[k++] = ctr + 0.5 * (sh - 1);
            }
        }
        return a;
    }

    /** The proposal layer (see {@link Proposal}); fills {@code rois} (and {@code scoresOut} when not null). */
    public static void proposal(Proposal op, Shape scoreShape, float[] scores, float[] deltas, float[] imInfo,
                                float[] rois, float[] scoresOut) {
        int a = op.anchors();
        int h = scoreShape.dim(2);
        int w = scoreShape.dim(3);
        int plane = h * w;
        float imH = imInfo[0];
        float imW = imInfo[1];
        double minSide = (double) op.minSize() * imInfo[2];
        double[] anchors = anchors(op);
        int total = plane * a;
        float[] boxes = new float[total * 4];
        float[] score = new float[total];
        int[] kept = new int[total];
        int count = 0;
        for (int yy = 0; yy < h; yy++) {
            for (int xx = 0; xx < w; xx++) {
                for (int k = 0; k < a; k++) {
                    int i = (yy * w + xx) * a + k;
                    float ax1 = (float) (anchors[k * 4] + xx * op.featStride());
                    float ay1 = (float) (anchors[k * 4 + 1] + yy * op.featStride());
                    float ax2 = (float) (anchors[k * 4 + 2] + xx * op.featStride());
                    float ay2 = (float) (anchors[k * 4 + 3] + yy * op.featStride());
                    float aw = ax2 - ax1 + 1f;
                    float ah = ay2 - ay1 + 1f;
                    float cx = ax1 + 0.5f * aw;
                    float cy = ay1 + 0.5f * ah;
                    int at = yy * w + xx;
                    float dx = deltas[(k * 4) * plane + at];
                    float dy = deltas[(k * 4 + 1) * plane + at];
                    float dw = deltas[(k * 4 + 2) * plane + at];
                    float dh = deltas[(k * 4 + 3) * plane + at];
                    float pcx = dx * aw + cx;
                    float pcy = dy * ah + cy;
                    float pw = (float) Math.exp(dw) * aw;
                    float ph = (float) Math.exp(dh) * ah;
                    float x1 = clip(pcx - 0.5f * pw, imW - 1f);
                    float y1 = clip(pcy - 0.5f * ph, imH - 1f);
                    float x2 = clip(pcx + 0.5f * pw - 1f, imW - 1f);
                    float y2 = clip(pcy + 0.5f * ph - 1f, imH - 1f);
                    boxes[i * 4] = x1;
                    boxes[i * 4 + 1] = y1;
                    boxes[i * 4 + 2] = x2;
                    boxes[i * 4 + 3] = y2;
                    score[i] = scores[(a + k) * plane + at];
                    if (x2 - x1 + 1f >= minSide && y2 - y1 + 1f >= minSide) {
                        kept[count++] = i;
                    }
                }
            }
        }
        // first sort: descending, ties later anchor first (a stable argsort reversed); the cut
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = kept[i];
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> score[i]).reversed()
                .thenComparing(Comparator.<Integer>reverseOrder()));
        int pre = op.preNmsTopN() > 0 ? Math.min(op.preNmsTopN(), count) : count;
        Integer[] cand = Arrays.copyOf(order, pre);
        // NMS sorts again: ties now earlier anchor first
        Arrays.sort(cand, Comparator.<Integer>comparingDouble(i -> score[i]).reversed()
                .thenComparing(Comparator.<Integer>naturalOrder()));
        int post = op.postNmsTopN() > 0 ? op.postNmsTopN() : Integer.MAX_VALUE;
        List<Integer> keep = nms(boxes, cand, op.nmsThresh(), post);
        int rows = rois.length / 5;
        for (int r = 0; r < rows; r++) {
            if (r < keep.size()) {
                int i = keep.get(r);
                rois[r * 5] = 0f;
                System.arraycopy(boxes, i * 4, rois, r * 5 + 1, 4);
                if (scoresOut != null) {
                    scoresOut[r] = score[i];
                }
            } else {
                Arrays.fill(rois, r * 5, r * 5 + 5, -1f);
                if (scoresOut != null) {
                    scoresOut[r] = -1f;
                }
            }
        }
    }

    private static float clip(float v, float max) {
        return Math.max(Math.min(v, max), 0f);
    }

    /** Greedy NMS over {@code order} (best first), areas with +1, suppressing overlaps above {@code thresh}. */
    static List<Integer> nms(float[] b, Integer[] order, float thresh, int limit) {
        int n = order.length;
        float[] area = new float[n];
        for (int i = 0; i < n; i++) {
            int o = order[i] * 4;
            area[i] = (b[o + 2] - b[o] + 1f) * (b[o + 3] - b[o + 1] + 1f);
        }
        boolean[] gone = new boolean[n];
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < n && keep.size() < limit; i++) {
            if (gone[i]) {
                continue;
            }
            int p = order[i] * 4;
            keep.add(order[i]);
            for (int j = i + 1; j < n; j++) {
                if (gone[j]) {
                    continue;
                }
                int q = order[j] * 4;
                float iw = Math.max(0f, Math.min(b[p + 2], b[q + 2]) - Math.max(b[p], b[q]) + 1f);
                float ih = Math.max(0f, Math.min(b[p + 3], b[q + 3]) - Math.max(b[p + 1], b[q + 1]) + 1f);
                float inter = iw * ih;
                float ovr = inter / (area[i] + area[j] - inter);
                if (ovr > thresh) {
                    gone[j] = true;
                }
            }
        }
        return keep;
    }
}
