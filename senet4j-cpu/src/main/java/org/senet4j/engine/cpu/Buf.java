package org.senet4j.engine.cpu;

import java.nio.FloatBuffer;
import org.bytedeco.dnnl.memory;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;
import org.senet4j.ir.Shape;

/**
 * The storage of one graph value in the CPU engine: a logical shape, a physical layout (NHWC for 4-D values,
 * row-major otherwise), an element type (float32, or bfloat16 in a bf16 plan) and a place in a {@link Block} of
 * native memory assigned by the memory plan. Several values whose lives do not overlap share a block. The element
 * type is settled while the plan chooses its steps, before memory is planned and primitives are bound.
 */
final class Buf {
    final String value;
    final Shape shape;
    final boolean nhwc;
    final int count;
    memory.data_type dtype = Dnnl.F32;
    Block block;
    private memory mem;
    private FloatBuffer view;

    Buf(String value, Shape shape) {
        this.value = value;
        this.shape = shape;
        this.nhwc = shape.rank() == 4;
        this.count = Math.toIntExact(shape.count());
    }

    Pointer pointer() {
        return block.pointer;
    }

    boolean isBf16() {
        return dtype == Dnnl.BF16;
    }

    /** Bytes of storage: 4 per float32 element, 2 per bfloat16 element. */
    long bytes() {
        return (long) count * (isBf16() ? 2 : 4);
    }

    /** The oneDNN memory of this value in its layout and element type (created once). */
    memory mem(Dnnl d) {
        if (mem == null) {
            mem = d.memory(d.desc(this), block.pointer);
        }
        return mem;
    }

    /** The oneDNN memory of this value's bytes seen with another logical shape or layout. */
    memory mem(Dnnl d, memory.desc desc) {
        return d.memory(desc, block.pointer);
    }

    /** A native-order view of the values in their physical order (float32 buffers: Java steps read only those). */
    FloatBuffer floats() {
        if (isBf16()) {
            throw new IllegalStateException(this + " holds bf16 values; the plan gives Java steps float32 copies");
        }
        if (view == null) {
            view = new FloatPointer(block.pointer).capacity(count).asBuffer();
        }
        return view;
    }

    /** The values in their physical order as float32 (bfloat16 values widened exactly). */
    private FloatBuffer physical() {
        if (!isBf16()) {
            return floats();
        }
        java.nio.ShortBuffer h = new ShortPointer(block.pointer).capacity(count).asBuffer();
        FloatBuffer f = FloatBuffer.allocate(count);
        for (int i = 0; i < count; i++) {
            f.put(i, Float.intBitsToFloat((h.get(i) & 0xffff) << 16));
        }
        return f;
    }

    /** Copies the values out in Caffe's logical (row-major N x C x H x W) order. */
    float[] readLogical() {
        float[] out = new float[count];
        FloatBuffer f = physical();
        if (!nhwc || (shape.dim(2) == 1 && shape.dim(3) == 1) || shape.dim(1) == 1) {
            f.get(0, out);
            return out;
        }
        int n = shape.dim(0);
        int c = shape.dim(1);
        int hw = shape.dim(2) * shape.dim(3);
        for (int b = 0; b < n; b++) {
            int base = b * c * hw;
            for (int p = 0; p < hw; p++) {
                int src = base + p * c;
                for (int ch = 0; ch < c; ch++) {
                    out[base + ch * hw + p] = f.get(src + ch);
                }
            }
        }
        return out;
    }

    /** Stores values given in Caffe's logical order. */
    void writeLogical(float[] in) {
        FloatBuffer f = floats();
        if (!nhwc || (shape.dim(2) == 1 && shape.dim(3) == 1) || shape.dim(1) == 1) {
            f.put(0, in);
            return;
        }
        int n = shape.dim(0);
        int c = shape.dim(1);
        int hw = shape.dim(2) * shape.dim(3);
        for (int b = 0; b < n; b++) {
            int base = b * c * hw;
            for (int p = 0; p < hw; p++) {
                int dst = base + p * c;
                for (int ch = 0; ch < c; ch++) {
                    f.put(dst + ch, in[base + ch * hw + p]);
                }
            }
        }
    }

    @Override
    public String toString() {
        return value + "[" + shape + (nhwc ? " nhwc" : "") + (isBf16() ? " bf16" : "") + "]";
    }
}
