package org.senet4j.engine.ref;

/**
 * {@code std::sort} as GCC's libstdc++ implements it (introsort: median-of-three quicksort down to runs of 16, heap
 * sort past the depth limit 2 log2(n), then one insertion sort), step for step, so that elements the comparison
 * calls equal end in the order a Caffe build with GCC gives them. {@code std::sort} is not stable; where a Caffe layer
 * sorts with it (the SSD fork's {@code keep_top_k}), only this reproduces its ties.
 */
final class StdSort {
    private StdSort() {
    }

    /** The comparison: whether {@code a} goes before {@code b} (C++'s {@code comp(a, b)}). */
    @FunctionalInterface
    interface Less {
        boolean test(int a, int b);
    }

    private static final int THRESHOLD = 16;

    /** Sorts {@code v} (element values, e.g. indices into the caller's arrays) in place. */
    static void sort(int[] v, Less less) {
        int n = v.length;
        if (n > 0) {
            introsortLoop(v, 0, n, 2 * (31 - Integer.numberOfLeadingZeros(n)), less);
            finalInsertionSort(v, 0, n, less);
        }
    }

    private static void introsortLoop(int[] v, int first, int last, int depth, Less less) {
        while (last - first > THRESHOLD) {
            if (depth == 0) {
                heapSelect(v, first, last, last, less);
                sortHeap(v, first, last, less);
                return;
            }
            depth--;
            int cut = unguardedPartitionPivot(v, first, last, less);
            introsortLoop(v, cut, last, depth, less);
            last = cut;
        }
    }

    private static int unguardedPartitionPivot(int[] v, int first, int last, Less less) {
        int mid = first + (last - first) / 2;
        moveMedianToFirst(v, first, first + 1, mid, last - 1, less);
        return unguardedPartition(v, first + 1, last, first, less);
    }

    private static void moveMedianToFirst(int[] v, int result, int a, int b, int c, Less less) {
        if (less.test(v[a], v[b])) {
            if (less.test(v[b], v[c])) {
                swap(v, result, b);
            } else if (less.test(v[a], v[c])) {
                swap(v, result, c);
            } else {
                swap(v, result, a);
            }
        } else if (less.test(v[a], v[c])) {
            swap(v, result, a);
        } else if (less.test(v[b], v[c])) {
            swap(v, result, c);
        } else {
            swap(v, result, b);
        }
    }

    private static int unguardedPartition(int[] v, int first, int last, int pivot, Less less) {
        while (true) {
            while (less.test(v[first], v[pivot])) {
                first++;
            }
            last--;
            while (less.test(v[pivot], v[last])) {
                last--;
            }
            if (!(first < last)) {
                return first;
            }
            swap(v, first, last);
            first++;
        }
    }

    private static void finalInsertionSort(int[] v, int first, int last, Less less) {
        if (last - first > THRESHOLD) {
            insertionSort(v, first, first + THRESHOLD, less);
            for (int i = first + THRESHOLD; i < last; i++) {
                unguardedLinearInsert(v, i, less);
            }
        } else {
            insertionSort(v, first, last, less);
        }
    }

    private static void insertionSort(int[] v, int first, int last, Less less) {
        if (first == last) {
            return;
        }
        for (int i = first + 1; i < last; i++) {
            if (less.test(v[i], v[first])) {
                int val = v[i];
                System.arraycopy(v, first, v, first + 1, i - first);
                v[first] = val;
            } else {
                unguardedLinearInsert(v, i, less);
            }
        }
    }

    private static void unguardedLinearInsert(int[] v, int last, Less less) {
        int val = v[last];
        int next = last - 1;
        while (less.test(val, v[next])) {
            v[last] = v[next];
            last = next;
            next--;
        }
        v[last] = val;
    }

    private static void heapSelect(int[] v, int first, int middle, int last, Less less) {
        makeHeap(v, first, middle, less);
        for (int i = middle; i < last; i++) {
            if (less.test(v[i], v[first])) {
                popHeap(v, first, middle, i, less);
            }
        }
    }

    private static void sortHeap(int[] v, int first, int last, Less less) {
        while (last - first > 1) {
            last--;
            popHeap(v, first, last, last, less);
        }
    }

    private static void popHeap(int[] v, int first, int last, int result, Less less) {
        int value = v[result];
        v[result] = v[first];
        adjustHeap(v, first, 0, last - first, value, less);
    }

    private static void makeHeap(int[] v, int first, int last, Less less) {
        int len = last - first;
        if (len < 2) {
            return;
        }
        int parent = (len - 2) / 2;
        while (true) {
            adjustHeap(v, first, parent, len, v[first + parent], less);
            if (parent == 0) {
                return;
            }
            parent--;
        }
    }

    private static void adjustHeap(int[] v, int first, int hole, int len, int value, Less less) {
        int top = hole;
        int second = hole;
        while (second < (len - 1) / 2) {
            second = 2 * (second + 1);
            if (less.test(v[first + second], v[first + second - 1])) {
                second--;
            }
            v[first + hole] = v[first + second];
            hole = second;
        }
        if ((len & 1) == 0 && second == (len - 2) / 2) {
            second = 2 * (second + 1);
            v[first + hole] = v[first + second - 1];
            hole = second - 1;
        }
        int parent = (hole - 1) / 2;
        while (hole > top && less.test(v[first + parent], value)) {
            v[first + hole] = v[first + parent];
            hole = parent;
            parent = (hole - 1) / 2;
        }
        v[first + hole] = value;
    }

    private static void swap(int[] v, int i, int j) {
        int t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}
