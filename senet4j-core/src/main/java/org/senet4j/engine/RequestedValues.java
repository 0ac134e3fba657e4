package org.senet4j.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;

/** Checks the inputs of a run and resolves requested names, for every engine alike. */
public final class RequestedValues {
    private RequestedValues() {
    }

    /**
     * Checks that {@code inputs} names every graph input with its shape (the batch may differ from the graph's only
     * if every input agrees).
     *
     * @throws ModelException naming the missing, unknown or misshapen input
     */
    public static void checkInputs(Graph g, Map<String, HostTensor> inputs) throws ModelException {
        for (String name : inputs.keySet()) {
            if (!g.inputs().contains(name)) {
                throw new ModelException("unknown input name \"" + name + "\", expected one of " + g.inputs());
            }
        }
        for (String name : g.inputs()) {
            HostTensor t = inputs.get(name);
            if (t == null) {
                throw new ModelException("missing input \"" + name + "\" (the model's inputs are " + g.inputs()
                        + ")");
            }
            Shape want = g.shape(name);
            if (!t.shape().equals(want)) {
                throw new ModelException("input \"" + name + "\" has shape " + t.shape() + ", the model expects "
                        + want);
            }
        }
    }

    /**
     * The value names to produce: for each requested name (value or blob), the graph value; the graph outputs when
     * nothing is requested.
     *
     * @return requested name to value name, in request order
     */
    public static Map<String, String> resolve(Graph g, List<String> requested) throws ModelException {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> names = requested.isEmpty() ? new ArrayList<>(g.outputs()) : requested;
        for (String r : names) {
            try {
                out.put(r, g.resolve(r));
            } catch (IllegalArgumentException e) {
                throw new ModelException(e.getMessage());
            }
        }
        return out;
    }
}
