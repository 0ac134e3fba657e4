package org.senet4j.engine.ref;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.BatchReindex;
import org.senet4j.ir.op.Embed;
import org.senet4j.ir.op.Im2col;
import org.senet4j.ir.op.Pooling;
import org.senet4j.ir.op.SPP;

/**
 * The reference kernels of Embed, SPP, Im2col and BatchReindex (a Parameter's is a copy of its blob, in
 * {@link ReferenceKernels}' table), written from Caffe's {@code embed_layer},
 * {@code parameter_layer}, {@code spp_layer}, {@code im2col_layer} (with {@code util/im2col}) and
 * {@code batch_reindex_layer}. Index values outside what Caffe defines are refused with an
 * {@link IllegalArgumentException} (see {@link Embed} and {@link BatchReindex}).
 */
final class MiscKernels {
    private MiscKernels() {
    }

    /** Each index's weight row, then the bias added in float (Caffe's gemm with an inner dimension of 1). */
    static void embed(Embed e, float[] x, float[] y) {
        int n = e.numOutput();
        java.nio.FloatBuffer w = e.weight().data();
        float[] b = e.hasBias() ? e.bias().toArray() : null;
        for (int i = 0; i < x.length; i++) {
            int row = e.index(x[i], i);
            w.get(row * n, y, i * n, n);
            if (b != null) {
                for (int j = 0; j < n; j++) {
                    y[i * n + j] += b[j];
                }
            }
        }
    }

    /** Each level pooled by Caffe's Pooling, flattened per item and placed after the levels before it. */
    static void spp(SPP s, Shape in, float[] x, float[] y) {
        int items = in.dim(0);
        int total = y.length / items;
        int offset = 0;
        for (int l = 0; l < s.pyramidHeight(); l++) {
            Pooling p;
            Shape pooled;
            try {
                p = s.level(l, in.dim(2), in.dim(3));
                pooled = p.outputShapes(List.of(in)).get(0);
            } catch (ModelException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            float[] level = new float[Math.toIntExact(pooled.count())];
            ReferenceKernels.pooling(p, in, x, pooled, level);
            int per = level.length / items;
            for (int n = 0; n < items; n++) {
                System.arraycopy(level, n * per, y, n * total + offset, per);
            }
            offset += per;
        }
    }

    /**
     * Caffe's {@code im2col_nd_cpu} (the same values as its 2-D {@code im2col_cpu}): output channel
     * {@code c * K + k} for kernel position {@code k} (row-major over the kernel axes) holds, at each output position,
     * the input cell that kernel position reads, or 0 in the padding.
     */
    static void im2col(Im2col op, Shape in, float[] x, Shape out, float[] y) {
        int axis = op.axis();
        int spatial = op.spatialAxes();
        int items = Math.toIntExact(in.count(0, axis));
        int channels = in.dim(axis);
        int[] inDims = new int[spatial];
        int[] outDims = new int[spatial];
        int[] k = new int[spatial];
        for (int d = 0; d < spatial; d++) {
            inDims[d] = in.dim(axis + 1 + d);
            outDims[d] = out.dim(axis + 1 + d);
            k[d] = op.kernel().get(d);
        }
        int kernelCount = Math.toIntExact(op.kernelCount());
        int inPlane = Math.toIntExact(in.count(axis + 1, in.rank()));
        int outPlane = Math.toIntExact(out.count(axis + 1, out.rank()));
        int[] kpos = new int[spatial];
        int[] opos = new int[spatial];
        int o = 0;
        for (int n = 0; n < items; n++) {
            for (int c = 0; c < channels; c++) {
                int base = (n * channels + c) * inPlane;
                for (int kk = 0; kk < kernelCount; kk++) {
                    unravel(kk, k, kpos);
                    for (int p = 0; p < outPlane; p++) {
                        unravel(p, outDims, opos);
                        int index = 0;
                        boolean padding = false;
                        for (int d = 0; d < spatial; d++) {
                            int i = opos[d] * op.stride().get(d) - op.pad().get(d) + kpos[d] * op.dilation().get(d);
                            padding |= i < 0 || i >= inDims[d];
                            index = index * inDims[d] + i;
                        }
                        y[o++] = padding ? 0f : x[base + index];
                    }
                }
            }
        }
    }

    /** Row-major coordinates of {@code flat} in {@code dims}. */
    private static void unravel(int flat, int[] dims, int[] coords) {
        for (int d = dims.length - 1; d >= 0; d--) {
            coords[d] = flat % dims[d];
            flat /= dims[d];
        }
    }

    /** Output item {@code i} is input item {@code index[i]} (Caffe's range check, then truncation). */
    static void batchReindex(Shape in, float[] x, float[] index, float[] y) {
        int items = in.dim(0);
        int inner = Math.toIntExact(in.count(1, in.rank()));
        for (int i = 0; i < index.length; i++) {
            int from = BatchReindex.index(index[i], i, items);
            System.arraycopy(x, from * inner, y, i * inner, inner);
        }
    }
}
