package org.senet4j.ir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Writes tensors' values into a file while the next chunks are computed on a second thread: a writer hands the
 * tensors it will write, in order, and then writes them one by one ({@link #write}) between its other output. The
 * computing of a {@link Tensor#computed computed} tensor (a folded weight read from its caffemodel and scaled) and the
 * writing of the previous chunk then overlap. Chunks are direct buffers from a small fixed pool.
 */
public final class TensorPrefetcher implements AutoCloseable {
    private static final ByteBuffer END = ByteBuffer.allocate(0);

    private final List<Tensor> tensors;
    private final int chunkFloats;
    private final BlockingQueue<ByteBuffer> free;
    private final BlockingQueue<ByteBuffer> full;
    private final Thread worker;
    private volatile Throwable failure;
    private volatile boolean stopped;
    private int next;

    /** Starts computing {@code tensors}' values, {@code chunkBytes} at a time, at most {@code buffers} ahead. */
    public TensorPrefetcher(List<Tensor> tensors, int chunkBytes, int buffers) {
        if (chunkBytes < 4 || buffers < 2) {
            throw new IllegalArgumentException("at least two chunks of one float");
        }
        this.tensors = List.copyOf(tensors);
        this.chunkFloats = chunkBytes / 4;
        this.free = new ArrayBlockingQueue<>(buffers);
        this.full = new ArrayBlockingQueue<>(buffers + 1);
        for (int i = 0; i < buffers; i++) {
            free.add(ByteBuffer.allocateDirect(4 * chunkFloats).order(ByteOrder.LITTLE_ENDIAN));
        }
        this.worker = new Thread(this::produce, "senet4j-tensor-prefetch");
        worker.setDaemon(true);
        worker.start();
    }

    private void produce() {
        try {
            for (Tensor t : tensors) {
                for (long at = 0, count = t.count(); at < count; ) {
                    int n = (int) Math.min(count - at, chunkFloats);
                    ByteBuffer b;
                    while ((b = free.poll(20, TimeUnit.MILLISECONDS)) == null) {
                        if (stopped) {
                            return;
                        }
                    }
                    b.clear().limit(4 * n);
                    t.fill(at, b);
                    b.flip();
                    full.add(b); // room for every buffer and the end mark: never blocks
                    at += n;
                }
            }
        } catch (InterruptedException e) {
            return;
        } catch (RuntimeException | Error e) {
            failure = e;
            full.offer(END);
        }
    }

    /**
     * Writes the values of {@code t}, the next of the tensors given, to {@code out} at its position.
     *
     * @throws IOException when writing fails or computing the values did (an {@link UncheckedIOException}'s cause is
     *     thrown as it is)
     */
    public void write(Tensor t, FileChannel out) throws IOException {
        if (next >= tensors.size() || tensors.get(next) != t) {
            throw new IllegalStateException("tensors must be written in the order they were given");
        }
        next++;
        long left = t.count();
        while (left > 0) {
            ByteBuffer b;
            try {
                b = full.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing weights");
            }
            if (b == END) {
                Throwable f = failure;
                if (f instanceof UncheckedIOException u) {
                    throw u.getCause();
                }
                if (f instanceof RuntimeException r) {
                    throw r;
                }
                throw (Error) f;
            }
            left -= b.remaining() / 4;
            while (b.hasRemaining()) {
                out.write(b);
            }
            free.add(b);
        }
    }

    /**
     * Stops the second thread (the tensors not written are not computed further). It is not interrupted: an
     * interrupt would close the file channel a tensor may be reading from (an interruptible channel), which the graph
     * still needs.
     */
    @Override
    public void close() {
        stopped = true;
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
