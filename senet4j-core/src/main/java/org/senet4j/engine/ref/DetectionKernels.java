package org.senet4j.engine.ref;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.DetectionOutput;
import org.senet4j.ir.op.Normalize;
import org.senet4j.ir.op.Permute;
import org.senet4j.ir.op.PriorBox;

/**
 * The SSD fork's layers (Permute, Normalize, PriorBox, DetectionOutput) in its own arithmetic, written from its
 * sources ({@code permute_layer.cpp}, {@code normalize_layer.cpp}, {@code prior_box_layer.cpp},
 * {@code detection_output_layer.cpp}, {@code bbox_util.cpp}): float where the fork computes in float, double where it
 * promotes, its comparisons ({@code >} for the confidence threshold, {@code <=} for the NMS overlap), its stable sort
 * of candidates and its unstable {@code std::sort} for {@code keep_top_k} ({@link StdSort}).
 */
final class DetectionKernels {
    private DetectionKernels() {
    }

    static void permute(Permute p, Shape in, float[] x, Shape out, float[] y) {
        int rank = in.rank();
        long[] oldSteps = new long[rank];
        long[] newSteps = new long[rank];
        for (int i = 0; i < rank; i++) {
            oldSteps[i] = in.count(i + 1, rank);
            newSteps[i] = out.count(i + 1, rank);
        }
        for (int i = 0; i < y.length; i++) {
            long old = 0;
            long idx = i;
            for (int j = 0; j < rank; j++) {
                old += (idx / newSteps[j]) * oldSteps[p.order().get(j)];
                idx %= newSteps[j];
            }
            y[i] = x[(int) old];
        }
    }

    static void normalize(Normalize nz, Shape in, float[] x, float[] y) {
        int num = in.dim(0);
        int channels = in.dim(1);
        int spatial = Math.toIntExact(in.count(2, in.rank()));
        int dim = channels * spatial;
        float[] scale = nz.scale().toArray();
        for (int n = 0; n < num; n++) {
            int base = n * dim;
            if (nz.acrossSpatial()) {
                double sum = 0;
                for (int i = 0; i < dim; i++) {
                    float v = x[base + i];
                    sum += v * v;
                }
                float norm = (float) Math.sqrt((float) sum + nz.eps());
                float inv = (float) (1.0 / norm);
                for (int i = 0; i < dim; i++) {
                    y[base + i] = x[base + i] * inv;
                }
            } else {
                for (int p = 0; p < spatial; p++) {
                    double sum = 0;
                    for (int c = 0; c < channels; c++) {
                        float v = x[base + c * spatial + p];
                        sum += v * v;
                    }
                    float norm = (float) Math.sqrt(nz.eps() + (float) sum);
                    for (int c = 0; c < channels; c++) {
                        y[base + c * spatial + p] = x[base + c * spatial + p] / norm;
                    }
                }
            }
            for (int c = 0; c < channels; c++) {
                float s = scale[nz.channelShared() ? 0 : c];
                for (int p = 0; p < spatial; p++) {
                    y[base + c * spatial + p] *= s;
                }
            }
        }
    }

    static void priorBox(PriorBox pb, List<Shape> inShapes, float[] y) {
        float[] v = pb.priors(inShapes.get(0), inShapes.size() > 1 ? inShapes.get(1) : null);
        System.arraycopy(v, 0, y, 0, v.length);
    }

    /** Decoded boxes of one location class: corners and the size the fork stores with them. */
    private record Boxes(float[] xmin, float[] ymin, float[] xmax, float[] ymax, float[] size) {
        static Boxes of(int n) {
            return new Boxes(new float[n], new float[n], new float[n], new float[n], new float[n]);
        }

        void set(int i, float x0, float y0, float x1, float y1) {
            xmin[i] = x0;
            ymin[i] = y0;
            xmax[i] = x1;
            ymax[i] = y1;
            size[i] = x1 < x0 || y1 < y0 ? 0f : (x1 - x0) * (y1 - y0);
        }

        /** The fork's JaccardOverlap(bbox1 = a, bbox2 = b), normalised. */
        float overlap(int a, int b) {
            if (xmin[b] > xmax[a] || xmax[b] < xmin[a] || ymin[b] > ymax[a] || ymax[b] < ymin[a]) {
                return 0f;
            }
            float w = Math.min(xmax[a], xmax[b]) - Math.max(xmin[a], xmin[b]);
            float h = Math.min(ymax[a], ymax[b]) - Math.max(ymin[a], ymin[b]);
            if (w > 0 && h > 0) {
                float inter = w * h;
                return inter / (size[a] + size[b] - inter);
            }
            return 0f;
        }
    }

    static void detectionOutput(DetectionOutput d, List<Shape> inShapes, List<float[]> in, float[] y) {
        float[] loc = in.get(0);
        float[] conf = in.get(1);
        float[] prior = in.get(2);
        int num = inShapes.get(0).dim(0);
        int p = DetectionOutput.priorCount(inShapes.get(2));
        int locClasses = d.locClasses();
        int classes = d.numClasses();
        int bg = d.backgroundLabelId();

        List<Map<Integer, List<Integer>>> allIndices = new ArrayList<>();
        List<Map<Integer, Boxes>> allBoxes = new ArrayList<>();
        int kept = 0;
        for (int i = 0; i < num; i++) {
            Map<Integer, Boxes> decoded = new TreeMap<>();
            for (int c = 0; c < locClasses; c++) {
                int label = d.shareLocation() ? -1 : c;
                if (label == bg) {
                    continue;
                }
                decoded.put(label, decode(d, prior, p, loc, (long) i * p * locClasses * 4, c, locClasses));
            }
            allBoxes.add(decoded);
            Map<Integer, List<Integer>> indices = new TreeMap<>();
            int numDet = 0;
            for (int c = 0; c < classes; c++) {
                if (c == bg) {
                    continue;
                }
                Boxes boxes = decoded.get(d.shareLocation() ? -1 : c);
                List<Integer> keptIdx = nms(d, boxes, conf, (long) i * p * classes, c, classes, p);
                indices.put(c, keptIdx);
                numDet += keptIdx.size();
            }
            if (d.keepTopK() > -1 && numDet > d.keepTopK()) {
                int n = 0;
                float[] score = new float[numDet];
                int[] label = new int[numDet];
                int[] index = new int[numDet];
                for (Map.Entry<Integer, List<Integer>> e : indices.entrySet()) {
                    for (int idx : e.getValue()) {
                        score[n] = conf[(int) ((long) i * p * classes + (long) idx * classes + e.getKey())];
                        label[n] = e.getKey();
                        index[n] = idx;
                        n++;
                    }
                }
                int[] order = new int[numDet];
                for (int k = 0; k < numDet; k++) {
                    order[k] = k;
                }
                StdSort.sort(order, (a, b) -> score[a] > score[b]);
                Map<Integer, List<Integer>> chosen = new TreeMap<>();
                for (int k = 0; k < d.keepTopK(); k++) {
                    chosen.computeIfAbsent(label[order[k]], key -> new ArrayList<>()).add(index[order[k]]);
                }
                allIndices.add(chosen);
                kept += d.keepTopK();
            } else {
                allIndices.add(indices);
                kept += numDet;
            }
        }
        Arrays.fill(y, -1f);
        if (kept == 0) {
            for (int i = 0; i < num; i++) {
                y[i * 7] = i;
            }
            return;
        }
        int row = 0;
        for (int i = 0; i < num; i++) {
            for (Map.Entry<Integer, List<Integer>> e : allIndices.get(i).entrySet()) {
                int label = e.getKey();
                Boxes boxes = allBoxes.get(i).get(d.shareLocation() ? -1 : label);
                for (int idx : e.getValue()) {
                    int o = row * 7;
                    y[o] = i;
                    y[o + 1] = label;
                    y[o + 2] = conf[(int) ((long) i * p * classes + (long) idx * classes + label)];
                    y[o + 3] = boxes.xmin[idx];
                    y[o + 4] = boxes.ymin[idx];
                    y[o + 5] = boxes.xmax[idx];
                    y[o + 6] = boxes.ymax[idx];
                    row++;
                }
            }
        }
    }

    /** The fork's DecodeBBox of every prior for location class {@code c} of one image (clip_bbox false). */
    private static Boxes decode(DetectionOutput d, float[] prior, int p, float[] loc, long base, int c, int locClasses) {
        Boxes out = Boxes.of(p);
        boolean vet = d.varianceEncodedInTarget();
        for (int k = 0; k < p; k++) {
            float px0 = prior[k * 4];
            float py0 = prior[k * 4 + 1];
            float px1 = prior[k * 4 + 2];
            float py1 = prior[k * 4 + 3];
            int vo = (p + k) * 4;
            float v0 = prior[vo];
            float v1 = prior[vo + 1];
            float v2 = prior[vo + 2];
            float v3 = prior[vo + 3];
            int lo = (int) (base + (long) k * locClasses * 4 + c * 4L);
            float lx0 = loc[lo];
            float ly0 = loc[lo + 1];
            float lx1 = loc[lo + 2];
            float ly1 = loc[lo + 3];
            switch (d.codeType()) {
                case CORNER -> {
                    if (vet) {
                        out.set(k, px0 + lx0, py0 + ly0, px1 + lx1, py1 + ly1);
                    } else {
                        out.set(k, px0 + v0 * lx0, py0 + v1 * ly0, px1 + v2 * lx1, py1 + v3 * ly1);
                    }
                }
                case CENTER_SIZE -> {
                    float pw = px1 - px0;
                    float ph = py1 - py0;
                    checkPrior(k, pw, ph);
                    float pcx = (float) ((px0 + px1) / 2.);
                    float pcy = (float) ((py0 + py1) / 2.);
                    float cx;
                    float cy;
                    float w;
                    float h;
                    if (vet) {
                        cx = lx0 * pw + pcx;
                        cy = ly0 * ph + pcy;
                        w = (float) Math.exp(lx1) * pw;
                        h = (float) Math.exp(ly1) * ph;
                    } else {
                        cx = v0 * lx0 * pw + pcx;
                        cy = v1 * ly0 * ph + pcy;
                        w = (float) Math.exp(v2 * lx1) * pw;
                        h = (float) Math.exp(v3 * ly1) * ph;
                    }
                    out.set(k, (float) (cx - w / 2.), (float) (cy - h / 2.), (float) (cx + w / 2.),
                            (float) (cy + h / 2.));
                }
                case CORNER_SIZE -> {
                    float pw = px1 - px0;
                    float ph = py1 - py0;
                    checkPrior(k, pw, ph);
                    if (vet) {
                        out.set(k, px0 + lx0 * pw, py0 + ly0 * ph, px1 + lx1 * pw, py1 + ly1 * ph);
                    } else {
                        out.set(k, px0 + v0 * lx0 * pw, py0 + v1 * ly0 * ph, px1 + v2 * lx1 * pw,
                                py1 + v3 * ly1 * ph);
                    }
                }
            }
        }
        return out;
    }

    private static void checkPrior(int k, float w, float h) {
        if (!(w > 0) || !(h > 0)) {
            throw new IllegalArgumentException("prior " + k + " is " + w + " wide and " + h + " high; decoding "
                    + "needs a positive size (the fork aborts: CHECK_GT(prior_width, 0))");
        }
    }

    /** The fork's ApplyNMSFast for class {@code c}: candidates above the threshold, best topK first, greedy NMS. */
    private static List<Integer> nms(DetectionOutput d, Boxes boxes, float[] conf, long base, int c, int classes,
                                     int p) {
        List<Integer> candidates = new ArrayList<>();
        float[] score = new float[p];
        for (int k = 0; k < p; k++) {
            score[k] = conf[(int) (base + (long) k * classes + c)];
            if (score[k] > d.confidenceThreshold()) {
                candidates.add(k);
            }
        }
        // std::stable_sort by descending score
        candidates.sort((a, b) -> score[a] > score[b] ? -1 : score[a] < score[b] ? 1 : 0);
        if (d.topK() > -1 && d.topK() < candidates.size()) {
            candidates = candidates.subList(0, d.topK());
        }
        float threshold = d.nmsThreshold();
        List<Integer> kept = new ArrayList<>();
        for (int idx : candidates) {
            boolean keep = true;
            for (int k : kept) {
                if (!(boxes.overlap(idx, k) <= threshold)) {
                    keep = false;
                    break;
                }
            }
            if (keep) {
                kept.add(idx);
                if (d.eta() < 1 && threshold > 0.5) {
                    threshold *= d.eta();
                }
            }
        }
        return kept;
    }
}
