package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MemoryPlannerTest {

    @Test
    void buffersWithDisjointLivesShareMemory() {
        List<MemoryPlanner.Request> r = List.of(new MemoryPlanner.Request(1000, 0, 1),
                new MemoryPlanner.Request(1000, 2, 3), new MemoryPlanner.Request(500, 1, 2));
        MemoryPlanner.Placement p = MemoryPlanner.place(r);
        MemoryPlanner.check(r, p);
        assertEquals(p.offsets()[0], p.offsets()[1], "the first two never live together");
        assertEquals(1024 + 512, p.arenaBytes());
    }

    @Test
    void aChainOfStepsNeedsTwoBuffers() {
        List<MemoryPlanner.Request> r = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            r.add(new MemoryPlanner.Request(4096, i, i + 1));
        }
        MemoryPlanner.Placement p = MemoryPlanner.place(r);
        MemoryPlanner.check(r, p);
        assertEquals(2 * 4096, p.arenaBytes());
    }

    @Test
    void randomLifetimesNeverOverlap() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++) {
            List<MemoryPlanner.Request> r = new ArrayList<>();
            int n = rnd.nextInt(1, 80);
            long total = 0;
            for (int i = 0; i < n; i++) {
                int first = rnd.nextInt(-1, 60);
                long bytes = rnd.nextInt(0, 3) == 0 ? rnd.nextLong(1, 1 << 20) : rnd.nextLong(0, 5000);
                r.add(new MemoryPlanner.Request(bytes, first, first + rnd.nextInt(0, 15)));
                total += MemoryPlanner.align(Math.max(1, bytes));
            }
            MemoryPlanner.Placement p = MemoryPlanner.place(r);
            MemoryPlanner.check(r, p);
            assertTrue(p.arenaBytes() <= total);
        }
    }

    @Test
    void checkFindsConflicts() {
        List<MemoryPlanner.Request> r = List.of(new MemoryPlanner.Request(100, 0, 2),
                new MemoryPlanner.Request(100, 2, 3));
        assertThrows(IllegalStateException.class,
                () -> MemoryPlanner.check(r, new MemoryPlanner.Placement(new long[] {0, 0}, 256)));
    }
}
