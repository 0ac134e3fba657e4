package org.senet4j.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.Axpy;
import org.senet4j.ir.op.BatchNorm;
import org.senet4j.ir.op.Bias;
import org.senet4j.ir.op.Concat;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.Dropout;
import org.senet4j.ir.op.Eltwise;
import org.senet4j.ir.op.Flatten;
import org.senet4j.ir.op.InnerProduct;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.PReLU;
import org.senet4j.ir.op.Pooling;
import org.senet4j.ir.op.Power;
import org.senet4j.ir.op.ReLU;
import org.senet4j.ir.op.Reshape;
import org.senet4j.ir.op.Scale;
import org.senet4j.ir.op.Sigmoid;
import org.senet4j.ir.op.Silence;
import org.senet4j.ir.op.Slice;
import org.senet4j.ir.op.Softmax;
import org.senet4j.ir.op.Split;
import org.senet4j.ir.op.TanH;

/**
 * A plain-loop forward pass of a graph with Caffe's definitions, written from Caffe's layer code and independent of
 * the exporter: the oracle of the ONNX tests. Float storage, double accumulation.
 */
final class CaffeReference {
    private CaffeReference() {
    }

    /** Every value of the graph for these inputs (by value name). */
    static Map<String, float[]> run(Graph g, Map<String, float[]> inputs) {
        Map<String, float[]> v = new HashMap<>(inputs);
        for (Node n : g.nodes()) {
            if (n.op() instanceof Input) {
                continue;
            }
            List<float[]> in = new ArrayList<>();
            for (String i : n.inputs()) {
                in.add(v.get(i));
            }
            List<float[]> out = forward(n.op(), in, g.inputShapes(n), g.outputShapes(n));
            for (int i = 0; i < out.size(); i++) {
                v.put(n.outputs().get(i), out.get(i));
            }
        }
        return v;
    }

    private static List<float[]> forward(Op op, List<float[]> in, List<Shape> inS, List<Shape> outS) {
        float[] x = in.isEmpty() ? null : in.get(0);
        Shape xs = inS.isEmpty() ? null : inS.get(0);
        if (op instanceof Convolution c) {
            return List.of(conv(c, x, xs, outS.get(0)));
        } else if (op instanceof InnerProduct ip) {
            return List.of(innerProduct(ip, x, xs));
        } else if (op instanceof BatchNorm bn) {
            return List.of(batchNorm(bn, x, xs));
        } else if (op instanceof Scale sc) {
            return List.of(scale(sc, in, inS));
        } else if (op instanceof Bias bi) {
            return List.of(bias(bi, in, inS));
        } else if (op instanceof ReLU r) {
            float[] y = new float[x.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = Math.max(x[i], 0f) + r.negativeSlope() * Math.min(x[i], 0f);
            }
            return List.of(y);
        } else if (op instanceof PReLU p) {
            return List.of(prelu(p, x, xs));
        } else if (op instanceof Sigmoid) {
            float[] y = new float[x.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
            }
            return List.of(y);
        } else if (op instanceof TanH) {
            float[] y = new float[x.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) Math.tanh(x[i]);
            }
            return List.of(y);
        } else if (op instanceof Softmax s) {
            return List.of(softmax(s.axis(), x, xs));
        } else if (op instanceof Pooling p) {
            return List.of(pool(p, x, xs, outS.get(0)));
        } else if (op instanceof Axpy) {
            return List.of(axpy(in, inS));
        } else if (op instanceof Eltwise e) {
            return List.of(eltwise(e, in));
        } else if (op instanceof Concat c) {
            return List.of(concat(c.axis(), in, inS, outS.get(0)));
        } else if (op instanceof Slice s) {
            return slice(s.axis(), x, xs, outS);
        } else if (op instanceof Split) {
            List<float[]> out = new ArrayList<>();
            for (int i = 0; i < outS.size(); i++) {
                out.add(x.clone());
            }
            return out;
        } else if (op instanceof Dropout || op instanceof Reshape || op instanceof Flatten) {
            return List.of(x.clone());
        } else if (op instanceof Power p) {
            return List.of(power(p, x));
        } else if (op instanceof Silence) {
            return List.of();
        }
        throw new IllegalArgumentException("no reference for " + op.opName());
    }

    private static float act(Activation a, double v) {
        return a.apply((float) v);
    }

    /** Caffe's im2col convolution written as direct loops. */
    static float[] conv(Convolution c, float[] x, Shape xs, Shape ys) {
        int n = xs.dim(0);
        int ch = xs.dim(1);
        int h = xs.dim(2);
        int w = xs.dim(3);
        int oc = ys.dim(1);
        int oh = ys.dim(2);
        int ow = ys.dim(3);
        int cg = ch / c.group();
        int og = oc / c.group();
        int kh = c.kernelH();
        int kw = c.kernelW();
        float[] wt = c.weight().toArray();
        float[] bias = c.hasBias() ? c.bias().toArray() : null;
        float[] y = new float[n * oc * oh * ow];
        double[] acc = new double[oh * ow];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < oc; o++) {
                java.util.Arrays.fill(acc, bias == null ? 0 : bias[o]);
                int g = o / og;
                for (int ci = 0; ci < cg; ci++) {
                    int inC = g * cg + ci;
                    int xBase = (b * ch + inC) * h * w;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            double wv = wt[((o * cg + ci) * kh + ky) * kw + kx];
                            for (int yy = 0; yy < oh; yy++) {
                                int iy = yy * c.strideH() - c.padH() + ky * c.dilationH();
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int xx = 0; xx < ow; xx++) {
                                    int ix = xx * c.strideW() - c.padW() + kx * c.dilationW();
                                    if (ix >= 0 && ix < w) {
                                        acc[yy * ow + xx] += wv * x[xBase + iy * w + ix];
                                    }
                                }
                            }
                        }
                    }
                }
                int yBase = (b * oc + o) * oh * ow;
                for (int i = 0; i < oh * ow; i++) {
                    y[yBase + i] = act(c.activation(), acc[i]);
                }
            }
        }
        return y;
    }

    private static float[] innerProduct(InnerProduct ip, float[] x, Shape xs) {
        int m = (int) xs.count(0, ip.axis());
        int k = (int) xs.count(ip.axis(), xs.rank());
        int no = ip.numOutput();
        float[] wt = ip.weight().toArray();
        float[] bias = ip.bias() == null ? null : ip.bias().toArray();
        float[] y = new float[m * no];
        for (int r = 0; r < m; r++) {
            for (int j = 0; j < no; j++) {
                double s = bias == null ? 0 : bias[j];
                for (int i = 0; i < k; i++) {
                    s += (double) x[r * k + i] * (ip.transpose() ? wt[i * no + j] : wt[j * k + i]);
                }
                y[r * no + j] = act(ip.activation(), s);
            }
        }
        return y;
    }

    private static float[] batchNorm(BatchNorm bn, float[] x, Shape xs) {
        float s = bn.scaleFactor().get(0);
        float mult = s == 0 ? 0 : 1 / s;
        int num = xs.rank() > 0 ? xs.dim(0) : 1;
        int ch = xs.rank() > 1 ? xs.dim(1) : 1;
        int spatial = x.length / (num * ch);
        float[] y = new float[x.length];
        for (int b = 0; b < num; b++) {
            for (int c = 0; c < ch; c++) {
                float mean = bn.mean().get(c) * mult;
                float var = bn.variance().get(c) * mult;
                double sd = Math.sqrt(var + bn.eps());
                for (int i = 0; i < spatial; i++) {
                    int idx = (b * ch + c) * spatial + i;
                    y[idx] = (float) ((x[idx] - mean) / sd);
                }
            }
        }
        return y;
    }

    /** Caffe's ScaleLayer: outer x scale_dim x inner, factor indexed by the middle. */
    private static float[] scale(Scale sc, List<float[]> in, List<Shape> inS) {
        float[] x = in.get(0);
        Shape xs = inS.get(0);
        float[] f = sc.twoInputs() ? in.get(1) : sc.scale().toArray();
        int fr = sc.twoInputs() ? inS.get(1).rank() : sc.scale().shape().rank();
        float[] bias = sc.bias() == null ? null : sc.bias().toArray();
        int outer = (int) xs.count(0, sc.axis());
        int dim = f.length;
        int inner = (int) xs.count(sc.axis() + fr, xs.rank());
        float[] y = new float[x.length];
        for (int o = 0; o < outer; o++) {
            for (int d = 0; d < dim; d++) {
                for (int i = 0; i < inner; i++) {
                    int idx = (o * dim + d) * inner + i;
                    y[idx] = x[idx] * f[d] + (bias == null ? 0 : bias[d]);
                }
            }
        }
        return y;
    }

    private static float[] bias(Bias bi, List<float[]> in, List<Shape> inS) {
        float[] x = in.get(0);
        Shape xs = inS.get(0);
        float[] t = bi.twoInputs() ? in.get(1) : bi.bias().toArray();
        int tr = bi.twoInputs() ? inS.get(1).rank() : bi.bias().shape().rank();
        int outer = (int) xs.count(0, bi.axis());
        int dim = t.length;
        int inner = (int) xs.count(bi.axis() + tr, xs.rank());
        float[] y = new float[x.length];
        for (int o = 0; o < outer; o++) {
            for (int d = 0; d < dim; d++) {
                for (int i = 0; i < inner; i++) {
                    int idx = (o * dim + d) * inner + i;
                    y[idx] = x[idx] + t[d];
                }
            }
        }
        return y;
    }

    private static float[] prelu(PReLU p, float[] x, Shape xs) {
        int ch = xs.dim(1);
        int dim = (int) xs.count(2, xs.rank());
        float[] slope = p.slope().toArray();
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = p.channelShared() ? 0 : (i / dim) % ch;
            y[i] = Math.max(x[i], 0f) + slope[c] * Math.min(x[i], 0f);
        }
        return y;
    }

    private static float[] softmax(int axis, float[] x, Shape xs) {
        int outer = (int) xs.count(0, axis);
        int ch = xs.dim(axis);
        int inner = (int) xs.count(axis + 1, xs.rank());
        float[] y = new float[x.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < ch; c++) {
                    max = Math.max(max, x[(o * ch + c) * inner + i]);
                }
                double sum = 0;
                for (int c = 0; c < ch; c++) {
                    sum += Math.exp(x[(o * ch + c) * inner + i] - max);
                }
                for (int c = 0; c < ch; c++) {
                    int idx = (o * ch + c) * inner + i;
                    y[idx] = (float) (Math.exp(x[idx] - max) / sum);
                }
            }
        }
        return y;
    }

    /** Caffe's PoolingLayer::Forward_cpu, loop for loop (global pooling: kernel = plane, pad 0, stride 1). */
    static float[] pool(Pooling p, float[] x, Shape xs, Shape ys) {
        int n = xs.dim(0);
        int ch = xs.dim(1);
        int h = xs.dim(2);
        int w = xs.dim(3);
        int ph = ys.dim(2);
        int pw = ys.dim(3);
        int kh = p.global() ? h : p.kernelH();
        int kw = p.global() ? w : p.kernelW();
        int sh = p.global() ? 1 : p.strideH();
        int sw = p.global() ? 1 : p.strideW();
        int padH = p.global() ? 0 : p.padH();
        int padW = p.global() ? 0 : p.padW();
        float[] y = new float[n * ch * ph * pw];
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < ch; c++) {
                int base = (b * ch + c) * h * w;
                for (int oy = 0; oy < ph; oy++) {
                    for (int ox = 0; ox < pw; ox++) {
                        int hstart = oy * sh - padH;
                        int wstart = ox * sw - padW;
                        float out;
                        if (p.method() == Pooling.Method.MAX) {
                            int hend = Math.min(hstart + kh, h);
                            int wend = Math.min(wstart + kw, w);
                            hstart = Math.max(hstart, 0);
                            wstart = Math.max(wstart, 0);
                            out = -Float.MAX_VALUE;
                            for (int yy = hstart; yy < hend; yy++) {
                                for (int xx = wstart; xx < wend; xx++) {
                                    out = Math.max(out, x[base + yy * w + xx]);
                                }
                            }
                        } else {
                            int hend = Math.min(hstart + kh, h + padH);
                            int wend = Math.min(wstart + kw, w + padW);
                            int poolSize = (hend - hstart) * (wend - wstart);
                            hstart = Math.max(hstart, 0);
                            wstart = Math.max(wstart, 0);
                            hend = Math.min(hend, h);
                            wend = Math.min(wend, w);
                            double s = 0;
                            for (int yy = hstart; yy < hend; yy++) {
                                for (int xx = wstart; xx < wend; xx++) {
                                    s += x[base + yy * w + xx];
                                }
                            }
                            out = (float) (s / poolSize);
                        }
                        y[((b * ch + c) * ph + oy) * pw + ox] = out;
                    }
                }
            }
        }
        return y;
    }

    private static float[] axpy(List<float[]> in, List<Shape> inS) {
        float[] a = in.get(0);
        float[] x = in.get(1);
        float[] yv = in.get(2);
        Shape xs = inS.get(1);
        int spatial = (int) xs.count(2, xs.rank());
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = a[i / spatial] * x[i] + yv[i];
        }
        return out;
    }

    private static float[] eltwise(Eltwise e, List<float[]> in) {
        int len = in.get(0).length;
        float[] y = new float[len];
        for (int i = 0; i < len; i++) {
            double acc = switch (e.operation()) {
                case SUM -> 0;
                case PROD -> 1;
                case MAX -> Double.NEGATIVE_INFINITY;
            };
            for (int k = 0; k < in.size(); k++) {
                float v = in.get(k)[i];
                acc = switch (e.operation()) {
                    case SUM -> acc + (double) e.coefficient(k) * v;
                    case PROD -> acc * v;
                    case MAX -> Math.max(acc, v);
                };
            }
            y[i] = (float) acc;
        }
        return y;
    }

    private static float[] concat(int axis, List<float[]> in, List<Shape> inS, Shape ys) {
        int outer = (int) ys.count(0, axis);
        int inner = (int) ys.count(axis + 1, ys.rank());
        int total = ys.dim(axis);
        float[] y = new float[(int) ys.count()];
        int offset = 0;
        for (int k = 0; k < in.size(); k++) {
            int d = inS.get(k).dim(axis);
            for (int o = 0; o < outer; o++) {
                System.arraycopy(in.get(k), o * d * inner, y, (o * total + offset) * inner, d * inner);
            }
            offset += d;
        }
        return y;
    }

    private static List<float[]> slice(int axis, float[] x, Shape xs, List<Shape> outS) {
        int outer = (int) xs.count(0, axis);
        int inner = (int) xs.count(axis + 1, xs.rank());
        int total = xs.dim(axis);
        List<float[]> out = new ArrayList<>();
        int offset = 0;
        for (Shape s : outS) {
            int d = s.dim(axis);
            float[] y = new float[(int) s.count()];
            for (int o = 0; o < outer; o++) {
                System.arraycopy(x, (o * total + offset) * inner, y, o * d * inner, d * inner);
            }
            out.add(y);
            offset += d;
        }
        return out;
    }

    /** Caffe's PowerLayer, with its constant special case when power * scale is 0. */
    private static float[] power(Power p, float[] x) {
        float[] y = new float[x.length];
        if (p.power() * p.scale() == 0f) {
            float v = p.power() == 0f ? 1f : (float) Math.pow(p.shift(), p.power());
            java.util.Arrays.fill(y, v);
            return y;
        }
        for (int i = 0; i < x.length; i++) {
            y[i] = (float) Math.pow(p.shift() + p.scale() * x[i], p.power());
        }
        return y;
    }
}
