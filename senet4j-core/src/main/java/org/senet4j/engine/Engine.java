package org.senet4j.engine;

import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;

/**
 * A graph prepared for one device: weights uploaded or packed once, buffers planned per input shape. Holds native
 * memory: close it.
 */
public interface Engine extends AutoCloseable {

    /** The device this engine runs on, e.g. {@code cpu} or {@code cuda:0}. */
    String device();

    /** The graph it runs (after the inference passes). */
    Graph graph();

    /**
     * Runs one batch.
     *
     * @param inputs    a tensor per graph input, by input name; all with the same first dimension (the batch)
     * @param requested values to return, by value name or Caffe blob name (a blob name means its last value);
     *                  empty for the graph outputs
     * @return the requested values, keyed by the names asked for, in that order
     * @throws ModelException when an input is missing or has the wrong shape, or a requested name is unknown
     */
    Map<String, HostTensor> run(Map<String, HostTensor> inputs, List<String> requested) throws ModelException;

    /** Runs one batch and returns the graph outputs. */
    default Map<String, HostTensor> run(Map<String, HostTensor> inputs) throws ModelException {
        return run(inputs, List.of());
    }

    @Override
    void close();
}
