package org.senet4j.ir.op;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * Caffe's SPP (spatial pyramid pooling) of an N x C x H x W input: one Pooling per pyramid level
 * {@code l = 0 .. pyramidHeight - 1}, each flattened per item, concatenated along axis 1 in level order.
 *
 * <p>Level {@code l} pools into {@code bins = 2^l} cells per axis with Caffe's own Pooling (ceil rounding and its clip
 * rule) whose parameters {@code spp_layer.cpp} derives from the input size: {@code kernel = ceil(H / bins)},
 * {@code pad = (kernel * bins - H + 1) / 2}, {@code stride = kernel} (likewise for W). The pad can make the last
 * window hang over the bottom or right edge; MAX ignores those cells and AVE counts them (as {@link Pooling} does).
 * Caffe's Pooling requires {@code pad < kernel}: a level whose pad reaches its kernel (a pyramid too high for the
 * input, e.g. height 3 on H = 5) aborts Caffe and is refused here, naming {@code spp_param.pyramid_height}. STOCHASTIC
 * is {@link Pooling}'s test-time formula, which Caffe runs without padding only: every level must then pad nothing
 * (H and W divisible by {@code 2^(pyramidHeight - 1)}), else it is refused naming {@code spp_param.pool}.
 *
 * <p>Output: {@code N x C*sum(cells of each level)}; with {@code pyramidHeight} 1 Caffe's SPP is the one Pooling
 * itself, and the output stays {@code N x C x 1 x 1}.
 */
public record SPP(int pyramidHeight, Pooling.Method method) implements Op {
    public SPP {
        Checks.positive(pyramidHeight, "pyramidHeight");
        Objects.requireNonNull(method, "method");
    }

    /**
     * The Pooling of level {@code l} for an {@code h x w} input (Caffe's {@code SPPLayer::GetPoolingParam}).
     *
     * @throws ModelException naming {@code spp_param.pyramid_height} when Caffe's Pooling would refuse it
     */
    public Pooling level(int l, int h, int w) throws ModelException {
        long[] kh = axis(l, h);
        long[] kw = axis(l, w);
        if (kh == null || kw == null || kh[1] >= kh[0] || kw[1] >= kw[0]) {
            String k = kh == null || kw == null ? "kernel 1 and a pad of at least 1"
                    : "kernel " + kh[0] + "x" + kw[0] + " and pad " + kh[1] + "x" + kw[1];
            throw ModelException.field("spp_param.pyramid_height", "pyramid height " + pyramidHeight + " is too "
                    + "high for a " + h + "x" + w + " input: level " + l + " (" + (1L << Math.min(l, 62))
                    + " bins per axis) pools with " + k + ", and Caffe's Pooling requires the pad to be smaller "
                    + "than the kernel (it aborts); at most " + maxHeight(h, w) + " levels fit this input");
        }
        if (method == Pooling.Method.STOCHASTIC && (kh[1] != 0 || kw[1] != 0)) {
            throw ModelException.field("spp_param.pool", "STOCHASTIC pooling takes no padding (Caffe's Pooling "
                    + "aborts), but level " + l + " of a " + h + "x" + w + " input pads " + kh[1] + "x" + kw[1]
                    + "; STOCHASTIC needs both sides divisible by " + (1L << Math.min(pyramidHeight - 1, 62)));
        }
        return new Pooling(method, (int) kh[0], (int) kw[0], (int) kh[0], (int) kw[0], (int) kh[1], (int) kw[1],
                false, true);
    }

    /** Kernel and pad of level {@code l} along an axis of {@code size}, or null when the bins outnumber 2^62. */
    private static long[] axis(int l, int size) {
        if (l > 62) {
            return null;
        }
        long bins = 1L << l;
        long kernel = (size + bins - 1) / bins;
        long remainder = kernel * bins - size;
        return new long[] {kernel, (remainder + 1) / 2};
    }

    /** The largest pyramid height whose levels Caffe's Pooling accepts on an {@code h x w} input. */
    public static int maxHeight(int h, int w) {
        int l = 0;
        while (true) {
            long[] a = axis(l, h);
            long[] b = axis(l, w);
            if (a == null || b == null || a[1] >= a[0] || b[1] >= b[0]) {
                return l;
            }
            l++;
        }
    }

    /** The pooled shape of every level for input {@code in}. */
    public List<Shape> levelShapes(Shape in) throws ModelException {
        List<Shape> out = new ArrayList<>();
        for (int l = 0; l < pyramidHeight; l++) {
            out.add(level(l, in.dim(2), in.dim(3)).outputShapes(List.of(in)).get(0));
        }
        return out;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        Checks.arity(inputs, 1, 1);
        Shape in = inputs.get(0);
        Checks.rank(in, 4, 4, "the input of SPP");
        if (pyramidHeight > maxHeight(in.dim(2), in.dim(3))) {
            level(maxHeight(in.dim(2), in.dim(3)), in.dim(2), in.dim(3)); // throws, naming the level
        }
        List<Shape> levels = levelShapes(in);
        if (pyramidHeight == 1) {
            return levels;
        }
        long total = 0;
        for (Shape s : levels) {
            total += s.count(1, 4);
        }
        if (total > Integer.MAX_VALUE) {
            throw ModelException.field("spp_param.pyramid_height", "the pyramid of input " + in + " is too large");
        }
        return List.of(Shape.of(in.dim(0), (int) total));
    }
}
