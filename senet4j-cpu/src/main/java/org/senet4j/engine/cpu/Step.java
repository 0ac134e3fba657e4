package org.senet4j.engine.cpu;

import java.util.List;

/** One executable step of a plan: a node's kernel bound to its buffers. */
interface Step {
    /** What the step reads and writes, for memory planning. */
    List<Buf> inputs();

    List<Buf> outputs();

    /** Whether output 0 may share input 0's memory (the kernel reads each element before writing it). */
    default boolean inPlace() {
        return false;
    }

    /**
     * Whether output 0 holds input 0's bytes unchanged, so it may share its memory even where the two layouts'
     * descriptions differ (a reshape of values stored in logical order).
     */
    default boolean sameBytes() {
        return false;
    }

    /** Whether {@link #run} executes a oneDNN primitive (Java steps wait for the stream first). */
    default boolean isPrimitive() {
        return true;
    }

    /** Creates the oneDNN primitives and arguments, once the buffers have memory. */
    void bind(Dnnl d);

    void run(Dnnl d);

    /** A short description for profiles: node name and kernel. */
    String describe();
}
