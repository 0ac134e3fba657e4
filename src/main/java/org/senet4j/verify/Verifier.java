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
                results.add(BlobResult.compare(blob, rs, o.data(), r.data(), tolerance));
            }
        }
        return new VerifyReport(results, skipped, tolerance);
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
