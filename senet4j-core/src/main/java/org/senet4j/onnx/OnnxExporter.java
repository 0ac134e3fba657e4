package org.senet4j.onnx;

import org.senet4j.io.AtomicFiles;
import org.senet4j.io.FileStamp;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.TensorPrefetcher;
import org.senet4j.ir.Value;
import org.senet4j.onnx.BatchDims.Dims;
import org.senet4j.onnx.proto.GraphProto;
import org.senet4j.onnx.proto.ModelProto;
import org.senet4j.onnx.proto.OperatorSetIdProto;
import org.senet4j.onnx.proto.StringStringEntryProto;
import org.senet4j.onnx.proto.TensorProto;
import org.senet4j.onnx.proto.TensorShapeProto;
import org.senet4j.onnx.proto.TypeProto;
import org.senet4j.onnx.proto.ValueInfoProto;
import org.senet4j.passes.Passes;

/**
 * Exports a graph as an ONNX model (float32, default domain, opset {@value ExportOptions#MIN_OPSET} to
 * {@value ExportOptions#MAX_OPSET}) that computes what Caffe computes.
 *
 * <p>Names: each graph value keeps its name for the ONNX tensor that holds it (Caffe blob names; earlier in-place
 * versions {@code blob@layer}), the main ONNX node of each layer has the layer's name, weights are initializers named
 * {@code <layer>/<weight>} in Caffe's layout. The batch dimension of inputs, outputs and intermediate values is the
 * symbol {@value BatchDims#BATCH} when the graph can take any batch size (Reshape shapes are written so that they
 * follow it); otherwise every dimension is fixed.
 *
 * <p>Caffe op to ONNX: Convolution → Conv (+ Relu/LeakyRelu for a fused activation); InnerProduct → Gemm (after
 * Flatten for more than 2 axes; MatMul for axis ≥ 2); BatchNorm → BatchNormalization (statistics divided by the scale
 * factor; a following per-channel Scale becomes its gamma and beta); Scale → Mul (+ Add), Bias → Add, with the factor
 * broadcast from Caffe's axis (a second input is reshaped to trailing 1s); ReLU → Relu/LeakyRelu; PReLU → PRelu;
 * Sigmoid, TanH, Softmax → Sigmoid, Tanh, Softmax(axis); Pooling → MaxPool/AveragePool with explicit pads that give
 * Caffe's ceil-mode sizes and divisors exactly (see {@link PoolingPlan}) or GlobalMaxPool/GlobalAveragePool; Axpy →
 * Mul + Add; Eltwise → Mul by coefficients + Add/Sum, Mul, Max; Concat → Concat; Slice → Split; Reshape and Flatten →
 * Reshape; Power → Mul/Add/Pow (trivial parts left out); Deconvolution → ConvTranspose; Crop → Slice; Split and
 * Dropout → Identity; Silence → nothing; the element-wise Unary kinds (ELU, AbsVal, Exp, Log, BNLL, Threshold, Clip,
 * Swish) → Elu, Abs, Exp, Log, Softplus, Greater + Cast, Clip, Sigmoid + Mul (with Mul/Add for scales and shifts);
 * LSTM and RNN → a Scan over time whose body is one step of Caffe's unrolled net ({@code RecurrentEmitter}).
 */
public final class OnnxExporter {
    /** {@code producer_name} of exported models. */
    public static final String PRODUCER = "senet4j";

    private OnnxExporter() {
    }

    /** The exported model as bytes. */
    public static byte[] export(Graph graph, ExportOptions options) throws ModelException {
        Built b = build(graph, options);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            b.writeTo(out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A model whose large float initializers are kept as tensors and written straight into the output when the model
     * is serialised, without an in-memory copy of the weights (a computed tensor's values, such as folded weights,
     * are computed chunk by chunk as they are written).
     */
    record Built(ModelProto skeleton, Map<Integer, Tensor> deferred) {

        /** The complete message (the deferred values copied in). */
        ModelProto model() {
            if (deferred.isEmpty()) {
                return skeleton;
            }
            ModelProto.Builder m = skeleton.toBuilder();
            for (Map.Entry<Integer, Tensor> e : deferred.entrySet()) {
                FloatBuffer v = e.getValue().data();
                ByteBuffer bytes = ByteBuffer.allocate(v.remaining() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(v);
                m.getGraphBuilder().getInitializerBuilder(e.getKey())
                        .setRawData(UnsafeByteOperations.unsafeWrap(bytes.array()));
            }
            return m.build();
        }

        /** Serialises the model as protobuf wire bytes, streaming the deferred initializers' values. */
        void writeTo(OutputStream os) throws IOException {
            writeTo(os, null);
        }

        /**
         * Serialises the model into {@code os}; with a {@code channel} (the one {@code os} writes to) the deferred
         * values go from a direct buffer straight into the channel, else through {@code os}; the stream is flushed
         * before each.
         */
        void writeTo(OutputStream os, FileChannel channel) throws IOException {
            GraphProto g = skeleton.getGraph();
            GraphProto withoutInitializers = g.toBuilder().clearInitializer().build();
            long[] sizes = new long[g.getInitializerCount()];
            long graphSize = withoutInitializers.getSerializedSize();
            for (int i = 0; i < sizes.length; i++) {
                long s = g.getInitializer(i).getSerializedSize();
                Tensor v = deferred.get(i);
                if (v != null) {
                    long n = 4L * v.count();
                    s += CodedOutputStream.computeTagSize(RAW_DATA) + CodedOutputStream.computeUInt64SizeNoTag(n) + n;
                }
                sizes[i] = s;
                graphSize += CodedOutputStream.computeTagSize(INITIALIZER)
                        + CodedOutputStream.computeUInt64SizeNoTag(s) + s;
            }
            CodedOutputStream out = CodedOutputStream.newInstance(os, 1 << 16);
            skeleton.toBuilder().clearGraph().build().writeTo(out);
            out.writeTag(GRAPH, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt64NoTag(graphSize);
            withoutInitializers.writeTo(out);
            WritableByteChannel values = channel != null ? channel : Channels.newChannel(os);
            // The values (read from the caffemodel, folded weights scaled on the way) are made ready by two
            // other threads while the previous chunk is written.
            List<Tensor> streamed = new ArrayList<>(new TreeMap<>(deferred).values());
            try (TensorPrefetcher prefetch = new TensorPrefetcher(streamed, CHUNK)) {
                for (int i = 0; i < sizes.length; i++) {
                    out.writeTag(INITIALIZER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    out.writeUInt64NoTag(sizes[i]);
                    g.getInitializer(i).writeTo(out);
                    Tensor v = deferred.get(i);
                    if (v != null) {
                        out.writeTag(RAW_DATA, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                        out.writeUInt64NoTag(4L * v.count());
                        out.flush();
                        os.flush();
                        prefetch.write(v, values);
                    }
                }
            }
            out.flush();
        }
    }

    /** Bytes of initializer values written at a time. */
    private static final int CHUNK = 1 << 20;

    /** Field numbers of the streamed parts: ModelProto.graph, GraphProto.initializer, TensorProto.raw_data. */
    private static final int GRAPH = 7;
    private static final int INITIALIZER = 5;
    private static final int RAW_DATA = 9;

    /**
     * Exports to {@code target}: the model is written to a temporary file in the same folder, then moved over
     * {@code target} in one step, so {@code target} is either the complete new model or untouched (an
     * existing file is replaced); no partial file is left behind when anything fails.
     */
    public static void write(Graph graph, ExportOptions options, Path target) throws IOException, ModelException {
        write(graph, options, target, List.of());
    }

    /**
     * {@link #write(Graph, ExportOptions, Path)} for a graph whose weights are still read from {@code inputs}
     * (a caffemodel loaded with {@code CaffeImporter.Options.withLazyWeights()}): nothing is written when an input
     * changes in place while it is read ({@link AtomicFiles#write(Path, AtomicFiles.Content, List)}).
     */
    public static void write(Graph graph, ExportOptions options, Path target, List<FileStamp> inputs)
            throws IOException, ModelException {
        Built built;
        try {
            built = build(graph, options); // reads the small weights
        } catch (java.io.UncheckedIOException e) {
            for (FileStamp in : inputs) {
                in.verify(e.getCause());
            }
            throw e.getCause();
        }
        write(built, target, UnaryOperator.identity(), inputs);
    }

    /** {@link #write(Graph, ExportOptions, Path)} with a wrapper around the file's stream (tests inject failures). */
    static void write(ModelProto model, Path target, UnaryOperator<OutputStream> wrap) throws IOException {
        write(new Built(model, Map.of()), target, wrap, List.of());
    }

    private static void write(Built model, Path target, UnaryOperator<OutputStream> wrap, List<FileStamp> inputs)
            throws IOException {
        AtomicFiles.write(target, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream out = wrap.apply(Channels.newOutputStream(ch))) {
                model.writeTo(out, model.deferred().isEmpty() ? null : ch);
                out.flush();
            }
        }, inputs);
    }

    /**
     * The exported model as a protobuf message.
     *
     * @throws ModelException when a layer has no weight values (loaded without a caffemodel) or cannot be expressed
     *     in ONNX; the message names the layer
     * @throws IllegalArgumentException when an extra output names no value of the graph
     */
    public static ModelProto toModel(Graph graph, ExportOptions options) throws ModelException {
        return build(graph, options).model();
    }

    private static Built build(Graph graph, ExportOptions options) throws ModelException {
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(options, "options");
        Graph g = options.fold() ? Passes.optimizeDeferred(graph) : graph;
        requireWeights(g);
        for (org.senet4j.ir.Node n : g.nodes()) {
            if (n.op() instanceof org.senet4j.ir.op.Custom c) {
                throw ModelException.layer(n.name(), n.type(), null, "runs the plug-in kernel " + c.kernel().name()
                        + ", which has no ONNX form; export the graph before it (convert --outputs) or use the native "
                        + "format");
            }
        }
        BatchDims dims = BatchDims.of(g);

        Set<String> outputs = new LinkedHashSet<>(g.outputs());
        for (String e : options.extraOutputs()) {
            outputs.add(g.resolve(e));
        }
        if (options.exposeAll()) {
            outputs.addAll(g.values().keySet());
        }
        outputs.removeAll(g.inputs());

        OnnxGraphBuilder b = new OnnxGraphBuilder();
        g.values().keySet().forEach(b::reserve);
        b.graph().setName(g.name());
        for (String in : g.inputs()) {
            b.graph().addInput(valueInfo(in, dims.of(in), dims));
        }
        new Emitter(g, dims, options, b, outputs).emitAll();
        for (String o : outputs) {
            b.graph().addOutput(valueInfo(g, o, dims));
        }
        for (Value v : g.values().values()) {
            if (!outputs.contains(v.name()) && !g.inputs().contains(v.name())) {
                b.graph().addValueInfo(valueInfo(g, v.name(), dims));
            }
        }

        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(options.irVersion())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(options.opset()))
                .setProducerName(PRODUCER)
                .setProducerVersion(producerVersion())
                .setGraph(b.graph());
        if (!options.docString().isEmpty()) {
            m.setDocString(options.docString());
        }
        Map<String, String> meta = new LinkedHashMap<>(g.metadata());
        meta.putAll(options.metadata());
        meta.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return new Built(m.build(), b.deferred());
    }

    /** The senet4j version from the jar manifest, or {@code dev} when running from classes. */
    public static String producerVersion() {
        String v = OnnxExporter.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    private static void requireWeights(Graph g) throws ModelException {
        for (Node n : g.nodes()) {
            for (Map.Entry<String, Tensor> w : n.op().weights().entrySet()) {
                if (!w.getValue().hasData()) {
                    throw ModelException.layer(n.name(), n.type(), "blobs", "weight \"" + w.getKey()
                            + "\" has no values (the model was loaded without a caffemodel); ONNX export needs them");
                }
            }
        }
    }

    /** A value's info; a DetectionOutput's row count is left symbolic (it depends on the data). */
    private static ValueInfoProto valueInfo(Graph g, String name, BatchDims dims) {
        ValueInfoProto v = valueInfo(name, dims.of(name), dims);
        Node p = g.producer(name);
        return p != null && p.op() instanceof org.senet4j.ir.op.DetectionRows ? DetectionExport.dynamicRows(v) : v;
    }

    private static ValueInfoProto valueInfo(String name, Dims d, BatchDims dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < d.rank(); i++) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (!d.variable(i)) {
                dim.setDimValue(d.a()[i]);
            } else if (dims.isBatch(d, i)) {
                dim.setDimParam(BatchDims.BATCH);
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }
}
