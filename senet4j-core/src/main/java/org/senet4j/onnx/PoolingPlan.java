package org.senet4j.onnx;

import org.senet4j.ModelException;
import org.senet4j.ir.op.Pooling;

/**
 * How one Caffe Pooling becomes ONNX ops that compute exactly Caffe's output shape and values, with
 * {@code ceil_mode = 0} and explicit pads only (so any ONNX runtime gives the same result).
 *
 * <p>Per spatial axis (input {@code H}, kernel {@code k}, stride {@code s}, pad {@code p}, Caffe's output {@code o}):
 * ONNX's floor rule {@code floor((H + p + e - k) / s) + 1} gives {@code o} for end pads {@code e} from
 * {@code e0 = (o - 1) s + k - H - p} to {@code e0 + s - 1}. The plan keeps {@code e = p} when that is in range (no
 * ceil overhang) and takes {@code e = e0 > p} otherwise.
 *
 * <ul>
 *   <li>MAX ignores padding in both Caffe and ONNX, so {@code MaxPool} with pads {@code [p, e]} is exact. A window
 *   that lies wholly beyond the input (possible only without padding and with stride > kernel) gives -FLT_MAX in
 *   Caffe; there the input is first padded at the end with -FLT_MAX, because ONNX runtimes reject pads of a kernel's
 *   size or more.</li>
 *   <li>AVE divides by the window clipped to {@code [-p, H + p)}. With {@code e = p} on both axes every window lies
 *   within that range and {@code AveragePool} with {@code count_include_pad = 1} is exact. Otherwise the input is
 *   padded with {@code p} zeros on each side by a {@code Pad} op and pooled with end pads {@code e - p} and
 *   {@code count_include_pad = 0}: the zeros count in sum and divisor, the ceil overhang counts in neither.</li>
 * </ul>
 *
 * @param global       use GlobalMaxPool / GlobalAveragePool (no other field applies)
 * @param prePad       explicit padding before the pool as {@code [top, left, bottom, right]}, or null for none
 * @param prePadValue  the value of that padding
 * @param pads         the pool's own pads {@code [top, left, bottom, right]}
 * @param countIncludePad the AveragePool attribute
 */
record PoolingPlan(boolean global, int[] prePad, float prePadValue, int[] pads, boolean countIncludePad) {

    /**
     * @throws ModelException for an AVE pooling whose last window starts beyond the padded input (Caffe divides by a
     *     window size of zero or less there)
     */
    static PoolingPlan of(Pooling op, int h, int w, int outH, int outW) throws ModelException {
        if (op.global()) {
            return new PoolingPlan(true, null, 0f, new int[4], false);
        }
        int eh = endPad(h, op.kernelH(), op.strideH(), op.padH(), outH);
        int ew = endPad(w, op.kernelW(), op.strideW(), op.padW(), outW);
        if (op.method() == Pooling.Method.MAX) {
            int preH = eh >= op.kernelH() ? eh : 0;
            int preW = ew >= op.kernelW() ? ew : 0;
            int[] pre = preH + preW == 0 ? null : new int[] {0, 0, preH, preW};
            return new PoolingPlan(false, pre, -Float.MAX_VALUE,
                    new int[] {op.padH(), op.padW(), eh - preH, ew - preW}, false);
        }
        checkAveWindow(h, op.kernelH(), op.strideH(), op.padH(), outH, "pooling_param.stride");
        checkAveWindow(w, op.kernelW(), op.strideW(), op.padW(), outW, "pooling_param.stride");
        if (eh == op.padH() && ew == op.padW()) {
            return new PoolingPlan(false, null, 0f, new int[] {op.padH(), op.padW(), eh, ew}, true);
        }
        int[] pre = op.padH() + op.padW() == 0 ? null : new int[] {op.padH(), op.padW(), op.padH(), op.padW()};
        return new PoolingPlan(false, pre, 0f, new int[] {0, 0, eh - op.padH(), ew - op.padW()}, false);
    }

    /** The ONNX end pad for one axis (see the class comment); checks that ONNX's floor rule then gives {@code out}. */
    static int endPad(int in, int k, int s, int p, int out) {
        int e0 = (out - 1) * s + k - in - p;
        int e = e0 > p ? e0 : p;
        if (Math.floorDiv(in + p + e - k, s) + 1 != out || e < 0) {
            throw new IllegalStateException("no ONNX end pad gives Caffe's pooled size " + out + " for input " + in
                    + ", kernel " + k + ", stride " + s + ", pad " + p);
        }
        return e;
    }

    private static void checkAveWindow(int in, int k, int s, int p, int out, String field) throws ModelException {
        int lastStart = (out - 1) * s - p;
        if (lastStart >= in + p) {
            throw ModelException.field(field, "the last AVE window starts at " + lastStart + ", beyond the padded input"
                    + " (" + in + " + pad " + p + "); Caffe divides by a window size of " + (in + p - lastStart)
                    + " there, which ONNX cannot express");
        }
    }

    /** The pooled size ONNX computes from these pads for an input axis of {@code in} (after any pre-padding). */
    static int onnxOutput(int in, int k, int s, int padBegin, int padEnd) {
        return Math.floorDiv(in + padBegin + padEnd - k, s) + 1;
    }
}
