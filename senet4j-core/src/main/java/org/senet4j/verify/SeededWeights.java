package org.senet4j.verify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.InnerProduct;
import org.senet4j.ir.op.Op;

/**
 * The oracle's seeded random weights and inputs computed in plain Java, without Caffe: the same values
 * {@code CaffeOracleMain write-weights --seed S} (and {@code make-reference}) put into real Caffe's blobs, because the
 * same generator ({@link RandomWeights}) is consumed in the same order (layers in net order, blobs in Caffe's order,
 * elements in C order) with the same fan-in rule. Checked blob by blob against the manifests real Caffe writes (CRC-32
 * and sum of every blob). This lets a machine without Caffe (the GPU machine) rebuild the weights and inputs of a
 * reference set made elsewhere instead of carrying hundreds of megabytes of weights.
 */
public final class SeededWeights {
    private SeededWeights() {
    }

    /**
     * The graph with every weight replaced by the oracle's values for {@code seed} (the graph's weights may be
     * placeholders: only shapes are used).
     *
     * @throws ModelException never for a graph that was valid with its own weights (same shapes)
     */
    public static Graph fill(Graph g, long seed) throws ModelException {
        RandomWeights rw = new RandomWeights(seed);
        Graph.Builder b = Graph.builder(g.name()).metadata(g.metadata());
        for (Node n : g.nodes()) {
            Op op = n.op();
            Map<String, Tensor> w = op.weights();
            if (!w.isEmpty()) {
                Map<String, Tensor> filled = new LinkedHashMap<>();
                int index = 0;
                for (Map.Entry<String, Tensor> e : w.entrySet()) {
                    Shape s = e.getValue().shape();
                    float[] values = new float[Math.toIntExact(s.count())];
                    rw.fill(n.type(), index, fanIn(op, n.type(), index, s), values);
                    filled.put(e.getKey(), Tensor.of(s, values));
                    index++;
                }
                op = op.withWeights(filled);
            }
            b.add(n.withOp(op), g.blobsOf(n));
        }
        return b.outputs(g.outputs()).build();
    }

    /** The fan-in rule of {@code CaffeNet.fillRandom}: count / num_output for blob 0 of convolutions and inner products. */
    static long fanIn(Op op, String type, int blobIndex, Shape shape) {
        if (blobIndex != 0 || shape.rank() == 0) {
            return 1;
        }
        if (RandomWeights.isConvolution(type)) {
            return shape.dim(0) == 0 ? 1 : shape.count() / shape.dim(0);
        }
        if (type.equals("InnerProduct")) {
            int numOutput = op instanceof InnerProduct ip ? ip.numOutput() : shape.dim(0);
            return numOutput > 0 ? shape.count() / numOutput : shape.count() / Math.max(1, shape.dim(0));
        }
        return 1;
    }

    /** One manifest entry per weight blob of the graph, in net order (compare with real Caffe's manifest). */
    public static List<ManifestEntry> manifest(Graph g) {
        List<ManifestEntry> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            int index = 0;
            for (Tensor t : n.op().weights().values()) {
                out.add(ManifestEntry.of(n.name(), n.type(), index++, t.shape().dims(), t.toArray()));
            }
        }
        return out;
    }

    /**
     * The input {@code make-reference} feeds for one net input: values of {@code shape} from {@code distribution}
     * with generator seed {@code seed} (input {@code i} of a net uses input seed + i).
     */
    public static float[] input(Shape shape, InputDistribution distribution, long seed) {
        float[] data = new float[Math.toIntExact(shape.count())];
        distribution.fill(seed, data);
        return data;
    }
}
