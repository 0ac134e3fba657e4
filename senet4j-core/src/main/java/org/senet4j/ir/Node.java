package org.senet4j.ir;

import java.util.List;
import java.util.Objects;
import org.senet4j.ir.op.Op;

/**
 * One step of the graph: an op applied to named input values, producing named output values. {@code name} and
 * {@code type} are the Caffe layer's name and type it came from (passes keep the type of the layer they rewrote).
 */
public record Node(String name, String type, Op op, List<String> inputs, List<String> outputs) {
    public Node {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(op, "op");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** This node with another op (same name, type and connections). */
    public Node withOp(Op newOp) {
        return new Node(name, type, newOp, inputs, outputs);
    }
}
