package org.senet4j.engine.cuda;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Places buffers with known lifetimes in one arena so that buffers alive at the same time never overlap: greedy by
 * size (largest first, each at the lowest aligned offset that is free during its whole life). Lifetimes are closed
 * step intervals {@code [first, last]}: a buffer written by step {@code first} and last read by step {@code last}.
 * Two buffers whose intervals share a step never share memory (a step reads its inputs while it writes its outputs;
 * working in place is decided before, by giving input and output one buffer).
 */
final class MemoryPlanner {
    /** Alignment of every offset (cuDNN and vectorised kernels want at least 128 bytes). */
    static final long ALIGN = 256;

    private MemoryPlanner() {
    }

    /** One buffer to place. */
    record Request(long bytes, int first, int last) {
        Request {
            if (bytes < 0 || last < first) {
                throw new IllegalArgumentException("bad request: " + bytes + " bytes, steps " + first + ".." + last);
            }
        }

        boolean overlapsInTime(Request o) {
            return first <= o.last && o.first <= last;
        }
    }

    /** Offsets (one per request, same order) and the arena size. */
    record Placement(long[] offsets, long arenaBytes) {
    }

    static long align(long n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    static Placement place(List<Request> requests) {
        int n = requests.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.<Integer>comparingLong(i -> -requests.get(i).bytes())
                .thenComparingInt(i -> requests.get(i).first()).thenComparingInt(i -> i));
        long[] offsets = new long[n];
        java.util.Arrays.fill(offsets, -1);
        List<Integer> placed = new ArrayList<>();
        long arena = 0;
        for (int idx : order) {
            Request r = requests.get(idx);
            long size = align(Math.max(1, r.bytes()));
            List<long[]> busy = new ArrayList<>();
            for (int p : placed) {
                Request q = requests.get(p);
                if (q.overlapsInTime(r)) {
                    busy.add(new long[] {offsets[p], offsets[p] + align(Math.max(1, q.bytes()))});
                }
            }
            busy.sort(Comparator.comparingLong(b -> b[0]));
            long at = 0;
            for (long[] b : busy) {
                if (at + size <= b[0]) {
                    break;
                }
                at = Math.max(at, b[1]);
            }
            offsets[idx] = at;
            placed.add(idx);
            arena = Math.max(arena, at + size);
        }
        return new Placement(offsets, arena);
    }

    /** Checks a placement: no two buffers alive at the same step overlap. Throws naming the first conflict. */
    static void check(List<Request> requests, Placement p) {
        for (int i = 0; i < requests.size(); i++) {
            Request a = requests.get(i);
            long a0 = p.offsets()[i];
            long a1 = a0 + a.bytes();
            if (a0 < 0 || a0 % ALIGN != 0 || a1 > p.arenaBytes()) {
                throw new IllegalStateException("buffer " + i + " at " + a0 + " is misplaced (arena " + p.arenaBytes()
                        + ")");
            }
            for (int j = i + 1; j < requests.size(); j++) {
                Request b = requests.get(j);
                long b0 = p.offsets()[j];
                long b1 = b0 + b.bytes();
                if (a.overlapsInTime(b) && a0 < b1 && b0 < a1 && a.bytes() > 0 && b.bytes() > 0) {
                    throw new IllegalStateException("buffers " + i + " " + a + " and " + j + " " + b
                            + " overlap at [" + Math.max(a0, b0) + ", " + Math.min(a1, b1) + ")");
                }
            }
        }
    }
}
