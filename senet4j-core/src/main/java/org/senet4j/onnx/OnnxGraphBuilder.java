package org.senet4j.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.onnx.proto.AttributeProto;
import org.senet4j.onnx.proto.GraphProto;
import org.senet4j.onnx.proto.NodeProto;
import org.senet4j.onnx.proto.TensorProto;

/**
 * Accumulates an ONNX graph: nodes, initializers, and unique names for tensors and nodes. A requested name is used as
 * it is when free; otherwise {@code _1}, {@code _2}, ... is appended.
 */
final class OnnxGraphBuilder {
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> tensorNames = new HashSet<>();
    private final Set<String> nodeNames = new HashSet<>();
    /** Initializer index to its values, for initializers larger than {@link #SMALL} values. */
    private final Map<Integer, Tensor> deferred = new HashMap<>();
    private static final int SMALL = 4096;

    GraphProto.Builder graph() {
        return graph;
    }

    /** Marks a tensor name as taken (the graph's own values are reserved before any helper tensor is named). */
    void reserve(String tensorName) {
        tensorNames.add(tensorName);
    }

    /** A fresh tensor name based on {@code base}. */
    String tensorName(String base) {
        return unique(base, tensorNames);
    }

    private String nodeName(String base) {
        return unique(base, nodeNames);
    }

    private static String unique(String base, Set<String> taken) {
        String n = base;
        for (int i = 1; !taken.add(n); i++) {
            n = base + "_" + i;
        }
        return n;
    }

    /** Adds a float32 initializer holding {@code values} with dimensions {@code dims}; returns its name. */
    String floats(String name, long[] dims, FloatBuffer values, String doc) {
        FloatBuffer v = values.duplicate();
        if (v.remaining() <= SMALL) {
            ByteBuffer bytes = ByteBuffer.allocate(v.remaining() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(v);
            return initializer(name, dims, TensorProto.DataType.FLOAT,
                    UnsafeByteOperations.unsafeWrap(bytes.array()), doc);
        }
        return deferred(name, dims, new Tensor(Shape.of(v.remaining()), v), doc);
    }

    /**
     * Adds a float32 initializer holding the values of {@code t} (a {@link Tensor#computed computed} tensor's are
     * computed when the model is written) with dimensions {@code dims}; returns its name.
     */
    String floats(String name, long[] dims, Tensor t, String doc) {
        if (t.count() <= SMALL) {
            return floats(name, dims, t.data(), doc);
        }
        return deferred(name, dims, t, doc);
    }

    private String deferred(String name, long[] dims, Tensor t, String doc) {
        String n = initializer(name, dims, TensorProto.DataType.FLOAT, ByteString.EMPTY, doc);
        deferred.put(graph.getInitializerCount() - 1, t);
        return n;
    }

    /** Float initializers whose raw data is written from these tensors when the model is serialised. */
    Map<Integer, Tensor> deferred() {
        return deferred;
    }

    String floats(String name, long[] dims, float[] values, String doc) {
        return floats(name, dims, FloatBuffer.wrap(values), doc);
    }

    /** A float32 scalar initializer. */
    String scalar(String name, float value) {
        return floats(name, new long[0], new float[] {value}, null);
    }

    /** A 1-D int64 initializer (shapes, split sizes, pads). */
    String int64s(String name, long... values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return initializer(name, new long[] {values.length}, TensorProto.DataType.INT64,
                UnsafeByteOperations.unsafeWrap(bytes.array()), null);
    }

    private String initializer(String name, long[] dims, TensorProto.DataType type, ByteString raw, String doc) {
        String n = tensorName(name);
        TensorProto.Builder t = TensorProto.newBuilder().setName(n).setDataType(type.getNumber()).setRawData(raw);
        for (long d : dims) {
            t.addDims(d);
        }
        if (doc != null) {
            t.setDocString(doc);
        }
        graph.addInitializer(t);
        return n;
    }

    /** Adds a node of the default domain with one output, a tensor named after it; returns that tensor's name. */
    String op(String opType, String name, List<String> inputs, AttributeProto... attributes) {
        String t = tensorName(name);
        node(opType, name, inputs, List.of(t), attributes);
        return t;
    }

    /** Adds a node of the default domain; {@code name} is made unique. */
    void node(String opType, String name, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(nodeName(name))
                .addAllInput(inputs).addAllOutput(outputs);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
    }

    static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }
}
