package org.senet4j.engine.ref;

import java.util.ArrayList;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.ArgMax;
import org.senet4j.ir.op.Axpy;
import org.senet4j.ir.op.BatchReindex;
import org.senet4j.ir.op.BatchNorm;
import org.senet4j.ir.op.BatchStatNorm;
import org.senet4j.ir.op.Bias;
import org.senet4j.ir.op.Concat;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.Crop;
import org.senet4j.ir.op.DetectionOutput;
import org.senet4j.ir.op.Custom;
import org.senet4j.ir.op.Deconvolution;
import org.senet4j.ir.op.Dropout;
import org.senet4j.ir.op.Eltwise;
import org.senet4j.ir.op.Embed;
import org.senet4j.ir.op.Flatten;
import org.senet4j.ir.op.Im2col;
import org.senet4j.ir.op.InnerProduct;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.LRN;
import org.senet4j.ir.op.MVN;
import org.senet4j.ir.op.Normalize;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.OpTable;
import org.senet4j.ir.op.Permute;
import org.senet4j.ir.op.PReLU;
import org.senet4j.ir.op.Parameter;
import org.senet4j.ir.op.Pooling;
import org.senet4j.ir.op.Power;
import org.senet4j.ir.op.PriorBox;
import org.senet4j.ir.op.ReLU;
import org.senet4j.ir.op.Reduction;
import org.senet4j.ir.op.Reshape;
import org.senet4j.ir.op.SPP;
import org.senet4j.ir.op.Scale;
import org.senet4j.ir.op.Sigmoid;
import org.senet4j.ir.op.Silence;
import org.senet4j.ir.op.Slice;
import org.senet4j.ir.op.Softmax;
import org.senet4j.ir.op.Split;
import org.senet4j.ir.op.TanH;
import org.senet4j.ir.op.Unary;
import org.senet4j.ir.op.Tile;
import org.senet4j.ir.op.ShuffleChannel;

/**
 * Straightforward Java implementations of every op on row-major float arrays in Caffe's logical order, written from
 * Caffe's formulas (the same float arithmetic where it matters). They define the semantics the fast kernels must
 * reproduce, serve as the CPU engine's fallback for rare shapes, and check the fast kernels in tests.
 */
public final class ReferenceKernels {
    private ReferenceKernels() {
    }

    /** The inputs and outputs of one kernel call. */
    record Call(List<Shape> inShapes, List<float[]> in, List<Shape> outShapes, List<float[]> out) {
        Shape xs() {
            return inShapes.get(0);
        }

        Shape ys() {
            return outShapes.get(0);
        }

        float[] x() {
            return in.get(0);
        }

        float[] y() {
            return out.get(0);
        }
    }

    @FunctionalInterface
    private interface Kernel<T extends Op> {
        void run(T op, Call c);
    }

    private static final OpTable<Call, Void> KERNELS = kernels();

    /** The reference engine's kernel table (every op has a kernel but Input, whose values are fed). */
    public static OpTable<?, ?> table() {
        return KERNELS;
    }

    private static OpTable<Call, Void> kernels() {
        OpTable.Builder<Call, Void> t = OpTable.builder("the reference engine");
        on(t, Convolution.class, (c, k) -> convolution(c, k.xs(), k.x(), k.ys(), k.y()));
        on(t, InnerProduct.class, (ip, k) -> innerProduct(ip, k.xs(), k.x(), k.y()));
        on(t, BatchNorm.class, (bn, k) -> batchNorm(bn, k.xs(), k.x(), k.y()));
        on(t, BatchStatNorm.class, (bs, k) -> batchStatNorm(bs, k.xs(), k.x(), k.y()));
        on(t, Scale.class, (s, k) -> scale(s, k.inShapes(), k.in(), k.y()));
        on(t, Bias.class, (b, k) -> bias(b, k.inShapes(), k.in(), k.y()));
        on(t, ReLU.class, (r, k) -> map(k, v -> Activation.relu(v, r.negativeSlope())));
        on(t, PReLU.class, (p, k) -> prelu(p, k.xs(), k.x(), k.y()));
        on(t, Sigmoid.class, (s, k) -> map(k, Activation::sigmoid));
        on(t, TanH.class, (s, k) -> map(k, v -> (float) Math.tanh(v)));
        on(t, Power.class, (p, k) -> power(p, k.x(), k.y()));
        on(t, Unary.class, (u, k) -> map(k, u::apply));
        on(t, Pooling.class, (p, k) -> pooling(p, k.xs(), k.x(), k.ys(), k.y()));
        on(t, Softmax.class, (s, k) -> softmax(s.axis(), k.xs(), k.x(), k.y()));
        on(t, Axpy.class, (a, k) -> axpy(k.inShapes(), k.in(), k.y()));
        on(t, Eltwise.class, (e, k) -> eltwise(e, k.in(), k.y()));
        on(t, Concat.class, (c, k) -> concat(c.axis(), k.inShapes(), k.in(), k.y()));
        on(t, Slice.class, (s, k) -> slice(s.axis(), k.xs(), k.x(), k.outShapes(), k.out()));
        on(t, Split.class, (s, k) -> k.out().forEach(o -> System.arraycopy(k.x(), 0, o, 0, o.length)));
        on(t, Reshape.class, (r, k) -> copy(k));
        on(t, Flatten.class, (f, k) -> copy(k));
        on(t, Dropout.class, (d, k) -> copy(k));
        on(t, Silence.class, (s, k) -> { });
        on(t, LRN.class, (l, k) -> lrn(l, k.xs(), k.x(), k.y()));
        on(t, MVN.class, (m, k) -> mvn(m, k.xs(), k.x(), k.y()));
        on(t, Deconvolution.class, (dc, k) -> deconvolution(dc, k.xs(), k.x(), k.ys(), k.y()));
        on(t, Crop.class, (cr, k) -> crop(cr, k.xs(), k.x(), k.ys(), k.y()));
        on(t, ArgMax.class, (a, k) -> argMax(a, k.xs(), k.x(), k.y()));
        on(t, Reduction.class, (r, k) -> reduction(r, k.xs(), k.x(), k.y()));
        on(t, Tile.class, (tl, k) -> tile(tl, k.xs(), k.x(), k.y()));
        on(t, Embed.class, (e, k) -> MiscKernels.embed(e, k.x(), k.y()));
        on(t, Parameter.class, (p, k) -> p.value().data().get(k.y()));
        on(t, SPP.class, (s, k) -> MiscKernels.spp(s, k.xs(), k.x(), k.y()));
        on(t, Im2col.class, (i, k) -> MiscKernels.im2col(i, k.xs(), k.x(), k.ys(), k.y()));
        on(t, BatchReindex.class, (r, k) -> MiscKernels.batchReindex(k.xs(), k.x(), k.in().get(1), k.y()));
        on(t, Permute.class, (pm, k) -> DetectionKernels.permute(pm, k.xs(), k.x(), k.ys(), k.y()));
        on(t, Normalize.class, (nz, k) -> DetectionKernels.normalize(nz, k.xs(), k.x(), k.y()));
        on(t, PriorBox.class, (pb, k) -> DetectionKernels.priorBox(pb, k.inShapes(), k.y()));
        on(t, DetectionOutput.class, (d, k) -> DetectionKernels.detectionOutput(d, k.inShapes(), k.in(), k.y()));
        on(t, ShuffleChannel.class, (sc, k) -> sc.apply(k.xs(), k.x(), k.y()));
        on(t, org.senet4j.ir.op.Reorg.class, (r, k) -> r.apply(k.xs(), k.x(), k.y()));
        on(t, org.senet4j.ir.op.YoloDetectionOutput.class, (d, k) -> YoloKernels.detect(d, k.inShapes(), k.in(),
                k.y()));
        on(t, org.senet4j.ir.op.Interp.class, (ip, k) -> ip.apply(k.xs(), k.x(), k.ys(), k.y()));
        on(t, org.senet4j.ir.op.NearestUpsample.class, (u, k) -> u.apply(k.xs(), k.x(), k.y()));
        on(t, org.senet4j.ir.op.MaxUnpool.class, (u, k) -> u.apply(k.xs(), k.x(), k.in().get(1), k.ys(), k.y()));
        on(t, org.senet4j.ir.op.MaxPoolMask.class, (m, k) -> m.apply(k.xs(), k.x(), k.ys(), k.out().get(0),
                k.out().get(1)));
        on(t, org.senet4j.ir.op.RoiPooling.class, (rp, k) -> RcnnKernels.roiPooling(rp, k.xs(), k.x(), k.in().get(1),
                k.ys().dim(0), k.y()));
        on(t, org.senet4j.ir.op.PsRoiPooling.class, (rp, k) -> RcnnKernels.psRoiPooling(rp, k.xs(), k.x(),
                k.in().get(1), k.ys().dim(0), k.y()));
        on(t, org.senet4j.ir.op.Proposal.class, (p, k) -> RcnnKernels.proposal(p, k.xs(), k.x(), k.in().get(1),
                k.in().get(2), k.y(), k.out().size() > 1 ? k.out().get(1) : null));
        on(t, org.senet4j.ir.op.Reverse.class, (r, k) -> r.apply(k.xs(), k.x(), k.y()));
        on(t, org.senet4j.ir.op.ContinuationIndicator.class, (ci, k) ->
                org.senet4j.ir.op.ContinuationIndicator.apply(k.ys(), k.y()));
        on(t, org.senet4j.ir.op.CtcGreedyDecoder.class, (d, k) -> d.apply(k.xs(), k.x(), k.y()));
        on(t, Custom.class, (c, k) -> c.kernel().compute(c.weights(), k.inShapes(), k.in(), k.outShapes(), k.out()));
        on(t, org.senet4j.ir.op.LSTM.class, (l, k) -> RecurrentKernels.run(l, k.inShapes(), k.in(), k.out()));
        on(t, org.senet4j.ir.op.RNN.class, (r, k) -> RecurrentKernels.run(r, k.inShapes(), k.in(), k.out()));
        on(t, org.senet4j.ir.op.LSTMUnit.class, (u, k) -> RecurrentKernels.run(u, k.inShapes(), k.in(), k.out()));
        t.unsupported(Input.class, "an Input's values are fed, not computed");
        return t.build();
    }

    private static <T extends Op> void on(OpTable.Builder<Call, Void> t, Class<T> type, Kernel<T> kernel) {
        t.on(type, (op, c) -> {
            kernel.run(op, c);
            return null;
        });
    }

    private static void map(Call k, FloatUnaryOperator f) {
        float[] x = k.x();
        float[] y = k.y();
        for (int i = 0; i < x.length; i++) {
            y[i] = f.apply(x[i]);
        }
    }

    @FunctionalInterface
    private interface FloatUnaryOperator {
        float apply(float v);
    }

    private static void copy(Call k) {
        System.arraycopy(k.x(), 0, k.y(), 0, k.x().length);
    }

    /**
     * Runs {@code op} on inputs of the given shapes; returns one array per output shape.
     *
     * @throws IllegalArgumentException for an Input, which has no kernel
     */
    public static List<float[]> run(Op op, List<Shape> inShapes, List<float[]> in, List<Shape> outShapes) {
        List<float[]> out = new ArrayList<>();
        for (Shape s : outShapes) {
            out.add(new float[Math.toIntExact(s.count())]);
        }
        try {
            KERNELS.handle(op, new Call(inShapes, in, outShapes, out));
        } catch (ModelException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return out;
    }

    static void convolution(Convolution c, Shape in, float[] x, Shape out, float[] y) {
        int n = in.dim(0);
        int ci = in.dim(1);
        int h = in.dim(2);
        int w = in.dim(3);
        int co = out.dim(1);
        int oh = out.dim(2);
        int ow = out.dim(3);
        int g = c.group();
        int cig = ci / g;
        int cog = co / g;
        int kh = c.kernelH();
        int kw = c.kernelW();
        float[] wt = c.weight().toArray();
        float[] b = c.bias() == null ? null : c.bias().toArray();
        for (int b0 = 0; b0 < n; b0++) {
            for (int o = 0; o < co; o++) {
                int grp = o / cog;
                for (int yy = 0; yy < oh; yy++) {
                    for (int xx = 0; xx < ow; xx++) {
                        double acc = 0;
                        for (int i = 0; i < cig; i++) {
                            int chan = grp * cig + i;
                            for (int u = 0; u < kh; u++) {
                                int iy = yy * c.strideH() - c.padH() + u * c.dilationH();
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int v = 0; v < kw; v++) {
                                    int ix = xx * c.strideW() - c.padW() + v * c.dilationW();
                                    if (ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    acc += (double) x[((b0 * ci + chan) * h + iy) * w + ix]
                                            * wt[((o * cig + i) * kh + u) * kw + v];
                                }
                            }
                        }
                        float v = (float) acc + (b == null ? 0f : b[o]);
                        y[((b0 * co + o) * oh + yy) * ow + xx] = c.activation().apply(v);
                    }
                }
            }
        }
    }

    /**
     * Caffe's Deconvolution (its col2im of weight^T x): every input value scatters into the output; each output
     * value is accumulated in double over its contributions, then the bias is added.
     */
    static void deconvolution(Deconvolution d, Shape in, float[] x, Shape out, float[] y) {
        int n = in.dim(0);
        int ci = in.dim(1);
        int h = in.dim(2);
        int w = in.dim(3);
        int co = out.dim(1);
        int oh = out.dim(2);
        int ow = out.dim(3);
        int g = d.group();
        int cig = ci / g;
        int cog = co / g;
        int kh = d.kernelH();
        int kw = d.kernelW();
        float[] wt = d.weight().toArray();
        float[] b = d.bias() == null ? null : d.bias().toArray();
        double[] acc = new double[oh * ow];
        for (int b0 = 0; b0 < n; b0++) {
            for (int o = 0; o < co; o++) {
                int grp = o / cog;
                int oc = o % cog;
                java.util.Arrays.fill(acc, 0);
                for (int i = 0; i < cig; i++) {
                    int chan = grp * cig + i;
                    int xBase = (b0 * ci + chan) * h * w;
                    int wBase = (chan * cog + oc) * kh * kw;
                    for (int iy = 0; iy < h; iy++) {
                        for (int ix = 0; ix < w; ix++) {
                            double v = x[xBase + iy * w + ix];
                            for (int u = 0; u < kh; u++) {
                                int oy = iy * d.strideH() - d.padH() + u * d.dilationH();
                                if (oy < 0 || oy >= oh) {
                                    continue;
                                }
                                for (int t = 0; t < kw; t++) {
                                    int ox = ix * d.strideW() - d.padW() + t * d.dilationW();
                                    if (ox >= 0 && ox < ow) {
                                        acc[oy * ow + ox] += v * wt[wBase + u * kw + t];
                                    }
                                }
                            }
                        }
                    }
                }
                int yBase = (b0 * co + o) * oh * ow;
                for (int k = 0; k < oh * ow; k++) {
                    y[yBase + k] = (float) acc[k] + (b == null ? 0f : b[o]);
                }
            }
        }
    }

    /** Caffe's Crop: the output's every row (last axis) copied from the input at the offsets. */
    static void crop(Crop c, Shape in, float[] x, Shape out, float[] y) {
        int rank = in.rank();
        int[] start = c.starts(rank);
        int row = rank == 0 ? 1 : out.dim(rank - 1);
        long rows = out.count() / Math.max(row, 1);
        int[] idx = new int[rank];
        for (long r = 0; r < rows && row > 0; r++) {
            long rem = r;
            for (int a = rank - 2; a >= 0; a--) {
                idx[a] = (int) (rem % out.dim(a));
                rem /= out.dim(a);
            }
            long src = 0;
            for (int a = 0; a < rank - 1; a++) {
                src = src * in.dim(a) + idx[a] + start[a];
            }
            src = src * in.dim(rank - 1) + start[rank - 1];
            System.arraycopy(x, (int) src, y, (int) (r * row), row);
        }
    }

    static void innerProduct(InnerProduct ip, Shape in, float[] x, float[] y) {
        int m = Math.toIntExact(in.count(0, ip.axis()));
        int k = ip.inputSize();
        int n = ip.numOutput();
        float[] w = ip.weight().toArray();
        float[] b = ip.bias() == null ? null : ip.bias().toArray();
        for (int r = 0; r < m; r++) {
            for (int o = 0; o < n; o++) {
                double acc = 0;
                for (int i = 0; i < k; i++) {
                    acc += (double) x[r * k + i] * (ip.transpose() ? w[i * n + o] : w[o * k + i]);
                }
                y[r * n + o] = ip.activation().apply((float) acc + (b == null ? 0f : b[o]));
            }
        }
    }

    static void batchNorm(BatchNorm bn, Shape in, float[] x, float[] y) {
        int n = in.dim(0);
        int c = in.rank() > 1 ? in.dim(1) : 1;
        int inner = Math.toIntExact(in.count(Math.min(2, in.rank()), in.rank()));
        float m = bn.statisticsMultiplier();
        for (int ch = 0; ch < c; ch++) {
            float mean = bn.mean().get(ch) * m;
            float sd = (float) Math.sqrt(bn.variance().get(ch) * m + bn.eps());
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * inner;
                for (int i = 0; i < inner; i++) {
                    y[base + i] = (x[base + i] - mean) / sd;
                }
            }
        }
    }

    /** Caffe's BatchNorm on batch statistics: mean and biased variance per channel over the batch and the plane. */
    static void batchStatNorm(BatchStatNorm bs, Shape in, float[] x, float[] y) {
        int n = in.dim(0);
        int c = in.rank() > 1 ? in.dim(1) : 1;
        int inner = Math.toIntExact(in.count(Math.min(2, in.rank()), in.rank()));
        double count = (double) n * inner;
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * inner;
                for (int i = 0; i < inner; i++) {
                    sum += x[base + i];
                }
            }
            float mean = (float) (sum / count);
            double squares = 0;
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * inner;
                for (int i = 0; i < inner; i++) {
                    float d = x[base + i] - mean;
                    squares += d * d;
                }
            }
            float sd = (float) Math.sqrt((float) (squares / count) + bs.eps());
            for (int b = 0; b < n; b++) {
                int base = (b * c + ch) * inner;
                for (int i = 0; i < inner; i++) {
                    y[base + i] = (x[base + i] - mean) / sd;
                }
            }
        }
    }

    static void scale(Scale s, List<Shape> shapes, List<float[]> in, float[] y) {
        Shape xs = shapes.get(0);
        float[] x = in.get(0);
        float[] f;
        int dims;
        if (s.twoInputs()) {
            f = in.get(1);
            dims = shapes.get(1).rank();
        } else {
            f = s.scale().toArray();
            dims = s.scale().shape().rank();
        }
        float[] b = s.bias() == null ? null : s.bias().toArray();
        broadcast(xs, s.axis(), dims, x, y, f, b);
    }

    static void bias(Bias bi, List<Shape> shapes, List<float[]> in, float[] y) {
        float[] b;
        int dims;
        if (bi.twoInputs()) {
            b = in.get(1);
            dims = shapes.get(1).rank();
        } else {
            b = bi.bias().toArray();
            dims = bi.bias().shape().rank();
        }
        broadcast(shapes.get(0), bi.axis(), dims, in.get(0), y, null, b);
    }

    /** {@code y = x * f[d] + b[d]} with {@code d} the index over axes {@code [axis, axis + dims)}. */
    private static void broadcast(Shape xs, int axis, int dims, float[] x, float[] y, float[] f, float[] b) {
        int outer = Math.toIntExact(xs.count(0, axis));
        int mid = Math.toIntExact(xs.count(axis, axis + dims));
        int inner = Math.toIntExact(xs.count(axis + dims, xs.rank()));
        for (int o = 0; o < outer; o++) {
            for (int d = 0; d < mid; d++) {
                float fv = f == null ? 1f : f[f.length == 1 ? 0 : d];
                float bv = b == null ? 0f : b[b.length == 1 ? 0 : d];
                int base = (o * mid + d) * inner;
                for (int i = 0; i < inner; i++) {
                    y[base + i] = f == null ? x[base + i] + bv : b == null ? x[base + i] * fv : x[base + i] * fv + bv;
                }
            }
        }
    }

    static void prelu(PReLU p, Shape in, float[] x, float[] y) {
        int c = in.dim(1);
        int inner = Math.toIntExact(in.count(2, in.rank()));
        float[] slope = p.slope().toArray();
        for (int i = 0; i < x.length; i++) {
            float a = p.channelShared() ? slope[0] : slope[(i / inner) % c];
            y[i] = Math.max(x[i], 0f) + a * Math.min(x[i], 0f);
        }
    }

    static void power(Power p, float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            float v = p.scale() * x[i] + p.shift();
            y[i] = p.power() == 1f ? v : (float) Math.pow(v, p.power());
        }
    }

    static void pooling(Pooling p, Shape in, float[] x, Shape out, float[] y) {
        int n = in.dim(0);
        int c = in.dim(1);
        int h = in.dim(2);
        int w = in.dim(3);
        int oh = out.dim(2);
        int ow = out.dim(3);
        int[] k = p.kernel(h, w);
        int sh = p.strideH();
        int sw = p.strideW();
        int ph = p.padH();
        int pw = p.padW();
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int plane = (b * c + ch) * h * w;
                int oplane = (b * c + ch) * oh * ow;
                for (int yy = 0; yy < oh; yy++) {
                    for (int xx = 0; xx < ow; xx++) {
                        int hs = yy * sh - ph;
                        int ws = xx * sw - pw;
                        float v;
                        if (p.method() == Pooling.Method.MAX) {
                            int he = Math.min(hs + k[0], h);
                            int we = Math.min(ws + k[1], w);
                            v = -Float.MAX_VALUE;
                            for (int i = Math.max(hs, 0); i < he; i++) {
                                for (int j = Math.max(ws, 0); j < we; j++) {
                                    v = Math.max(v, x[plane + i * w + j]);
                                }
                            }
                        } else if (p.method() == Pooling.Method.STOCHASTIC) {
                            v = stochasticWindow(x, plane, w, yy * sh, Math.min(yy * sh + k[0], h), xx * sw,
                                    Math.min(xx * sw + k[1], w));
                        } else {
                            int he = Math.min(hs + k[0], h + ph);
                            int we = Math.min(ws + k[1], w + pw);
                            int size = (he - hs) * (we - ws);
                            float sum = 0;
                            for (int i = Math.max(hs, 0); i < Math.min(he, h); i++) {
                                for (int j = Math.max(ws, 0); j < Math.min(we, w); j++) {
                                    sum += x[plane + i * w + j];
                                }
                            }
                            v = sum / size;
                        }
                        y[oplane + yy * ow + xx] = v;
                    }
                }
            }
        }
    }

    /** Caffe's test-time stochastic pooling of one window: {@code sum(x^2) / sum(x)}, 0 when the sum is not positive. */
    private static float stochasticWindow(float[] x, int plane, int w, int hs, int he, int ws, int we) {
        float sum = 0;
        float squares = 0;
        for (int i = hs; i < he; i++) {
            for (int j = ws; j < we; j++) {
                float v = x[plane + i * w + j];
                sum += v;
                squares += v * v;
            }
        }
        return sum > 0 ? squares / sum : 0f;
    }

    static void softmax(int axis, Shape in, float[] x, float[] y) {
        int outer = Math.toIntExact(in.count(0, axis));
        int dim = in.dim(axis);
        int inner = Math.toIntExact(in.count(axis + 1, in.rank()));
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * dim * inner + i;
                float max = Float.NEGATIVE_INFINITY;
                for (int d = 0; d < dim; d++) {
                    max = Math.max(max, x[base + d * inner]);
                }
                float sum = 0;
                for (int d = 0; d < dim; d++) {
                    float e = (float) Math.exp(x[base + d * inner] - max);
                    y[base + d * inner] = e;
                    sum += e;
                }
                for (int d = 0; d < dim; d++) {
                    y[base + d * inner] /= sum;
                }
            }
        }
    }

    static void axpy(List<Shape> shapes, List<float[]> in, float[] y) {
        Shape xs = shapes.get(1);
        float[] a = in.get(0);
        float[] x = in.get(1);
        float[] yy = in.get(2);
        int nc = xs.dim(0) * xs.dim(1);
        int inner = Math.toIntExact(xs.count(2, xs.rank()));
        for (int i = 0; i < nc; i++) {
            float s = a[i];
            for (int j = 0; j < inner; j++) {
                y[i * inner + j] = s * x[i * inner + j] + yy[i * inner + j];
            }
        }
    }

    static void eltwise(Eltwise e, List<float[]> in, float[] y) {
        int n = y.length;
        switch (e.operation()) {
            case SUM -> {
                for (int i = 0; i < n; i++) {
                    float s = 0;
                    for (int k = 0; k < in.size(); k++) {
                        s += e.coefficient(k) * in.get(k)[i];
                    }
                    y[i] = s;
                }
            }
            case PROD -> {
                for (int i = 0; i < n; i++) {
                    float s = in.get(0)[i];
                    for (int k = 1; k < in.size(); k++) {
                        s *= in.get(k)[i];
                    }
                    y[i] = s;
                }
            }
            case MAX -> {
                for (int i = 0; i < n; i++) {
                    float s = in.get(0)[i];
                    for (int k = 1; k < in.size(); k++) {
                        s = Math.max(s, in.get(k)[i]);
                    }
                    y[i] = s;
                }
            }
        }
    }

    static void concat(int axis, List<Shape> shapes, List<float[]> in, float[] y) {
        int outer = Math.toIntExact(shapes.get(0).count(0, axis));
        int inner = Math.toIntExact(shapes.get(0).count(axis + 1, shapes.get(0).rank()));
        int total = 0;
        for (Shape s : shapes) {
            total += s.dim(axis);
        }
        int offset = 0;
        for (int k = 0; k < in.size(); k++) {
            int d = shapes.get(k).dim(axis);
            for (int o = 0; o < outer; o++) {
                System.arraycopy(in.get(k), o * d * inner, y, (o * total + offset) * inner, d * inner);
            }
            offset += d;
        }
    }

    static void slice(int axis, Shape in, float[] x, List<Shape> outShapes, List<float[]> out) {
        int outer = Math.toIntExact(in.count(0, axis));
        int inner = Math.toIntExact(in.count(axis + 1, in.rank()));
        int total = in.dim(axis);
        int offset = 0;
        for (int k = 0; k < out.size(); k++) {
            int d = outShapes.get(k).dim(axis);
            for (int o = 0; o < outer; o++) {
                System.arraycopy(x, (o * total + offset) * inner, out.get(k), o * d * inner, d * inner);
            }
            offset += d;
        }
    }

    static void lrn(LRN l, Shape in, float[] x, float[] y) {
        int n = in.dim(0);
        int c = in.dim(1);
        int h = in.dim(2);
        int w = in.dim(3);
        int hw = h * w;
        int size = l.localSize();
        int pre = (size - 1) / 2;
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) {
                    float scale;
                    if (l.region() == LRN.Region.ACROSS_CHANNELS) {
                        float sum = 0;
                        for (int j = ch - pre; j < ch - pre + size; j++) {
                            if (j >= 0 && j < c) {
                                float v = x[(b * c + j) * hw + p];
                                sum += v * v;
                            }
                        }
                        scale = l.k() + l.alpha() / size * sum;
                    } else {
                        int yy = p / w;
                        int xx = p % w;
                        float sum = 0;
                        for (int i = yy - pre; i < yy - pre + size; i++) {
                            for (int j = xx - pre; j < xx - pre + size; j++) {
                                if (i >= 0 && i < h && j >= 0 && j < w) {
                                    float v = x[(b * c + ch) * hw + i * w + j];
                                    sum += v * v;
                                }
                            }
                        }
                        scale = 1f + l.alpha() * (sum / (size * size));
                    }
                    int idx = (b * c + ch) * hw + p;
                    y[idx] = x[idx] * (float) Math.pow(scale, -l.beta());
                }
            }
        }
    }

    static void mvn(MVN m, Shape in, float[] x, float[] y) {
        int groups = Math.toIntExact(m.acrossChannels() ? in.dim(0) : in.count(0, 2));
        int dim = x.length / groups;
        for (int g = 0; g < groups; g++) {
            int base = g * dim;
            double mean = 0;
            for (int i = 0; i < dim; i++) {
                mean += x[base + i];
            }
            mean /= dim;
            double var = 0;
            for (int i = 0; i < dim; i++) {
                double d = x[base + i] - mean;
                var += d * d;
            }
            var /= dim;
            double div = m.normalizeVariance() ? Math.sqrt(var) + m.eps() : 1;
            for (int i = 0; i < dim; i++) {
                y[base + i] = (float) ((x[base + i] - mean) / div);
            }
        }
    }

    /**
     * Caffe's ArgMax: for each vector (along the axis, or each whole item), the (value, index) pairs in descending
     * order, of equal values the larger index first, as {@code std::partial_sort} with {@code std::greater} orders
     * them. Compares with {@code <}/{@code >} as C++ does ({@code -0.0} equals {@code 0.0}).
     */
    static void argMax(ArgMax a, Shape in, float[] x, float[] y) {
        int dim;
        int stride;
        if (a.hasAxis()) {
            dim = in.dim(a.axis());
            stride = Math.toIntExact(in.count(a.axis() + 1, in.rank()));
        } else {
            dim = Math.toIntExact(in.count(1, in.rank()));
            stride = 1;
        }
        int num = x.length / dim;
        int k = a.topK();
        float[] v = new float[dim];
        Integer[] order = new Integer[dim];
        for (int i = 0; i < num; i++) {
            int outer = i / stride;
            int inner = i % stride;
            for (int j = 0; j < dim; j++) {
                v[j] = x[(outer * dim + j) * stride + inner];
                order[j] = j;
            }
            java.util.Arrays.sort(order, (p, q) -> v[p] > v[q] ? -1 : v[p] < v[q] ? 1 : Integer.compare(q, p));
            for (int j = 0; j < k; j++) {
                int idx = order[j];
                if (!a.hasAxis()) {
                    y[(a.outMaxVal() ? 2 : 1) * i * k + j] = idx;
                    if (a.outMaxVal()) {
                        y[2 * i * k + k + j] = v[idx];
                    }
                } else {
                    y[(outer * k + j) * stride + inner] = a.outMaxVal() ? v[idx] : idx;
                }
            }
        }
    }

    /** Caffe's Reduction: each sum over the trailing axes (accumulated in double), times the op's factor. */
    static void reduction(Reduction r, Shape in, float[] x, float[] y) {
        int dim = Math.toIntExact(in.count(r.axis(), in.rank()));
        float factor = r.factor(dim);
        for (int i = 0; i < y.length; i++) {
            double acc = 0;
            for (int j = i * dim, end = j + dim; j < end; j++) {
                float v = x[j];
                acc += switch (r.operation()) {
                    case SUM, MEAN -> v;
                    case ASUM -> Math.abs(v);
                    case SUMSQ -> (double) v * v;
                };
            }
            y[i] = factor == 1f ? (float) acc : (float) acc * factor;
        }
    }

    /** Caffe's Tile: the block from the axis on, copied {@code tiles} times for each position before it. */
    static void tile(Tile t, Shape in, float[] x, float[] y) {
        int inner = Math.toIntExact(in.count(t.axis(), in.rank()));
        int outer = inner == 0 ? 0 : x.length / inner;
        int o = 0;
        for (int i = 0; i < outer; i++) {
            for (int k = 0; k < t.tiles(); k++) {
                System.arraycopy(x, i * inner, y, o, inner);
                o += inner;
            }
        }
    }
}
