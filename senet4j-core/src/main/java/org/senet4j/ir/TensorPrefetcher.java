package org.senet4j.ir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes tensors' values into a file while the next chunks are made ready by other threads: a writer hands the
 * tensors it will write, in order, and then writes them one by one ({@link #write}) between its other output. Reading
 * a weight left in its caffemodel, scaling a folded one ({@link Tensor#computed}) and writing the previous chunk then
 * overlap, on all cores. Chunks are direct buffers from a fixed ring, each filled by one task and written in order.
 */
public final class TensorPrefetcher implements AutoCloseable {
    private record Piece(Tensor tensor, long at, int count) {
    }

    private final List<Tensor> tensors;
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
     * on {@code threads} threads.
     */
    public TensorPrefetcher(List<Tensor> tensors, int chunkBytes, int buffers, int threads) {
        if (chunkBytes < 4 || buffers < 2 || threads < 1) {
            throw new IllegalArgumentException("at least two chunks of one float and one thread");
        }
        this.tensors = List.copyOf(tensors);
        int per = chunkBytes / 4;
        firstPiece = new int[this.tensors.size() + 1];
        for (int i = 0; i < this.tensors.size(); i++) {
            firstPiece[i] = pieces.size();
            Tensor t = this.tensors.get(i);
            for (long at = 0, count = t.count(); at < count; at += per) {
                pieces.add(new Piece(t, at, (int) Math.min(per, count - at)));
            }
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

    /** Two chunk-filling threads (or one on a single core), 8 chunks ahead. */
    public TensorPrefetcher(List<Tensor> tensors, int chunkBytes) {
        this(tensors, chunkBytes, 8, Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())));
    }

    private void submit() {
        int j = submitted++;
        ByteBuffer b = ring[j % ring.length];
        Piece p = pieces.get(j);
        pending[j % ring.length] = pool.submit(() -> {
            b.clear().limit(4 * p.count());
            p.tensor().fill(p.at(), b);
            b.flip();
        });
    }

    /**
     * Writes the values of {@code t}, the next of the tensors given, to {@code out} at its position.
     *
     * @throws IOException when writing fails or making the values ready did (an {@link UncheckedIOException}'s cause
     *     is thrown as it is)
     */
    public void write(Tensor t, FileChannel out) throws IOException {
        if (next >= tensors.size() || tensors.get(next) != t) {
            throw new IllegalStateException("tensors must be written in the order they were given");
        }
        int end = firstPiece[++next];
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
