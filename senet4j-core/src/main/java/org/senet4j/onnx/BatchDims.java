package org.senet4j.onnx;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;

/**
 * Which dimensions of a graph's values follow the batch size. The graph's shapes are inferred a second time at twice
 * the batch size (twice, so that layers splitting the batch into equal parts still fit): a dimension that changes is
 * variable (the batch axis itself, or anything a reshape multiplied it into),
 * one that does not is fixed. A graph that cannot take another batch size (a Reshape with a fixed first dimension)
 * has only fixed dimensions.
 */
final class BatchDims {
    /** The symbolic name of the batch dimension in the exported model. */
    static final String BATCH = "N";

    private final Graph graph;
    private final Map<String, Shape> other;
    private final int batch;
    private final int otherBatch;

    private BatchDims(Graph graph, Map<String, Shape> other, int batch, int otherBatch) {
        this.graph = graph;
        this.other = other;
        this.batch = batch;
        this.otherBatch = otherBatch;
    }

    static BatchDims of(Graph g) {
        int b = g.batchSize();
        Map<String, Shape> other = new HashMap<>();
        try {
            Graph g2 = g.withBatchSize(2 * b);
            g2.values().forEach((name, v) -> other.put(name, v.shape()));
            return new BatchDims(g, other, b, 2 * b);
        } catch (ModelException | IllegalArgumentException | IndexOutOfBoundsException e) {
            g.values().forEach((name, v) -> other.put(name, v.shape()));
            return new BatchDims(g, other, b, b);
        }
    }

    /** Whether any value follows the batch size. */
    boolean dynamic() {
        return batch != otherBatch;
    }

    Dims of(String value) {
        return new Dims(graph.shape(value).dims(), other.get(value).dims());
    }

    /** A dimension is the batch itself when it is the first one and equals the batch size at both sizes. */
    boolean isBatch(Dims d, int i) {
        return i == 0 && d.a[0] == batch && d.b[0] == otherBatch && dynamic();
    }

    /**
     * The dimensions of one value at the graph's batch size ({@code a}) and at the other one ({@code b}); they are
     * equal where the dimension is fixed.
     */
    record Dims(int[] a, int[] b) {
        Dims {
            a = a.clone();
            b = b.clone();
        }

        static Dims fixed(int... d) {
            return new Dims(d, d);
        }

        int rank() {
            return a.length;
        }

        boolean variable(int i) {
            return a[i] != b[i];
        }

        boolean anyVariable() {
            return !Arrays.equals(a, b);
        }

        /** These dimensions followed by {@code n} ones. */
        Dims withOnes(int n) {
            int[] x = Arrays.copyOf(a, a.length + n);
            int[] y = Arrays.copyOf(b, b.length + n);
            Arrays.fill(x, a.length, x.length, 1);
            Arrays.fill(y, b.length, y.length, 1);
            return new Dims(x, y);
        }

        /** Dimensions {@code [0, to)} followed by the fixed dimensions {@code more}. */
        Dims prefix(int to, int... more) {
            int[] x = Arrays.copyOf(a, to + more.length);
            int[] y = Arrays.copyOf(b, to + more.length);
            System.arraycopy(more, 0, x, to, more.length);
            System.arraycopy(more, 0, y, to, more.length);
            return new Dims(x, y);
        }

        /** Whether dimension {@code i} of this and of {@code o} are the same at both batch sizes. */
        boolean sameAt(int i, Dims o) {
            return i < rank() && i < o.rank() && a[i] == o.a[i] && b[i] == o.b[i];
        }
    }
}
