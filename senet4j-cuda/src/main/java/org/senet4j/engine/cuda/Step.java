package org.senet4j.engine.cuda;

import java.util.List;

/**
 * One step of a {@link CudaPlan}: the device work of one graph node (or of an input or output conversion), built on
 * the host from the node and its planned values, then prepared once (descriptors, algorithms, weights, kernel
 * arguments) when the plan's memory exists, then enqueued on the stream at every run.
 */
interface Step extends AutoCloseable {
    /** The layer (node) this step computes, for messages and profiles. */
    String layer();

    /** What runs, e.g. {@code conv (cuDNN algo 1, fused bias+relu)}; complete after {@link #prepare}. */
    String describe();

    /** Values read, for memory planning. */
    List<DeviceValue> inputs();

    /** Values written. */
    List<DeviceValue> outputs();

    /** Whether output 0 may share input 0's storage (each element is read before it is written). */
    default boolean inPlace() {
        return false;
    }

    /** Whether the step's work can be captured in a CUDA graph (false for host round trips). */
    default boolean capturable() {
        return true;
    }

    /** Workspace the step needs at run time, in bytes (known after {@link #prepare}). */
    default long workspaceBytes() {
        return 0;
    }

    /** Creates what the step needs on the device, once; the plan's values have addresses now. */
    void prepare(Resources r);

    /** Puts the step's work on the stream (asynchronous unless {@link #capturable()} is false). */
    void enqueue(CudaContext ctx);

    @Override
    default void close() {
    }
}
