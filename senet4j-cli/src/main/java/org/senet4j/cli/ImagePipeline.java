package org.senet4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.senet4j.preprocess.ImageDecoder;

/**
 * Decodes and preprocesses images batch by batch on background threads, one batch ahead of the caller, so that
 * decoding overlaps the model run. A file that cannot be read becomes an error entry; the others go on.
 */
final class ImagePipeline implements AutoCloseable {

    /**
     * One batch: for each file, its input tensor or, when it failed, the reason.
     */
    record Batch(List<Path> files, List<float[]> tensors, List<String> errors) {
        /** The tensors of the files that succeeded, concatenated, and how many there are. */
        float[] joined(int per) {
            int n = count();
            float[] out = new float[n * per];
            int i = 0;
            for (float[] t : tensors) {
                if (t != null) {
                    System.arraycopy(t, 0, out, i++ * per, per);
                }
            }
            return out;
        }

        int count() {
            return (int) tensors.stream().filter(t -> t != null).count();
        }
    }

    private final List<Path> files;
    private final int batch;
    private final Function<org.senet4j.preprocess.BgrImage, float[]> preprocess;
    private final ExecutorService pool;
    private int next;
    private CompletableFuture<Batch> ahead;

    ImagePipeline(List<Path> files, int batch, int threads,
                  Function<org.senet4j.preprocess.BgrImage, float[]> preprocess) {
        this.files = List.copyOf(files);
        this.batch = batch;
        this.preprocess = preprocess;
        this.pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "senet4j-decode");
            t.setDaemon(true);
            return t;
        });
        this.ahead = load();
    }

    boolean hasNext() {
        return ahead != null;
    }

    /** The next batch (waiting for it), starting to load the one after. */
    Batch next() {
        Batch b;
        try {
            b = ahead.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        ahead = load();
        return b;
    }

    private CompletableFuture<Batch> load() {
        if (next >= files.size()) {
            return null;
        }
        List<Path> chunk = files.subList(next, Math.min(files.size(), next + batch));
        next += chunk.size();
        List<CompletableFuture<Object>> parts = new ArrayList<>();
        for (Path p : chunk) {
            parts.add(CompletableFuture.supplyAsync(() -> one(p), pool));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<float[]> tensors = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            for (CompletableFuture<Object> f : parts) {
                Object o = f.join();
                tensors.add(o instanceof float[] t ? t : null);
                errors.add(o instanceof String s ? s : null);
            }
            return new Batch(chunk, tensors, errors);
        });
    }

    /** The tensor of one file, or the error message (naming the file). */
    private Object one(Path p) {
        try {
            return preprocess.apply(ImageDecoder.read(p));
        } catch (java.nio.file.NoSuchFileException e) {
            return p + ": no such file";
        } catch (IOException e) {
            String m = e.getMessage();
            return m != null && m.startsWith(p.toString()) ? m : p + ": " + m;
        } catch (IllegalArgumentException e) {
            return p + ": " + e.getMessage();
        } catch (OutOfMemoryError e) {
            return p + ": out of memory decoding it";
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
