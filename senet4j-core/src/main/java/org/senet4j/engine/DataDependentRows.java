package org.senet4j.engine;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.DetectionOutput;
import org.senet4j.ir.op.DetectionRows;
import org.senet4j.ir.op.Proposal;

/**
 * Values whose size depends on the data: the graph gives them a static upper bound, engines compute them into buffers
 * of that size, and this cuts each result to its real size before it is returned. Today: the output of
 * {@link DetectionOutput} and the YOLO heads ({@link DetectionRows}: {@code 1 x 1 x K x 7}, padded to the bound with
 * rows of -1), and the tops of
 * {@link Proposal} ({@code K x 5}, {@code K x 1}, padded with rows of -1) together with every value computed from them
 * row by row (a value whose first axis is the bound, made by a layer that reads a row-bound value: ROI pooling, then
 * the fully connected head of a Faster R-CNN), cut to the {@code K} real rows along axis 0.
 */
public final class DataDependentRows {
    private DataDependentRows() {
    }

    private static final String HIDDEN = "\u0000rows:";

    /**
     * {@code want} plus, under hidden names, the Proposal tops whose row counts {@link #trim} needs for the requested
     * values (engines compute them with the rest).
     */
    public static Map<String, String> request(Graph g, Map<String, String> want) {
        Map<String, String> sources = rowSources(g);
        if (sources.isEmpty()) {
            return want;
        }
        Map<String, String> out = new LinkedHashMap<>(want);
        for (String v : want.values()) {
            String s = sources.get(v);
            if (s != null) {
                out.put(HIDDEN + s, s);
            }
        }
        return out;
    }

    /**
     * The Proposal top 0 that each row-bound value's rows come from: the Proposal tops themselves, then (in graph
     * order) the outputs of a layer that reads a row-bound value, when their first axis has the bound's length.
     */
    static Map<String, String> rowSources(Graph g) {
        return ROW_SOURCES.computeIfAbsent(g, DataDependentRows::findRowSources);
    }

    /** The row sources by graph (graphs are immutable and compared by identity), so that runs do not walk the graph. */
    private static final Map<Graph, Map<String, String>> ROW_SOURCES =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private static Map<String, String> findRowSources(Graph g) {
        Map<String, String> src = new HashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof Proposal) {
                for (String o : n.outputs()) {
                    src.put(o, n.outputs().get(0));
                }
                continue;
            }
            String from = null;
            for (String in : n.inputs()) {
                if (src.containsKey(in)) {
                    from = src.get(in);
                    break;
                }
            }
            if (from == null) {
                continue;
            }
            int bound = g.shape(from).dim(0);
            for (String o : n.outputs()) {
                Shape s = g.shape(o);
                if (s.rank() > 0 && s.dim(0) == bound) {
                    src.put(o, from);
                }
            }
        }
        return Map.copyOf(src);
    }

    /**
     * Replaces, in {@code result} (requested name to tensor), every detection-rows result by its real rows, and every
     * row-bound value by its rows for the real proposals; drops the hidden entries {@link #request} added.
     */
    public static void trim(Graph g, Map<String, String> want, Map<String, HostTensor> result) {
        Map<String, String> sources = null;
        for (Map.Entry<String, String> w : want.entrySet()) {
            if (w.getKey().startsWith(HIDDEN)) {
                continue;
            }
            Node n = g.producer(w.getValue());
            HostTensor t = result.get(w.getKey());
            if (n == null || t == null) {
                continue;
            }
            if (n.op() instanceof DetectionRows) {
                result.put(w.getKey(), firstRows(t, 2, DetectionRows.rows(t.data())));
                continue;
            }
            if (sources == null) {
                sources = rowSources(g);
            }
            String s = sources.get(w.getValue());
            if (s != null) {
                HostTensor rois = result.get(HIDDEN + s);
                if (rois == null) { // a request made without request(): only the Proposal's own tops can be cut
                    if (!(n.op() instanceof Proposal)) {
                        continue;
                    }
                    rois = t;
                }
                result.put(w.getKey(), firstRows(t, 0, Proposal.rows(rois.data())));
            }
        }
        result.keySet().removeIf(k -> k.startsWith(HIDDEN));
    }

    /**
     * {@code t} cut to its first {@code rows} along {@code axis} (the axes before it have length 1, so those rows are
     * the data's first values); {@code t} itself when it has that many.
     */
    private static HostTensor firstRows(HostTensor t, int axis, int rows) {
        int[] d = t.shape().dims();
        if (rows == d[axis]) {
            return t;
        }
        long per = t.shape().count(axis + 1, d.length);
        d[axis] = rows;
        return new HostTensor(Shape.of(d), Arrays.copyOf(t.data(), Math.toIntExact(rows * per)));
    }
}
