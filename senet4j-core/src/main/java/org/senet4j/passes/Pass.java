package org.senet4j.passes;

import org.senet4j.ModelException;
import org.senet4j.ir.Graph;

/** One inference-time rewrite of a graph: a small named unit that returns an equivalent graph. */
public interface Pass {
    /** A short name, used to turn the pass off ({@code --no-pass NAME}) and in reports. */
    String name();

    /** One line saying what the pass does. */
    String description();

    Graph apply(Graph graph) throws ModelException;
}
