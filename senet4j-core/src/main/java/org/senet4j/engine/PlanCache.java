package org.senet4j.engine;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An engine's compiled plans by batch size, least recently used first out: plans hold native memory, so an evicted
 * plan is closed. Not thread-safe: engines call it under their own lock.
 *
 * @param <P> the engine's plan type
 */
public final class PlanCache<P extends AutoCloseable> {
    /** Builds the plan for one batch size. */
    @FunctionalInterface
    public interface Factory<P> {
        P build(int batch) throws org.senet4j.ModelException;
    }

    private final int capacity;
    private final Map<Integer, P> plans = new LinkedHashMap<>(8, 0.75f, true);

    public PlanCache(int capacity) {
        this.capacity = capacity;
    }

    /** The plan for {@code batch}, built when absent (evicting and closing the least recently used one if full). */
    public P get(int batch, Factory<P> factory) throws org.senet4j.ModelException {
        P p = plans.get(batch);
        if (p == null) {
            p = factory.build(batch);
            plans.put(batch, p);
            if (plans.size() > capacity) {
                Iterator<Map.Entry<Integer, P>> it = plans.entrySet().iterator();
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
