package org.senet4j.engine.cuda;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.LongPointer;

/**
 * One launch of one of the engine's kernels, described on the host and checked against the kernel's signature when
 * it is made (argument count and kinds), bound to its arguments once the plan's memory is known, then launched any
 * number of times without allocating.
 *
 * <p>Arguments: an {@link Address} (a planned value, a weight buffer) or {@link #NULL} for pointers, {@link Long} for
 * {@code i64}, {@link Integer} for {@code int}, {@link Float} for {@code float}.
 */
final class KernelCall implements AutoCloseable {
    /** A null pointer argument. */
    static final Address NULL = () -> 0L;

    final String kernel;
    final int[] grid;
    final int[] block;
    private final List<Object> args;
    private LongPointer slots;
    private LongPointer params;
    private CUfunc_st function;

    KernelCall(String kernel, int[] grid, int[] block, List<?> args) {
        this.kernel = kernel;
        this.grid = grid.clone();
        this.block = block.clone();
        this.args = new ArrayList<>(args);
        KernelSource.Signature sig = KernelSource.signature(kernel);
        if (sig.params().size() != args.size()) {
            throw new IllegalArgumentException("kernel " + kernel + " takes " + sig.params().size() + " arguments "
                    + sig.paramNames() + ", got " + args.size());
        }
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            KernelSource.ArgType t = sig.params().get(i);
            boolean ok = switch (t) {
                case PTR -> a instanceof Address;
                case I64 -> a instanceof Long;
                case I32 -> a instanceof Integer;
                case F32 -> a instanceof Float;
            };
            if (!ok) {
                throw new IllegalArgumentException("kernel " + kernel + " argument " + i + " ("
                        + sig.paramNames().get(i) + ") must be " + t + ", got "
                        + (a == null ? "null" : a.getClass().getSimpleName()));
            }
        }
        for (int d : this.grid) {
            if (d <= 0) {
                throw new IllegalArgumentException("kernel " + kernel + ": empty grid " + java.util.Arrays.toString(grid));
            }
        }
    }

    /** A launch over {@code n} elements with a grid-stride loop: 256 threads a block, at most {@code maxBlocks}. */
    static KernelCall elementwise(String kernel, long n, int maxBlocks, List<?> args) {
        long blocks = Math.max(1, Math.min((n + 255) / 256, maxBlocks));
        return new KernelCall(kernel, new int[] {(int) blocks, 1, 1}, new int[] {256, 1, 1}, args);
    }

    List<Object> args() {
        return java.util.Collections.unmodifiableList(args);
    }

    /**
     * The argument slots as the launch passes them: one 8-byte slot per argument (pointers and {@code i64} whole,
     * {@code int} and {@code float} in the low 4 bytes, little-endian), resolved now. Addresses must be known.
     */
    long[] slotValues() {
        long[] v = new long[args.size()];
        for (int i = 0; i < v.length; i++) {
            Object a = args.get(i);
            if (a instanceof Address ad) {
                v[i] = ad.address();
            } else if (a instanceof Long l) {
                v[i] = l;
            } else if (a instanceof Integer n) {
                v[i] = n & 0xffffffffL;
            } else {
                v[i] = Float.floatToRawIntBits((Float) a) & 0xffffffffL;
            }
        }
        return v;
    }

    /**
     * Packs the arguments into native memory: {@code kernelParams} is an array of pointers to the slots.
     *
     * @param fn the kernel function, from the loaded module
     */
    void bind(CUfunc_st fn) {
        closeNative();
        long[] v = slotValues();
        slots = new LongPointer(Math.max(1, v.length));
        params = new LongPointer(Math.max(1, v.length));
        for (int i = 0; i < v.length; i++) {
            slots.put(i, v[i]);
            params.put(i, slots.address() + 8L * i);
        }
        function = fn;
    }

    /** The native {@code kernelParams} array (for tests: its entries point at the slots). */
    LongPointer params() {
        return params;
    }

    LongPointer slots() {
        return slots;
    }

    void launch(CUstream_st stream, String layer) {
        if (function == null) {
            throw new IllegalStateException("kernel " + kernel + " launched before bind");
        }
        Cuda.checkDriver(cudart.cuLaunchKernel(function, grid[0], grid[1], grid[2], block[0], block[1], block[2], 0,
                stream, params, null), "cuLaunchKernel(" + kernel + ")", layer);
    }

    private void closeNative() {
        if (slots != null) {
            slots.close();
            params.close();
            slots = null;
            params = null;
        }
    }

    @Override
    public void close() {
        closeNative();
    }

    @Override
    public String toString() {
        return kernel + " grid " + java.util.Arrays.toString(grid) + " block " + java.util.Arrays.toString(block);
    }
}
