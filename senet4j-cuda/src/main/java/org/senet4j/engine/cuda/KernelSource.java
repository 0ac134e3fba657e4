package org.senet4j.engine.cuda;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CUDA C++ source of the engine's own kernels (everything cuDNN and cuBLAS do not do: Caffe's pooling, the SE
 * excitation and Axpy, element-wise ops, layout and type conversions), and the signature of every kernel so that
 * launches are checked on the host before they reach the GPU.
 *
 * <p>The source needs no header: half precision values are stored as {@code unsigned short} and converted with the
 * PTX instructions {@code cvt.f32.f16} / {@code cvt.rn.f16.f32}; all arithmetic is in float. Each kernel is a template
 * over the element type, instantiated as {@code extern "C"} functions named {@code NAME_f32} and {@code NAME_f16}
 * ({@code relayout_DST_SRC} for the conversions), so NVRTC needs no name lowering.
 *
 * <p>Activation codes ({@code kind}): 0 none, 1 ReLU with negative slope {@code a}, 2 sigmoid (Caffe's
 * {@code 0.5 tanh(0.5 x) + 0.5}), 3 tanh.
 */
final class KernelSource {
    private KernelSource() {
    }

    /** A kernel parameter's kind, as packed into the launch's argument slots. */
    enum ArgType { PTR, I64, I32, F32 }

    /** A kernel's name and parameter kinds. */
    record Signature(String name, List<ArgType> params, List<String> paramNames, List<String> paramTypes) {
    }

    static final int ACT_NONE = 0;
    static final int ACT_RELU = 1;
    static final int ACT_SIGMOID = 2;
    static final int ACT_TANH = 3;

    static final int ELT_PROD = 0;
    static final int ELT_SUM = 1;
    static final int ELT_MAX = 2;

    private static final String PRELUDE = """
            typedef long long i64;
            typedef unsigned short half_t;
            #define SENET4J_FLT_MAX 3.402823466e+38f
            __device__ __forceinline__ float h2f(half_t h) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h)); return f; }
            __device__ __forceinline__ half_t f2h(float f) { half_t h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f)); return h; }
            __device__ __forceinline__ float ld(const float* p, i64 i) { return p[i]; }
            __device__ __forceinline__ float ld(const half_t* p, i64 i) { return h2f(p[i]); }
            __device__ __forceinline__ void st(float* p, i64 i, float v) { p[i] = v; }
            __device__ __forceinline__ void st(half_t* p, i64 i, float v) { p[i] = f2h(v); }
            __device__ __forceinline__ float act(float v, int kind, float a) {
                if (kind == 1) return fmaxf(v, 0.f) + a * fminf(v, 0.f);
                if (kind == 2) return 0.5f * tanhf(0.5f * v) + 0.5f;
                if (kind == 3) return tanhf(v);
                return v;
            }
            template <typename I> __device__ __forceinline__ int chan(I i, int C, I inner, int nhwc) {
                return nhwc ? (int) (i % (I) C) : (int) ((i / inner) % (I) C);
            }
            template <typename I> __device__ __forceinline__ I nhwc_to_logical(I i, int C, int H, int W) {
                I c = i % (I) C; I t = i / (I) C; I w = t % (I) W; t /= (I) W; I h = t % (I) H; I n = t / (I) H;
                return ((n * (I) C + c) * (I) H + h) * (I) W + w;
            }
            template <typename I> __device__ __forceinline__ I logical_to_nhwc(I l, int C, int H, int W) {
                I w = l % (I) W; I t = l / (I) W; I h = t % (I) H; t /= (I) H; I c = t % (I) C; I n = t / (I) C;
                return ((n * (I) H + h) * (I) W + w) * (I) C + c;
            }
            __device__ __forceinline__ int imin(int a, int b) { return a < b ? a : b; }
            __device__ __forceinline__ int imax(int a, int b) { return a > b ? a : b; }
            // Grid-stride loop with index type I: 32-bit indices (cheaper divisions) when the extent allows
            #define GRID_LOOP(I, i, n) for (I i = (I) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
                                            i += (I) blockDim.x * gridDim.x)
            #define SMALL(n) ((n) < 2147483647LL)
            typedef unsigned int u32;

            template <typename T, typename I> __device__ void act_(T* y, const T* x, I n, int kind, float a) {
                GRID_LOOP(I, i, n) st(y, i, act(ld(x, i), kind, a));
            }
            template <typename T> __device__ void k_act(T* y, const T* x, i64 n, int kind, float a) {
                if (SMALL(n)) act_<T, u32>(y, x, (u32) n, kind, a); else act_<T, i64>(y, x, n, kind, a);
            }
            template <typename T> __device__ void k_power(T* y, const T* x, i64 n, float p, float scale, float shift) {
                GRID_LOOP(i64, i, n) { float v = scale * ld(x, i) + shift; st(y, i, p == 1.f ? v : powf(v, p)); }
            }
            template <typename T, typename I> __device__ void affine_(T* y, const T* x, const float* a, const float* b,
                                                                      I n, int C, I inner, int nhwc, int kind, float al) {
                GRID_LOOP(I, i, n) {
                    int c = chan(i, C, inner, nhwc);
                    float v = ld(x, i);
                    if (a) v = v * a[c];
                    if (b) v = v + b[c];
                    st(y, i, act(v, kind, al));
                }
            }
            template <typename T> __device__ void k_affine(T* y, const T* x, const float* a, const float* b, i64 n,
                                                           int C, i64 inner, int nhwc, int kind, float al) {
                if (SMALL(n)) affine_<T, u32>(y, x, a, b, (u32) n, C, (u32) inner, nhwc, kind, al);
                else affine_<T, i64>(y, x, a, b, n, C, inner, nhwc, kind, al);
            }
            template <typename T, typename I> __device__ void bias_act_(T* y, const T* x, const T* bias, I n, int C,
                                                                        I inner, int nhwc, int kind, float al) {
                GRID_LOOP(I, i, n) {
                    float v = ld(x, i);
                    if (bias) v = v + ld(bias, chan(i, C, inner, nhwc));
                    st(y, i, act(v, kind, al));
                }
            }
            template <typename T> __device__ void k_bias_act(T* y, const T* x, const T* bias, i64 n, int C, i64 inner,
                                                             int nhwc, int kind, float al) {
                if (SMALL(n)) bias_act_<T, u32>(y, x, bias, (u32) n, C, (u32) inner, nhwc, kind, al);
                else bias_act_<T, i64>(y, x, bias, n, C, inner, nhwc, kind, al);
            }
            template <typename T> __device__ void k_prelu(T* y, const T* x, const float* s, i64 n, int C, i64 inner,
                                                          int nhwc, int shared) {
                GRID_LOOP(i64, i, n) {
                    float v = ld(x, i);
                    float a = shared ? s[0] : s[chan(i, C, inner, nhwc)];
                    st(y, i, fmaxf(v, 0.f) + a * fminf(v, 0.f));
                }
            }
            template <typename T, typename I> __device__ void scale_add_(T* out, const T* a, const T* x, const T* y, I n,
                                                                         int C, I hw, int nhwc, int kind, float al) {
                GRID_LOOP(I, i, n) {
                    I nc = nhwc ? (i / (hw * (I) C)) * (I) C + i % (I) C : i / hw;
                    float v = ld(a, nc) * ld(x, i);
                    if (y) v = v + ld(y, i);
                    st(out, i, act(v, kind, al));
                }
            }
            template <typename T> __device__ void k_scale_add(T* out, const T* a, const T* x, const T* y, i64 n, int C,
                                                              i64 hw, int nhwc, int kind, float al) {
                if (SMALL(n)) scale_add_<T, u32>(out, a, x, y, (u32) n, C, (u32) hw, nhwc, kind, al);
                else scale_add_<T, i64>(out, a, x, y, n, C, hw, nhwc, kind, al);
            }
            template <typename T, typename I> __device__ void eltwise_(T* out, const T* x0, const T* x1, I n, int op,
                                                                       float c0, float c1, int kind, float al) {
                GRID_LOOP(I, i, n) {
                    float a = ld(x0, i), b = ld(x1, i), v;
                    if (op == 0) v = a * b;
                    else if (op == 1) v = c0 * a + c1 * b;
                    else v = fmaxf(a, b);
                    st(out, i, act(v, kind, al));
                }
            }
            template <typename T> __device__ void k_eltwise(T* out, const T* x0, const T* x1, i64 n, int op, float c0,
                                                            float c1, int kind, float al) {
                if (SMALL(n)) eltwise_<T, u32>(out, x0, x1, (u32) n, op, c0, c1, kind, al);
                else eltwise_<T, i64>(out, x0, x1, n, op, c0, c1, kind, al);
            }
            template <typename T> __device__ void k_pool(T* y, const T* x, int N, int C, int H, int W, int OH, int OW,
                                                         int kh, int kw, int sh, int sw, int ph, int pw, int isMax,
                                                         int nhwc) {
                i64 total = (i64) N * C * OH * OW;
                GRID_LOOP(i64, i, total) {
                    int n, c, oh, ow;
                    i64 t = i;
                    if (nhwc) { c = (int) (t % C); t /= C; ow = (int) (t % OW); t /= OW; oh = (int) (t % OH); n = (int) (t / OH); }
                    else { ow = (int) (t % OW); t /= OW; oh = (int) (t % OH); t /= OH; c = (int) (t % C); n = (int) (t / C); }
                    int hs = oh * sh - ph, ws = ow * sw - pw;
                    float v;
                    if (isMax) {
                        int he = imin(hs + kh, H), we = imin(ws + kw, W);
                        v = -SENET4J_FLT_MAX;
                        for (int h = imax(hs, 0); h < he; ++h)
                            for (int w = imax(ws, 0); w < we; ++w) {
                                i64 k = nhwc ? (((i64) n * H + h) * W + w) * C + c : (((i64) n * C + c) * H + h) * W + w;
                                v = fmaxf(v, ld(x, k));
                            }
                    } else {
                        int he = imin(hs + kh, H + ph), we = imin(ws + kw, W + pw);
                        int size = (he - hs) * (we - ws);
                        int he2 = imin(he, H), we2 = imin(we, W);
                        float s = 0.f;
                        for (int h = imax(hs, 0); h < he2; ++h)
                            for (int w = imax(ws, 0); w < we2; ++w) {
                                i64 k = nhwc ? (((i64) n * H + h) * W + w) * C + c : (((i64) n * C + c) * H + h) * W + w;
                                s += ld(x, k);
                            }
                        v = s / size;
                    }
                    st(y, i, v);
                }
            }
            template <typename T> __device__ void k_gpool_nchw(T* y, const T* x, i64 planes, int hw, int isMax) {
                i64 warp = ((i64) blockIdx.x * blockDim.x + threadIdx.x) >> 5;
                int lane = threadIdx.x & 31;
                if (warp >= planes) return;
                const T* p = x + warp * hw;
                float acc = isMax ? -SENET4J_FLT_MAX : 0.f;
                for (int j = lane; j < hw; j += 32) { float v = ld(p, j); acc = isMax ? fmaxf(acc, v) : acc + v; }
                for (int o = 16; o > 0; o >>= 1) {
                    float u = __shfl_down_sync(0xffffffffu, acc, o);
                    acc = isMax ? fmaxf(acc, u) : acc + u;
                }
                if (lane == 0) st(y, warp, isMax ? acc : acc / hw);
            }
            template <typename T> __device__ void k_gpool_nhwc(T* y, const T* x, int C, int hw, int isMax) {
                __shared__ float s[8][33];
                int c = blockIdx.x * 32 + threadIdx.x;
                i64 n = blockIdx.y;
                float acc = isMax ? -SENET4J_FLT_MAX : 0.f;
                if (c < C) {
                    const T* p = x + n * hw * C + c;
                    for (int j = threadIdx.y; j < hw; j += 8) { float v = ld(p, (i64) j * C); acc = isMax ? fmaxf(acc, v) : acc + v; }
                }
                s[threadIdx.y][threadIdx.x] = acc;
                __syncthreads();
                if (threadIdx.y == 0 && c < C) {
                    float r = s[0][threadIdx.x];
                    for (int k = 1; k < 8; ++k) r = isMax ? fmaxf(r, s[k][threadIdx.x]) : r + s[k][threadIdx.x];
                    st(y, n * C + c, isMax ? r : r / hw);
                }
            }
            template <typename TD, typename TS, typename I> __device__ void relayout_(TD* dst, const TS* src, I n, int sC,
                                                                                      int sH, int sW, int sNhwc, int dC,
                                                                                      int dH, int dW, int dNhwc) {
                GRID_LOOP(I, i, n) {
                    I l = dNhwc ? nhwc_to_logical(i, dC, dH, dW) : i;
                    I s = sNhwc ? logical_to_nhwc(l, sC, sH, sW) : l;
                    st(dst, i, ld(src, s));
                }
            }
            template <typename TD, typename TS> __device__ void k_relayout(TD* dst, const TS* src, i64 n, int sC, int sH,
                                                                           int sW, int sNhwc, int dC, int dH, int dW,
                                                                           int dNhwc) {
                if (SMALL(n)) relayout_<TD, TS, u32>(dst, src, (u32) n, sC, sH, sW, sNhwc, dC, dH, dW, dNhwc);
                else relayout_<TD, TS, i64>(dst, src, n, sC, sH, sW, sNhwc, dC, dH, dW, dNhwc);
            }
            template <typename T> __device__ void k_copy_block(T* dst, const T* src, i64 outer, i64 inner, i64 sStride,
                                                               i64 sOff, i64 dStride, i64 dOff) {
                GRID_LOOP(i64, i, outer * inner) {
                    i64 o = i / inner, j = i % inner;
                    dst[o * dStride + dOff + j] = src[o * sStride + sOff + j];
                }
            }
            """;

    /** Template name and its parameter list ({@code T}, or {@code TD}/{@code TS} for conversions). */
    private static final Map<String, String> TEMPLATES = new LinkedHashMap<>();

    static {
        TEMPLATES.put("act", "T* y, const T* x, i64 n, int kind, float a");
        TEMPLATES.put("power", "T* y, const T* x, i64 n, float p, float scale, float shift");
        TEMPLATES.put("affine", "T* y, const T* x, const float* a, const float* b, i64 n, int C, i64 inner, int nhwc, "
                + "int kind, float al");
        TEMPLATES.put("bias_act", "T* y, const T* x, const T* bias, i64 n, int C, i64 inner, int nhwc, int kind, "
                + "float al");
        TEMPLATES.put("prelu", "T* y, const T* x, const float* s, i64 n, int C, i64 inner, int nhwc, int shared");
        TEMPLATES.put("scale_add", "T* out, const T* a, const T* x, const T* y, i64 n, int C, i64 hw, int nhwc, "
                + "int kind, float al");
        TEMPLATES.put("eltwise", "T* out, const T* x0, const T* x1, i64 n, int op, float c0, float c1, int kind, "
                + "float al");
        TEMPLATES.put("pool", "T* y, const T* x, int N, int C, int H, int W, int OH, int OW, int kh, int kw, int sh, "
                + "int sw, int ph, int pw, int isMax, int nhwc");
        TEMPLATES.put("gpool_nchw", "T* y, const T* x, i64 planes, int hw, int isMax");
        TEMPLATES.put("gpool_nhwc", "T* y, const T* x, int C, int hw, int isMax");
        TEMPLATES.put("copy_block", "T* dst, const T* src, i64 outer, i64 inner, i64 sStride, i64 sOff, i64 dStride, "
                + "i64 dOff");
        TEMPLATES.put("relayout", "TD* dst, const TS* src, i64 n, int sC, int sH, int sW, int sNhwc, int dC, int dH, "
                + "int dW, int dNhwc");
    }

    private static final String SOURCE;
    private static final Map<String, Signature> SIGNATURES;

    static {
        StringBuilder sb = new StringBuilder(PRELUDE).append('\n');
        Map<String, Signature> sigs = new LinkedHashMap<>();
        for (Map.Entry<String, String> t : TEMPLATES.entrySet()) {
            String name = t.getKey();
            String params = t.getValue();
            if (params.contains("TD")) {
                for (DType d : DType.values()) {
                    for (DType s : DType.values()) {
                        String p = params.replace("TD*", d.cType + "*").replace("TS*", s.cType + "*");
                        emit(sb, sigs, name + "_" + d.suffix + "_" + s.suffix, "k_" + name + "<" + d.cType + ", "
                                + s.cType + ">", p);
                    }
                }
            } else {
                for (DType d : DType.values()) {
                    String p = params.replace("T*", d.cType + "*");
                    emit(sb, sigs, name + "_" + d.suffix, "k_" + name + "<" + d.cType + ">", p);
                }
            }
        }
        SOURCE = sb.toString();
        SIGNATURES = Collections.unmodifiableMap(sigs);
    }

    private static void emit(StringBuilder sb, Map<String, Signature> sigs, String name, String call, String params) {
        List<ArgType> types = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> ctypes = new ArrayList<>();
        for (String p : params.split(",")) {
            String s = p.strip();
            int sp = s.lastIndexOf(' ');
            String type = s.substring(0, sp).strip();
            names.add(s.substring(sp + 1));
            ctypes.add(type);
            types.add(type.endsWith("*") ? ArgType.PTR : switch (type) {
                case "i64" -> ArgType.I64;
                case "int" -> ArgType.I32;
                case "float" -> ArgType.F32;
                default -> throw new IllegalStateException("kernel " + name + ": unknown parameter type " + type);
            });
        }
        sigs.put(name, new Signature(name, List.copyOf(types), List.copyOf(names), List.copyOf(ctypes)));
        sb.append("extern \"C\" __global__ void ").append(name).append('(').append(params).append(") { ")
                .append(call).append('(').append(String.join(", ", names)).append("); }\n");
    }

    /** SHA-256 of the source (hex): names the fallback PTX made from it (tools/make-kernels-ptx). */
    static String sha256() {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            return java.util.HexFormat.of().formatHex(md.digest(SOURCE.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The whole source, for NVRTC. */
    static String source() {
        return SOURCE;
    }

    /** Every kernel's signature, by name. */
    static Map<String, Signature> signatures() {
        return SIGNATURES;
    }

    /** The signature of {@code name}. */
    static Signature signature(String name) {
        Signature s = SIGNATURES.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no kernel " + name + "; kernels are " + SIGNATURES.keySet());
        }
        return s;
    }
}
