package org.senet4j.verify;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.engine.Engine;
import org.senet4j.engine.HostTensor;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;

/**
 * Compares an engine's run with a reference set blob by blob: every Caffe blob that the engine's graph also has is
 * compared by relative L-infinity error; the others are listed as skipped with the reason.
 */
public final class Verifier {
    /** The default tolerance: relative L-infinity error 1e-4. */
    public static final double DEFAULT_TOLERANCE = 1e-4;

    private Verifier() {
    }

    /** The engine's batch inputs, read from the reference set. */
    public static Map<String, HostTensor> inputs(ReferenceSet ref, Graph graph) throws IOException, ModelException {
        Map<String, HostTensor> in = new LinkedHashMap<>();
        for (Map.Entry<String, java.nio.file.Path> e : ref.inputs().entrySet()) {
            if (!graph.inputs().contains(e.getKey())) {
                throw new ModelException("the reference input \"" + e.getKey() + "\" is not an input of the model; "
                        + "its inputs are " + graph.inputs());
            }
            Npy.NpyArray a = Npy.read(e.getValue());
            in.put(e.getKey(), new HostTensor(Shape.of(a.shape()), a.data()));
        }
        return in;
    }

    /**
     * Runs {@code engine} on the reference inputs and compares every blob both sides have.
     *
     * @param engine an engine whose graph has the reference's batch size
     */
    public static VerifyReport verify(Engine engine, ReferenceSet ref, double tolerance)
            throws IOException, ModelException {
        return verify(engine, ref, tolerance, false);
    }

    /**
     * Like {@link #verify(Engine, ReferenceSet, double)}; with {@code top1}, every compared graph output of shape
     * N x K (class scores) must also give the reference's top-1 class for every one of the N inputs (the blob's note
     * says how many agree and the smallest gap between the reference's first and second score).
     */
    public static VerifyReport verify(Engine engine, ReferenceSet ref, double tolerance, boolean top1)
            throws IOException, ModelException {
        Graph g = engine.graph();
        Map<String, HostTensor> inputs = inputs(ref, g);
        List<String> compared = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String blob : ref.blobs().keySet()) {
            if (hasBlob(g, blob)) {
                compared.add(blob);
            } else if (blob.contains("_split_")) {
                skipped.add(blob + ": Caffe's copy of a blob that feeds several layers");
            } else {
                skipped.add(blob + ": not in the graph that runs (removed by an inference pass)");
            }
        }
        Map<String, HostTensor> ours = engine.run(inputs, compared);
        List<BlobResult> results = new ArrayList<>();
        for (String blob : compared) {
            Npy.NpyArray r = Npy.read(ref.blobs().get(blob));
            HostTensor o = ours.get(blob);
            Shape rs = Shape.of(r.shape());
            if (!o.shape().equals(rs)) {
                results.add(BlobResult.shapeMismatch(blob, o.shape(), rs));
            } else {
                BlobResult c = BlobResult.compare(blob, rs, o.data(), r.data(), tolerance);
                if (top1 && rs.rank() == 2 && rs.dim(1) > 1 && g.outputs().contains(g.resolve(blob))) {
                    c = withTop1(c, o.data(), r.data(), rs.dim(0), rs.dim(1));
                }
                results.add(c);
            }
        }
        return new VerifyReport(results, skipped, tolerance);
    }

    /** Adds the top-1 agreement of N rows of K scores to a result (failing it when some input disagrees). */
    static BlobResult withTop1(BlobResult c, float[] ours, float[] ref, int n, int k) {
        int agree = 0;
        double smallestMargin = Double.POSITIVE_INFINITY;
        List<String> differ = new ArrayList<>();
        for (int row = 0; row < n; row++) {
            int a = argmax(ours, row * k, k);
            int b = argmax(ref, row * k, k);
            float best = ref[row * k + b];
            float second = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                if (j != b) {
                    second = Math.max(second, ref[row * k + j]);
                }
            }
            double margin = (double) best - second;
            smallestMargin = Math.min(smallestMargin, margin);
            if (a == b) {
                agree++;
            } else if (differ.size() < 5) {
                differ.add("input " + row + ": " + a + " instead of " + b + " (reference margin "
                        + String.format(java.util.Locale.ROOT, "%.3g", margin) + ")");
            }
        }
        String note = String.format(java.util.Locale.ROOT, "top-1 agrees for %d of %d inputs, smallest reference "
                + "margin %.3g", agree, n, smallestMargin) + (differ.isEmpty() ? "" : "; " + differ);
        String all = c.note().isEmpty() ? note : c.note() + "; " + note;
        return new BlobResult(c.name(), c.shape(), c.maxAbsError(), c.relError(), c.pass() && agree == n, all);
    }

    private static int argmax(float[] a, int from, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (a[from + j] > a[from + best]) {
                best = j;
            }
        }
        return best;
    }

    private static boolean hasBlob(Graph g, String blob) {
        try {
            g.resolve(blob);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
