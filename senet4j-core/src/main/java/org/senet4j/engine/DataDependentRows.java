package org.senet4j.engine;

import java.util.Arrays;
import java.util.Map;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.DetectionOutput;
import org.senet4j.ir.op.DetectionRows;

/**
 * Values whose size depends on the data: the graph gives them a static upper bound, engines compute them into buffers
 * of that size, and this cuts each result to its real size before it is returned. Today: the output of
 * {@link DetectionOutput} and the YOLO heads ({@link DetectionRows}: {@code 1 x 1 x K x 7}, padded to the bound
 * with rows of -1).
 */
public final class DataDependentRows {
    private DataDependentRows() {
    }

    /** Replaces, in {@code result} (requested name to tensor), every detection-rows result by its real rows. */
    public static void trim(Graph g, Map<String, String> want, Map<String, HostTensor> result) {
        for (Map.Entry<String, String> w : want.entrySet()) {
            Node n = g.producer(w.getValue());
            HostTensor t = result.get(w.getKey());
            if (n != null && t != null && n.op() instanceof DetectionRows) {
                int rows = DetectionRows.rows(t.data());
                int[] d = t.shape().dims();
                if (rows != d[2]) {
                    d[2] = rows;
                    result.put(w.getKey(), new HostTensor(Shape.of(d), Arrays.copyOf(t.data(), rows * 7)));
                }
            }
        }
    }
}
