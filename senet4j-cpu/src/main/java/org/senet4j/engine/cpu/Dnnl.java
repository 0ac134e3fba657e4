package org.senet4j.engine.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.stream;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Pointer;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Activation;

/**
 * The oneDNN objects of one engine (CPU engine and stream) and small helpers. Keeps every JavaCPP object it makes
 * reachable until {@link #close}, since native objects must outlive the primitives that use them.
 */
final class Dnnl implements AutoCloseable {
    static final memory.data_type F32 = memory.data_type.f32;
    static final memory.data_type BF16 = memory.data_type.bf16;

    final engine engine;
    final stream stream;
    private final List<Pointer> keep = new ArrayList<>();

    Dnnl() {
        engine = new engine(org.bytedeco.dnnl.engine.kind.cpu, 0);
        stream = new stream(engine);
    }

    <T extends Pointer> T keep(T p) {
        keep.add(p);
        return p;
    }

    static long[] dims(Shape s) {
        long[] d = new long[s.rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = s.dim(i);
        }
        return d;
    }

    /** The engine's layout of a value: NHWC for 4-D values, row-major otherwise (dims are always logical). */
    memory.desc desc(Shape s) {
        return keep(new memory.desc(dims(s), F32, tag(s.rank(), true)));
    }

    /** A buffer's layout with its element type. */
    memory.desc desc(Buf b) {
        return desc(b.shape, b.dtype);
    }

    /** The engine's layout of a value of this element type. */
    memory.desc desc(Shape s, memory.data_type type) {
        return keep(new memory.desc(dims(s), type, tag(s.rank(), true)));
    }

    memory.desc desc(Shape s, memory.format_tag tag) {
        return keep(new memory.desc(dims(s), F32, tag));
    }

    static memory.format_tag tag(int rank, boolean nhwc) {
        return switch (rank) {
            case 1 -> memory.format_tag.a;
            case 2 -> memory.format_tag.ab;
            case 3 -> memory.format_tag.abc;
            case 4 -> nhwc ? memory.format_tag.acdb : memory.format_tag.abcd;
            case 5 -> memory.format_tag.abcde;
            case 6 -> memory.format_tag.abcdef;
            default -> throw new IllegalArgumentException("rank " + rank + " is not supported");
        };
    }

    memory memory(memory.desc d, Pointer handle) {
        return keep(new memory(d, engine, handle));
    }

    /** A oneDNN-owned memory of this layout (for weights in the primitive's chosen format). */
    memory allocate(memory.desc d) {
        return keep(new memory(d, engine));
    }

    primitive_attr attr(Activation act) {
        post_ops po = keep(new post_ops());
        appendActivation(po, act);
        primitive_attr a = keep(new primitive_attr());
        a.set_post_ops(po);
        return a;
    }

    static void appendActivation(post_ops po, Activation act) {
        switch (act.kind()) {
            case RELU -> po.append_eltwise(dnnl.algorithm.eltwise_relu, act.alpha(), 0f);
            case SIGMOID -> po.append_eltwise(dnnl.algorithm.eltwise_logistic, 0f, 0f);
            case NONE -> { }
        }
    }

    IntMemoryMap args(Object... kv) {
        IntMemoryMap m = keep(new IntMemoryMap());
        for (int i = 0; i < kv.length; i += 2) {
            m.put((Integer) kv[i], (memory) kv[i + 1]);
        }
        return m;
    }

    /** The argument index of the second source of binary post-op {@code index}. */
    static int postOpSrc1(int index) {
        return DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE * (index + 1) | dnnl.DNNL_ARG_SRC_1;
    }

    void waitStream() {
        stream._wait();
    }

    @Override
    public void close() {
        for (int i = keep.size() - 1; i >= 0; i--) {
            keep.get(i).close();
        }
        keep.clear();
        stream.close();
        engine.close();
    }
}
