package org.senet4j.engine.ref;

import java.util.Arrays;
import java.util.List;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.YoloDetectionOutput;

/**
 * eric612/MobileNet-YOLO's YOLO heads ({@link YoloDetectionOutput}) in the fork's CPU arithmetic, written from its
 * layer sources: float where the fork computes in {@code Dtype}, double where its expressions promote (the sigmoid's
 * {@code 1. / (1. + exp(-x))}, the anchor sizes, the corners' {@code x - w / 2.}); the pool of candidates sorted by
 * {@link StdSort} as libstdc++'s {@code std::sort} orders ties.
 */
final class YoloKernels {
    private YoloKernels() {
    }

    /** Candidates: centre-size boxes, score and class, in the fork's push order. */
    private static final class Pool {
        float[] x = new float[64];
        float[] y = new float[64];
        float[] w = new float[64];
        float[] h = new float[64];
        float[] score = new float[64];
        int[] cls = new int[64];
        int size;

        void add(float bx, float by, float bw, float bh, float s, int c) {
            if (size == x.length) {
                int n = size * 2;
                x = Arrays.copyOf(x, n);
                y = Arrays.copyOf(y, n);
                w = Arrays.copyOf(w, n);
                h = Arrays.copyOf(h, n);
                score = Arrays.copyOf(score, n);
                cls = Arrays.copyOf(cls, n);
            }
            x[size] = bx;
            y[size] = by;
            w[size] = bw;
            h[size] = bh;
            score[size] = s;
            cls[size] = c;
            size++;
        }
    }

    static float sigmoid(float v) {
        return (float) (1.0 / (1.0 + Math.exp(-(double) v)));
    }

    static void detect(YoloDetectionOutput d, List<Shape> inShapes, List<float[]> in, float[] out) {
        Pool pool = new Pool();
        if (d.version() == YoloDetectionOutput.Version.V2) {
            for (int t = 0; t < inShapes.size(); t++) {
                v2(d, inShapes.get(t), in.get(t), pool);
            }
        } else {
            for (int t = 0; t < inShapes.size(); t++) {
                v3(d, t, inShapes.get(t), in.get(t), pool);
            }
        }
        int[] order = new int[pool.size];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        float[] score = pool.score;
        StdSort.sort(order, (a, b) -> score[a] > score[b]);
        boolean[] dropped = new boolean[order.length];
        for (int i = 0; i < order.length - 1; i++) {
            if (dropped[i]) {
                continue;
            }
            for (int j = i + 1; j < order.length; j++) {
                if (!dropped[j] && iou(pool, order[i], order[j]) >= d.nmsThreshold()) {
                    dropped[j] = true;
                }
            }
        }
        Arrays.fill(out, -1f);
        int k = 0;
        for (int i = 0; i < order.length; i++) {
            if (dropped[i]) {
                continue;
            }
            int p = order[i];
            int r = k * 7;
            out[r] = 0;
            out[r + 1] = pool.cls[p] + 1;
            out[r + 2] = pool.score[p];
            out[r + 3] = (float) (pool.x[p] - pool.w[p] / 2.0);
            out[r + 4] = (float) (pool.y[p] - pool.h[p] / 2.0);
            out[r + 5] = (float) (pool.x[p] + pool.w[p] / 2.0);
            out[r + 6] = (float) (pool.y[p] + pool.h[p] / 2.0);
            k++;
        }
        if (k == 0) {
            int n = inShapes.get(0).dim(0);
            for (int i = 0; i < n; i++) {
                out[i * 7] = i;
            }
        }
    }

    /** The fork's IoU of two centre-size boxes, in float. */
    private static float iou(Pool p, int a, int b) {
        float iw = overlap(p.x[a], p.w[a], p.x[b], p.w[b]);
        float ih = overlap(p.y[a], p.h[a], p.y[b], p.h[b]);
        float inter = iw < 0 || ih < 0 ? 0f : iw * ih;
        float union = p.w[a] * p.h[a] + p.w[b] * p.h[b] - inter;
        return inter / union;
    }

    private static float overlap(float x1, float w1, float x2, float w2) {
        float l1 = x1 - w1 / 2;
        float l2 = x2 - w2 / 2;
        float left = l1 > l2 ? l1 : l2;
        float r1 = x1 + w1 / 2;
        float r2 = x2 + w2 / 2;
        float right = r1 < r2 ? r1 : r2;
        return right - left;
    }

    private static void v2(YoloDetectionOutput d, Shape s, float[] x, Pool pool) {
        int n = s.dim(0);
        int c = s.dim(1);
        int side = s.dim(3);
        int plane = s.dim(2) * side;
        int len = c / d.numBox();
        int classes = d.numClasses();
        float[] prob = new float[classes];
        for (int b = 0; b < n; b++) {
            for (int j = 0; j < side; j++) {
                for (int i = 0; i < side; i++) {
                    int cell = j * side + i;
                    for (int a = 0; a < d.numBox(); a++) {
                        int base = (b * c + a * len) * plane + cell;
                        float bx = (i + sigmoid(x[base])) / side;
                        float by = (j + sigmoid(x[base + plane])) / side;
                        float bw = (float) (Math.exp(x[base + 2 * plane]) * d.biases().get(2 * a) / side);
                        float bh = (float) (Math.exp(x[base + 3 * plane]) * d.biases().get(2 * a + 1) / side);
                        float obj = sigmoid(x[base + 4 * plane]);
                        float large = x[base + 5 * plane];
                        for (int k = 0; k < classes; k++) {
                            large = Math.max(large, x[base + (5 + k) * plane]);
                        }
                        float sum = 0;
                        for (int k = 0; k < classes; k++) {
                            prob[k] = (float) Math.exp(x[base + (5 + k) * plane] - large);
                            sum += prob[k];
                        }
                        int best = 0;
                        float top = prob[0] / sum;
                        for (int k = 0; k < classes; k++) {
                            float v = prob[k] / sum;
                            if (v > top) {
                                top = v;
                                best = k;
                            }
                        }
                        float score = obj * top;
                        if (score >= d.confidenceThreshold()) {
                            pool.add(bx, by, bw, bh, score, best);
                        }
                    }
                }
            }
        }
    }

    private static void v3(YoloDetectionOutput d, int t, Shape s, float[] x, Pool pool) {
        int n = s.dim(0);
        int c = s.dim(1);
        int sh = s.dim(2);
        int sw = s.dim(3);
        int plane = sh * sw;
        int len = d.anchorChannels();
        int classes = d.numClasses();
        int scale = d.anchorsScale().get(t);
        int nw = sw * scale;
        int nh = sh * scale;
        float[] cls = new float[classes];
        for (int b = 0; b < n; b++) {
            for (int cell = 0; cell < plane; cell++) {
                int row = cell / sw;
                int col = cell % sw;
                for (int a = 0; a < d.numBox(); a++) {
                    int base = b * c * plane + a * len * plane + cell;
                    float obj = sigmoid(x[base + 4 * plane]);
                    for (int k = 0; k < classes; k++) {
                        cls[k] = sigmoid(x[base + (5 + k) * plane]);
                    }
                    int m = d.mask().get(t * d.groupSize() + a);
                    for (int k = 0; k < classes; k++) {
                        float score = cls[k] * obj;
                        if (score > d.confidenceThreshold()) {
                            float bx = (col + sigmoid(x[base])) / sw;
                            float by = (row + sigmoid(x[base + plane])) / sh;
                            float bw = (float) (Math.exp(x[base + 2 * plane]) * d.biases().get(2 * m) / nw);
                            float bh = (float) (Math.exp(x[base + 3 * plane]) * d.biases().get(2 * m + 1) / nh);
                            float[] box = correct(bx, by, bw, bh, sw, sh, nw, nh);
                            pool.add(box[0], box[1], box[2], box[3], score, k);
                        }
                    }
                }
            }
        }
    }

    /** The fork's {@code correct_yolo_boxes} (relative): the identity for its integer anchor scales, kept as written. */
    private static float[] correct(float x, float y, float w, float h, int sw, int sh, int netw, int neth) {
        int newW;
        int newH;
        if ((float) netw / sw < (float) neth / sh) {
            newW = netw;
            newH = (sh * netw) / sw;
        } else {
            newH = neth;
            newW = (sw * neth) / sh;
        }
        float cx = (float) ((x - (netw - newW) / 2. / netw) / ((float) newW / netw));
        float cy = (float) ((y - (neth - newH) / 2. / neth) / ((float) newH / neth));
        return new float[] {cx, cy, w * ((float) netw / newW), h * ((float) neth / newH)};
    }
}
