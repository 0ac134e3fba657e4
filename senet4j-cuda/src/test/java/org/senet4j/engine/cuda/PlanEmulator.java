package org.senet4j.engine.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.senet4j.engine.HostTensor;
import org.senet4j.engine.ref.ReferenceKernels;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.Convolution;

/**
 * Runs a {@link PlanSpec} on the host, without a GPU: the activation arena and the staging buffer are byte buffers at
 * the planned offsets (so aliasing, in-place steps and memory reuse act on the data as they would on the device), each
 * engine kernel launch is executed by a line-by-line Java transcription of its CUDA source reading the arguments the
 * launch packs (by the kernel's parameter names), fp16 storage rounds through {@link Half}, and the library steps run
 * as what they ask of the library: cuDNN convolution through the reference kernel on the logical tensors (weights
 * rounded to the plan's type) followed by the plan's bias+activation launch, the cuBLAS GEMM on the physical rows with
 * the uploaded weight rows, cuDNN softmax on the 4-D extents the step describes.
 */
final class PlanEmulator {
    private final PlanSpec spec;
    private final ByteBuffer arena;
    private final ByteBuffer staging;

    PlanEmulator(PlanSpec spec) {
        this.spec = spec;
        this.arena = ByteBuffer.allocate(Math.toIntExact(spec.arenaBytes)).order(ByteOrder.LITTLE_ENDIAN);
        this.staging = ByteBuffer.allocate(Math.toIntExact(Math.max(4, spec.stagingBytes))).order(ByteOrder.LITTLE_ENDIAN);
        // poison: NaN in every float and half slot, so that reading what no step wrote shows
        for (int i = 0; i + 4 <= arena.capacity(); i += 4) {
            arena.putInt(i, 0x7fc07fc0);
        }
    }

    /** A typed view of memory: a buffer, a byte offset and an element type; or host weights. */
    private record Mem(ByteBuffer buf, long off, DType type, float[] host) {
        float ld(long i) {
            if (host != null) {
                return host[Math.toIntExact(i)];
            }
            int at = Math.toIntExact(off + i * type.size);
            return type == DType.F32 ? buf.getFloat(at) : Half.toFloat(buf.getShort(at));
        }

        void st(long i, float v) {
            if (host != null) {
                throw new IllegalStateException("write to weights");
            }
            int at = Math.toIntExact(off + i * type.size);
            if (type == DType.F32) {
                buf.putFloat(at, v);
            } else {
                buf.putShort(at, Half.fromFloat(v));
            }
        }
    }

    private Mem mem(Object arg, String ctype) {
        DType t = ctype.contains("half_t") ? DType.F16 : DType.F32;
        if (arg == KernelCall.NULL) {
            return null;
        }
        if (arg instanceof DeviceValue v) {
            if (v.dtype != t) {
                throw new IllegalStateException("value " + v + " passed as " + ctype);
            }
            return new Mem(arena, v.root().offset, t, null);
        }
        if (arg instanceof PlanSpec.StagingAddress s) {
            return new Mem(staging, s.offset, t, null);
        }
        if (arg instanceof WeightRef w) {
            if (w.type != t) {
                throw new IllegalStateException(w + " of " + w.type + " passed as " + ctype);
            }
            float[] v = w.values();
            return new Mem(null, 0, t, t == DType.F16 ? roundHalf(v) : v);
        }
        throw new IllegalStateException("cannot emulate pointer argument " + arg);
    }

    static float[] roundHalf(float[] v) {
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Half.toFloat(Half.fromFloat(v[i]));
        }
        return r;
    }

    private float[] readLogical(DeviceValue v) {
        Mem m = new Mem(arena, v.root().offset, v.dtype, null);
        float[] out = new float[Math.toIntExact(v.count())];
        int[] d = v.dims4();
        for (int l = 0; l < out.length; l++) {
            out[l] = m.ld(v.nhwc ? logicalToNhwc(l, d[1], d[2], d[3]) : l);
        }
        return out;
    }

    private void writeLogical(DeviceValue v, float[] data) {
        Mem m = new Mem(arena, v.root().offset, v.dtype, null);
        int[] d = v.dims4();
        for (int l = 0; l < data.length; l++) {
            m.st(v.nhwc ? logicalToNhwc(l, d[1], d[2], d[3]) : l, data[l]);
        }
    }

    static long nhwcToLogical(long i, int c, int h, int w) {
        long ch = i % c;
        long t = i / c;
        long x = t % w;
        t /= w;
        long y = t % h;
        long n = t / h;
        return ((n * c + ch) * h + y) * w + x;
    }

    static long logicalToNhwc(long l, int c, int h, int w) {
        long x = l % w;
        long t = l / w;
        long y = t % h;
        t /= h;
        long ch = t % c;
        long n = t / c;
        return ((n * h + y) * w + x) * c + ch;
    }

    /**
     * Runs the plan as {@link CudaPlan#run} does and hands every value to {@code produced} right after the step that
     * completes it (as float32 in logical order).
     *
     * @return the graph outputs
     */
    Map<String, float[]> run(Map<String, HostTensor> inputs, BiConsumer<String, float[]> produced) {
        for (String name : spec.graph.inputs()) {
            float[] x = inputs.get(name).data();
            Long st = spec.inputStaging.get(name);
            if (st != null) {
                for (int i = 0; i < x.length; i++) {
                    staging.putFloat(Math.toIntExact(st + 4L * i), x[i]);
                }
            } else {
                writeLogical(spec.values.get(name), x);
            }
        }
        Map<Integer, List<String>> at = new HashMap<>();
        for (Map.Entry<String, Integer> e : spec.producedAt.entrySet()) {
            if (!spec.fusedAway.contains(e.getKey()) && spec.values.containsKey(e.getKey())) {
                at.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
            }
        }
        for (String v : at.getOrDefault(-1, List.of())) {
            produced.accept(v, readLogical(spec.values.get(v)));
        }
        for (int i = 0; i < spec.steps.size(); i++) {
            step(spec.steps.get(i));
            for (String v : at.getOrDefault(i, List.of())) {
                produced.accept(v, readLogical(spec.values.get(v)));
            }
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String o : spec.graph.outputs()) {
            Long st = spec.outputStaging.get(o);
            if (st != null) {
                float[] r = new float[Math.toIntExact(spec.values.get(o).count())];
                for (int i = 0; i < r.length; i++) {
                    r[i] = staging.getFloat(Math.toIntExact(st + 4L * i));
                }
                out.put(o, r);
            } else {
                out.put(o, readLogical(spec.values.get(o)));
            }
        }
        return out;
    }

    private void step(Step s) {
        if (s instanceof KernelStep k) {
            k.calls().forEach(this::launch);
        } else if (s instanceof ConvStep c) {
            Convolution op = c.op();
            DType t = c.x().dtype;
            float[] w = c.filter().values();
            Tensor wt = Tensor.of(op.weight().shape(), t == DType.F16
                    ? roundHalf(op.weight().toArray()) : op.weight().toArray());
            Convolution raw = op.with(wt, null, Activation.NONE);
            if (w.length != op.weight().count()) {
                throw new IllegalStateException("filter size");
            }
            float[] y = ReferenceKernels.run(raw, List.of(c.x().shape), List.of(readLogical(c.x())),
                    List.of(c.y().shape)).get(0);
            writeLogical(c.y(), y);
            launch(c.epilogue());
        } else if (s instanceof GemmStep g) {
            int[] mnk = g.mnk();
            int m = mnk[0];
            int n = mnk[1];
            int k = mnk[2];
            Mem x = new Mem(arena, g.x().root().offset, g.x().dtype, null);
            Mem y = new Mem(arena, g.y().root().offset, g.y().dtype, null);
            Mem w = mem(g.rows(), g.x().dtype == DType.F16 ? "half_t*" : "float*");
            // cuBLAS column-major C (N x M) = op_T(A: K x N, lda K) * B (K x M, ldb K), ldc N
            for (int col = 0; col < m; col++) {
                for (int row = 0; row < n; row++) {
                    double acc = 0;
                    for (int i = 0; i < k; i++) {
                        acc += (double) w.ld((long) row * k + i) * x.ld((long) col * k + i);
                    }
                    y.st((long) col * n + row, (float) acc);
                }
            }
            launch(g.epilogue());
        } else if (s instanceof SoftmaxStep sm) {
            int[] d = SoftmaxStep.dims(sm.x(), sm.axis());
            Mem x = new Mem(arena, sm.x().root().offset, sm.x().dtype, null);
            Mem y = new Mem(arena, sm.y().root().offset, sm.y().dtype, null);
            boolean nhwc = sm.x().nhwc;
            for (int n = 0; n < d[0]; n++) {
                for (int p = 0; p < d[2] * d[3]; p++) {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int c = 0; c < d[1]; c++) {
                        max = Math.max(max, x.ld(index(n, c, p, d, nhwc)));
                    }
                    double sum = 0;
                    for (int c = 0; c < d[1]; c++) {
                        sum += Math.exp(x.ld(index(n, c, p, d, nhwc)) - max);
                    }
                    for (int c = 0; c < d[1]; c++) {
                        long i = index(n, c, p, d, nhwc);
                        y.st(i, (float) (Math.exp(x.ld(i) - max) / sum));
                    }
                }
            }
        } else if (s instanceof HostStep h) {
            List<float[]> in = h.inputs().stream().map(this::readLogical).toList();
            List<float[]> out = ReferenceKernels.run(h.op(), h.inputs().stream().map(v -> v.shape).toList(), in,
                    h.outputs().stream().map(v -> v.shape).toList());
            for (int i = 0; i < out.size(); i++) {
                writeLogical(h.outputs().get(i), out.get(i));
            }
        } else {
            throw new IllegalStateException("cannot emulate " + s.getClass().getSimpleName());
        }
    }

    private static long index(int n, int c, int p, int[] d, boolean nhwc) {
        return nhwc ? ((long) n * d[2] * d[3] + p) * d[1] + c : ((long) n * d[1] + c) * d[2] * d[3] + p;
    }

    private static float act(float v, int kind, float a) {
        if (kind == 1) {
            return Math.max(v, 0f) + a * Math.min(v, 0f);
        }
        if (kind == 2) {
            return (float) (0.5 * Math.tanh(0.5 * v) + 0.5);
        }
        if (kind == 3) {
            return (float) Math.tanh(v);
        }
        return v;
    }

    private static int chan(long i, int c, long inner, boolean nhwc) {
        return nhwc ? (int) (i % c) : (int) ((i / inner) % c);
    }

    /** One launch: the CUDA source's kernel bodies, transcribed. */
    private void launch(KernelCall call) {
        KernelSource.Signature sig = KernelSource.signature(call.kernel);
        Map<String, Object> a = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        for (int i = 0; i < sig.paramNames().size(); i++) {
            a.put(sig.paramNames().get(i), call.args().get(i));
            types.put(sig.paramNames().get(i), sig.paramTypes().get(i));
        }
        String base = call.kernel.substring(0, call.kernel.indexOf("_f"));
        java.util.function.Function<String, Mem> m = p -> mem(a.get(p), types.get(p));
        java.util.function.ToIntFunction<String> i32 = p -> (Integer) a.get(p);
        java.util.function.ToLongFunction<String> i64 = p -> (Long) a.get(p);
        java.util.function.Function<String, Float> f32 = p -> (Float) a.get(p);
        switch (base) {
            case "act" -> {
                Mem y = m.apply("y");
                Mem x = m.apply("x");
                for (long i = 0; i < i64.applyAsLong("n"); i++) {
                    y.st(i, act(x.ld(i), i32.applyAsInt("kind"), f32.apply("a")));
                }
            }
            case "power" -> {
                Mem y = m.apply("y");
                Mem x = m.apply("x");
                float p = f32.apply("p");
                for (long i = 0; i < i64.applyAsLong("n"); i++) {
                    float v = f32.apply("scale") * x.ld(i) + f32.apply("shift");
                    y.st(i, p == 1f ? v : (float) Math.pow(v, p));
                }
            }
            case "affine" -> {
                Mem y = m.apply("y");
                Mem x = m.apply("x");
                Mem am = m.apply("a");
                Mem bm = m.apply("b");
                for (long i = 0; i < i64.applyAsLong("n"); i++) {
                    int c = chan(i, i32.applyAsInt("C"), i64.applyAsLong("inner"), i32.applyAsInt("nhwc") != 0);
                    float v = x.ld(i);
                    if (am != null) {
                        v = v * am.ld(c);
                    }
                    if (bm != null) {
                        v = v + bm.ld(c);
                    }
                    y.st(i, act(v, i32.applyAsInt("kind"), f32.apply("al")));
                }
            }
            case "bias_act" -> {
                Mem y = m.apply("y");
                Mem x = m.apply("x");
                Mem b = m.apply("bias");
                for (long i = 0; i < i64.applyAsLong("n"); i++) {
                    float v = x.ld(i);
                    if (b != null) {
                        v = v + b.ld(chan(i, i32.applyAsInt("C"), i64.applyAsLong("inner"), i32.applyAsInt("nhwc") != 0));
                    }
                    y.st(i, act(v, i32.applyAsInt("kind"), f32.apply("al")));
                }
            }
            case "prelu" -> {
                Mem y = m.apply("y");
                Mem x = m.apply("x");
                Mem s = m.apply("s");
                for (long i = 0; i < i64.applyAsLong("n"); i++) {
                    float v = x.ld(i);
                    float sl = i32.applyAsInt("shared") != 0 ? s.ld(0)
                            : s.ld(chan(i, i32.applyAsInt("C"), i64.applyAsLong("inner"), i32.applyAsInt("nhwc") != 0));
                    y.st(i, Math.max(v, 0f) + sl * Math.min(v, 0f));
                }
            }
            case "scale_add" -> {
                Mem out = m.apply("out");
                Mem am = m.apply("a");
                Mem x = m.apply("x");
                Mem y = m.apply("y");
                int cc = i32.applyAsInt("C");
                long hw = i64.applyAsLong("hw");
                boolean nhwc = i32.applyAsInt("nhwc") != 0;
                for (long i = 0; i < i64.applyAsLong("n"); i++) {
                    long nc = nhwc ? (i / (hw * cc)) * cc + i % cc : i / hw;
                    float v = am.ld(nc) * x.ld(i);
                    if (y != null) {
                        v = v + y.ld(i);
                    }
                    out.st(i, act(v, i32.applyAsInt("kind"), f32.apply("al")));
                }
            }
            case "eltwise" -> {
                Mem out = m.apply("out");
                Mem x0 = m.apply("x0");
                Mem x1 = m.apply("x1");
                int op = i32.applyAsInt("op");
                for (long i = 0; i < i64.applyAsLong("n"); i++) {
                    float p = x0.ld(i);
                    float q = x1.ld(i);
                    float v = op == 0 ? p * q : op == 1 ? f32.apply("c0") * p + f32.apply("c1") * q : Math.max(p, q);
                    out.st(i, act(v, i32.applyAsInt("kind"), f32.apply("al")));
                }
            }
            case "pool" -> pool(m.apply("y"), m.apply("x"), i32, call);
            case "gpool_nchw", "gpool_nhwc" -> gpool(call, m.apply("y"), m.apply("x"), i32, i64);
            case "copy_block" -> {
                Mem dst = m.apply("dst");
                Mem src = m.apply("src");
                long outer = i64.applyAsLong("outer");
                long inner = i64.applyAsLong("inner");
                for (long i = 0; i < outer * inner; i++) {
                    long o = i / inner;
                    long j = i % inner;
                    dst.st(o * i64.applyAsLong("dStride") + i64.applyAsLong("dOff") + j,
                            src.ld(o * i64.applyAsLong("sStride") + i64.applyAsLong("sOff") + j));
                }
            }
            case "relayout" -> {
                Mem dst = m.apply("dst");
                Mem src = m.apply("src");
                for (long i = 0; i < i64.applyAsLong("n"); i++) {
                    long l = i32.applyAsInt("dNhwc") != 0 ? nhwcToLogical(i, i32.applyAsInt("dC"), i32.applyAsInt("dH"),
                            i32.applyAsInt("dW")) : i;
                    long s = i32.applyAsInt("sNhwc") != 0 ? logicalToNhwc(l, i32.applyAsInt("sC"), i32.applyAsInt("sH"),
                            i32.applyAsInt("sW")) : l;
                    dst.st(i, src.ld(s));
                }
            }
            default -> throw new IllegalStateException("no emulation of " + call.kernel);
        }
    }

    private static void pool(Mem y, Mem x, java.util.function.ToIntFunction<String> a, KernelCall call) {
        int nn = a.applyAsInt("N");
        int cc = a.applyAsInt("C");
        int hh = a.applyAsInt("H");
        int ww = a.applyAsInt("W");
        int oh = a.applyAsInt("OH");
        int ow = a.applyAsInt("OW");
        int kh = a.applyAsInt("kh");
        int kw = a.applyAsInt("kw");
        int sh = a.applyAsInt("sh");
        int sw = a.applyAsInt("sw");
        int ph = a.applyAsInt("ph");
        int pw = a.applyAsInt("pw");
        boolean isMax = a.applyAsInt("isMax") != 0;
        boolean nhwc = a.applyAsInt("nhwc") != 0;
        long total = (long) nn * cc * oh * ow;
        for (long i = 0; i < total; i++) {
            int n;
            int c;
            int yo;
            int xo;
            long t = i;
            if (nhwc) {
                c = (int) (t % cc);
                t /= cc;
                xo = (int) (t % ow);
                t /= ow;
                yo = (int) (t % oh);
                n = (int) (t / oh);
            } else {
                xo = (int) (t % ow);
                t /= ow;
                yo = (int) (t % oh);
                t /= oh;
                c = (int) (t % cc);
                n = (int) (t / cc);
            }
            int hs = yo * sh - ph;
            int ws = xo * sw - pw;
            float v;
            if (isMax) {
                int he = Math.min(hs + kh, hh);
                int we = Math.min(ws + kw, ww);
                v = -Float.MAX_VALUE;
                for (int h = Math.max(hs, 0); h < he; ++h) {
                    for (int w = Math.max(ws, 0); w < we; ++w) {
                        long k = nhwc ? (((long) n * hh + h) * ww + w) * cc + c : (((long) n * cc + c) * hh + h) * ww + w;
                        v = Math.max(v, x.ld(k));
                    }
                }
            } else {
                int he = Math.min(hs + kh, hh + ph);
                int we = Math.min(ws + kw, ww + pw);
                int size = (he - hs) * (we - ws);
                int he2 = Math.min(he, hh);
                int we2 = Math.min(we, ww);
                float s = 0f;
                for (int h = Math.max(hs, 0); h < he2; ++h) {
                    for (int w = Math.max(ws, 0); w < we2; ++w) {
                        long k = nhwc ? (((long) n * hh + h) * ww + w) * cc + c : (((long) n * cc + c) * hh + h) * ww + w;
                        s += x.ld(k);
                    }
                }
                v = s / size;
            }
            y.st(i, v);
        }
    }

    /** Both global pooling kernels, with their grids (every plane must be covered by the launch). */
    private static void gpool(KernelCall call, Mem y, Mem x, java.util.function.ToIntFunction<String> a,
                              java.util.function.ToLongFunction<String> l) {
        boolean isMax = a.applyAsInt("isMax") != 0;
        int hw = a.applyAsInt("hw");
        if (call.kernel.startsWith("gpool_nchw")) {
            long planes = l.applyAsLong("planes");
            long warps = (long) call.grid[0] * call.block[0] / 32;
            if (warps < planes) {
                throw new IllegalStateException(call + " covers " + warps + " of " + planes + " planes");
            }
            for (long warp = 0; warp < planes; warp++) {
                float[] lane = new float[32];
                for (int ln = 0; ln < 32; ln++) {
                    float acc = isMax ? -Float.MAX_VALUE : 0f;
                    for (int j = ln; j < hw; j += 32) {
                        float v = x.ld(warp * hw + j);
                        acc = isMax ? Math.max(acc, v) : acc + v;
                    }
                    lane[ln] = acc;
                }
                for (int o = 16; o > 0; o >>= 1) {
                    for (int ln = 0; ln + o < 32; ln++) {
                        lane[ln] = isMax ? Math.max(lane[ln], lane[ln + o]) : lane[ln] + lane[ln + o];
                    }
                }
                y.st(warp, isMax ? lane[0] : lane[0] / hw);
            }
            return;
        }
        int cc = a.applyAsInt("C");
        if (call.block[0] != 32 || call.block[1] != 8 || (long) call.grid[0] * 32 < cc) {
            throw new IllegalStateException(call + " does not cover " + cc + " channels");
        }
        for (int n = 0; n < call.grid[1]; n++) {
            for (int bx = 0; bx < call.grid[0]; bx++) {
                float[][] s = new float[8][32];
                for (int ty = 0; ty < 8; ty++) {
                    for (int tx = 0; tx < 32; tx++) {
                        int c = bx * 32 + tx;
                        float acc = isMax ? -Float.MAX_VALUE : 0f;
                        if (c < cc) {
                            long base = (long) n * hw * cc + c;
                            for (int j = ty; j < hw; j += 8) {
                                float v = x.ld(base + (long) j * cc);
                                acc = isMax ? Math.max(acc, v) : acc + v;
                            }
                        }
                        s[ty][tx] = acc;
                    }
                }
                for (int tx = 0; tx < 32; tx++) {
                    int c = bx * 32 + tx;
                    if (c < cc) {
                        float r = s[0][tx];
                        for (int k = 1; k < 8; ++k) {
                            r = isMax ? Math.max(r, s[k][tx]) : r + s[k][tx];
                        }
                        y.st((long) n * cc + c, isMax ? r : r / hw);
                    }
                }
            }
        }
    }
}
