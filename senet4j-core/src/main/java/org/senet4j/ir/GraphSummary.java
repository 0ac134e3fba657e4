package org.senet4j.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * A per-layer account of a graph: connections (as Caffe blob names), output shapes, learnable parameters and
 * multiply-accumulates, with totals. Parameters count convolution, InnerProduct, Scale, Bias and PReLU weights;
 * BatchNorm statistics are not learned and count 0. MACs count convolutions and inner products.
 */
public record GraphSummary(List<Row> rows, long params, long macs) {

    public record Row(String name, String type, List<String> bottoms, List<String> tops, List<Shape> outputShapes,
                      long params, long macs) {
    }

    public static GraphSummary of(Graph g) {
        List<Row> rows = new ArrayList<>();
        long params = 0;
        long macs = 0;
        for (Node n : g.nodes()) {
            long p = n.op().parameterCount();
            long m = n.op().macs(g.inputShapes(n), g.outputShapes(n));
            rows.add(new Row(n.name(), n.type(), n.inputs().stream().map(v -> g.value(v).blob()).toList(),
                    g.blobsOf(n), g.outputShapes(n), p, m));
            params += p;
            macs += m;
        }
        return new GraphSummary(List.copyOf(rows), params, macs);
    }
}
