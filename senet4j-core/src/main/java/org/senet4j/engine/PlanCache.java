package org.senet4j.engine;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An engine's compiled plans by batch size and fusion, least recently used first out: plans hold native memory, so an
 * evicted plan is closed. Not thread-safe: engines call it under their own lock.
 *
 * @param <P> the engine's plan type
 */
public final class PlanCache<P extends AutoCloseable> {
    /**
     * What a plan is compiled for: a batch size, and whether a ReLU that alone reads an op's output is computed in
     * that op's step (the op's own output then never exists). Engines compile an unfused plan only when a run asks
     * for such an output, as a blob-by-blob comparison does.
     */
    public record Key(int batch, boolean fuseRelu) {
    }

    /** Builds the plan for one key. */
    @FunctionalInterface
    public interface Factory<P> {
        P build(Key key) throws org.senet4j.ModelException;
    }

    private final int capacity;
    private final Map<Key, P> plans = new LinkedHashMap<>(8, 0.75f, true);

    public PlanCache(int capacity) {
        this.capacity = capacity;
    }

    /** The plan for {@code key}, built when absent (evicting and closing the least recently used one if full). */
    public P get(Key key, Factory<P> factory) throws org.senet4j.ModelException {
        P p = plans.get(key);
        if (p == null) {
            p = factory.build(key);
            plans.put(key, p);
            if (plans.size() > capacity) {
                Iterator<Map.Entry<Key, P>> it = plans.entrySet().iterator();
                closeQuietly(it.next().getValue());
                it.remove();
            }
        }
        return p;
    }

    /** Closes every plan. */
    public void clear() {
        plans.values().forEach(PlanCache::closeQuietly);
        plans.clear();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing a plan failed", e);
        }
    }
}
