package org.senet4j.ir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * Writes tensors' values into a file while the next chunks are made ready by other threads: a writer hands the
 * tensors it will write, in order, and then writes them one by one ({@link #write}) between its other output, or all
 * of them back to back ({@link #writeAll}). Reading a weight left in its caffemodel, scaling a folded one
 * ({@link Tensor#computed}) and writing the previous chunk then overlap, on all cores. Chunks are direct buffers from a
 * fixed ring, each filled by one task and written in order; for {@link #writeAll} one chunk packs consecutive small
 * tensors (a net's thousands of BatchNorm vectors then cost a few writes, not two system calls each).
 */
public final class TensorPrefetcher implements AutoCloseable {
    /** Values {@code [at, at + count)} of {@code tensor}. */
    private record Segment(Tensor tensor, long at, int count) {
    }

    /** What one chunk holds: one or more segments, in file order. */
    private record Piece(List<Segment> segments, int bytes) {
    }

    private final List<Tensor> tensors;
    private final boolean packed;
    /** The first piece of each tensor, for {@link #write}; a packed prefetcher's pieces span tensors (unused). */
    private final int[] firstPiece;
    private final List<Piece> pieces = new ArrayList<>();
    private final ByteBuffer[] ring;
    private final Future<?>[] pending;
    private final ExecutorService pool;
    private int submitted;
    private int written;
    private int next;

    /**
     * Starts making {@code tensors}' values ready, {@code chunkBytes} at a time, at most {@code buffers} chunks ahead,
     * on {@code threads} threads; chunks end at tensor boundaries, for {@link #write}.
     */
    public TensorPrefetcher(List<Tensor> tensors, int chunkBytes, int buffers, int threads) {
        this(tensors, chunkBytes, buffers, threads, false);
    }

    /** Two chunk-filling threads (or one on a single core), 8 chunks ahead; chunks end at tensor boundaries. */
    public TensorPrefetcher(List<Tensor> tensors, int chunkBytes) {
        this(tensors, chunkBytes, false);
    }

    /**
     * Like {@link #TensorPrefetcher(List, int)}, for {@link #writeAll}: a chunk holds the end of one tensor and the
     * start of the next ones up to {@code chunkBytes}.
     */
    public static TensorPrefetcher packed(List<Tensor> tensors, int chunkBytes) {
        return new TensorPrefetcher(tensors, chunkBytes, true);
    }

    private TensorPrefetcher(List<Tensor> tensors, int chunkBytes, boolean packed) {
        this(tensors, chunkBytes, 8, Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())), packed);
    }

    private TensorPrefetcher(List<Tensor> tensors, int chunkBytes, int buffers, int threads, boolean packed) {
        if (chunkBytes < 4 || buffers < 2 || threads < 1) {
            throw new IllegalArgumentException("at least two chunks of one float and one thread");
        }
        this.tensors = List.copyOf(tensors);
        this.packed = packed;
        int per = chunkBytes / 4;
        firstPiece = new int[this.tensors.size() + 1];
        List<Segment> open = new ArrayList<>();
        int used = 0;
        for (int i = 0; i < this.tensors.size(); i++) {
            if (!packed && used > 0) {
                pieces.add(new Piece(List.copyOf(open), 4 * used));
                open.clear();
                used = 0;
            }
            firstPiece[i] = pieces.size();
            Tensor t = this.tensors.get(i);
            for (long at = 0, count = t.count(); at < count; ) {
                int n = (int) Math.min(per - used, count - at);
                open.add(new Segment(t, at, n));
                used += n;
                at += n;
                if (used == per) {
                    pieces.add(new Piece(List.copyOf(open), 4 * used));
                    open.clear();
                    used = 0;
                }
            }
        }
        if (used > 0) {
            pieces.add(new Piece(List.copyOf(open), 4 * used));
        }
        firstPiece[this.tensors.size()] = pieces.size();
        ring = new ByteBuffer[buffers];
        for (int i = 0; i < buffers; i++) {
            ring[i] = ByteBuffer.allocateDirect(4 * per).order(ByteOrder.LITTLE_ENDIAN);
        }
        pending = new Future<?>[buffers];
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "senet4j-tensor-prefetch");
            t.setDaemon(true);
            return t;
        });
        while (submitted < Math.min(buffers, pieces.size())) {
            submit();
        }
    }

    private void submit() {
        int j = submitted++;
        ByteBuffer b = ring[j % ring.length];
        Piece p = pieces.get(j);
        pending[j % ring.length] = pool.submit(() -> {
            b.clear();
            for (Segment g : p.segments()) {
                b.limit(b.position() + 4 * g.count());
                g.tensor().fill(g.at(), b);
            }
            b.flip();
        });
    }

    /**
     * Writes the values of {@code t}, the next of the tensors given, to {@code out} at its position.
     *
     * @throws IOException when writing fails or making the values ready did (an {@link UncheckedIOException}'s cause
     *     is thrown as it is)
     */
    public void write(Tensor t, WritableByteChannel out) throws IOException {
        if (packed) {
            throw new IllegalStateException("a packed prefetcher writes all its tensors at once (writeAll)");
        }
        if (next >= tensors.size() || tensors.get(next) != t) {
            throw new IllegalStateException("tensors must be written in the order they were given");
        }
        writeUpTo(firstPiece[++next], out, null);
    }

    /**
     * Writes the values of every tensor given, back to back, to {@code out} at its position; {@code progress} (may
     * be null) gets each chunk's size in bytes once the chunk is written.
     */
    public void writeAll(WritableByteChannel out, LongConsumer progress) throws IOException {
        if (next != 0) {
            throw new IllegalStateException("some tensors were already written one by one");
        }
        next = tensors.size();
        writeUpTo(pieces.size(), out, progress);
    }

    private void writeUpTo(int end, WritableByteChannel out, LongConsumer progress) throws IOException {
        while (written < end) {
            int slot = written % ring.length;
            try {
                pending[slot].get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing weights");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof UncheckedIOException u) {
                    throw u.getCause();
                }
                if (c instanceof RuntimeException r) {
                    throw r;
                }
                if (c instanceof Error err) {
                    throw err;
                }
                throw new IOException(c);
            }
            ByteBuffer b = ring[slot];
            while (b.hasRemaining()) {
                out.write(b);
            }
            if (progress != null) {
                progress.accept(pieces.get(written).bytes());
            }
            written++;
            if (submitted < pieces.size()) {
                submit();
            }
        }
    }

    /**
     * Stops the threads (chunks not started are not made ready). They are not interrupted: an interrupt would close
     * the file channel a tensor may be reading from (an interruptible channel), which the graph still needs.
     */
    @Override
    public void close() {
        for (Future<?> f : pending) {
            if (f != null) {
                f.cancel(false);
            }
        }
        pool.shutdown();
    }
}
