package org.senet4j.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The peak of used Java heap during some work: the larger of the heap in use before each garbage collection
 * (reported by the collectors) and samples taken every millisecond, minus the heap in use at the start.
 */
final class HeapProbe implements AutoCloseable {
    private final AtomicLong peak = new AtomicLong();
    private final long baseline;
    private final Thread sampler;
    private final List<Runnable> unregister = new ArrayList<>();
    private volatile boolean running = true;

    HeapProbe() {
        System.gc();
        baseline = used();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter em) {
                NotificationListener l = (n, h) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                                (CompositeData) n.getUserData());
                        long before = info.getGcInfo().getMemoryUsageBeforeGc().values().stream()
                                .filter(u -> u != null).mapToLong(MemoryUsage::getUsed).sum();
                        record(before);
                    }
                };
                em.addNotificationListener(l, null, null);
                unregister.add(() -> {
                    try {
                        em.removeNotificationListener(l);
                    } catch (javax.management.ListenerNotFoundException ignored) {
                        // already gone
                    }
                });
            }
        }
        sampler = new Thread(() -> {
            while (running) {
                record(used());
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-probe");
        sampler.setDaemon(true);
        sampler.start();
    }

    private static long used() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private void record(long v) {
        peak.accumulateAndGet(v, Math::max);
    }

    /** Peak heap above the starting point, in bytes. */
    long peakAboveBaseline() {
        record(used());
        return Math.max(0, peak.get() - baseline);
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
        unregister.forEach(Runnable::run);
    }
}
