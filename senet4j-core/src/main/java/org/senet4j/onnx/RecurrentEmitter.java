package org.senet4j.onnx;

import static org.senet4j.onnx.OnnxGraphBuilder.attr;

import java.util.List;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.LSTM;
import org.senet4j.ir.op.LSTMUnit;
import org.senet4j.ir.op.RNN;
import org.senet4j.onnx.proto.AttributeProto;
import org.senet4j.onnx.proto.GraphProto;
import org.senet4j.onnx.proto.NodeProto;
import org.senet4j.onnx.proto.TensorProto;
import org.senet4j.onnx.proto.TypeProto;
import org.senet4j.onnx.proto.ValueInfoProto;

/**
 * Caffe's LSTM and RNN as an ONNX Scan over the time axis, whose body is one step of Caffe's unrolled net. ONNX's own
 * LSTM and RNN operators cannot reset their state in the middle of a sequence, as Caffe's continuation indicator
 * does, so the step is written out: the body multiplies the carried hidden state by {@code cont_t}, adds the
 * recurrent MatMul to the step's input transform (and the static term, in Caffe's order), and for the LSTM applies
 * the gates in Caffe's order i, f, o, g (Split, Sigmoid, Tanh; the forget gate times {@code cont_t}). The input
 * transform of all steps ({@code W x + b} after a Reshape to T x N x I) and the static term are computed once
 * outside the Scan, the RNN's output layer ({@code tanh(W_ho h + b_o)}) after it. The Scan takes any number of
 * steps and streams, so the export keeps a variable batch (and a variable T) where the graph has one.
 *
 * <p>LSTMUnit, the LSTM's cell step as a layer of its own, is the Scan body's gate part on whole 1 x N x 4D blobs
 * (see {@code lstmUnit}).
 *
 * <p>Initial states: the exposed {@code h_0}/{@code c_0} (1 x N x H, Squeezed), else zeros of N x H (Expand of a
 * zero to the stream count read from {@code cont}'s shape). Final states, when exposed, are Unsqueezed back to
 * 1 x N x H. Weights are initializers {@code <layer>/<blob>} in Caffe's layout, transposed by Transpose nodes.
 */
final class RecurrentEmitter {
    private final Graph g;
    private final OnnxGraphBuilder b;

    RecurrentEmitter(Graph g, OnnxGraphBuilder b) {
        this.g = g;
        this.b = b;
    }

    void emit(Node n) {
        if (n.op() instanceof LSTM l) {
            lstm(n, l);
        } else if (n.op() instanceof RNN r) {
            rnn(n, r);
        } else if (n.op() instanceof LSTMUnit) {
            lstmUnit(n);
        } else {
            throw new IllegalArgumentException("not a recurrent op: " + n.op().opName());
        }
    }

    /**
     * An LSTM with an implied continuation (0 at step 0, 1 after: one sequence per stream from zero or exposed
     * states) is ONNX's own LSTM: W, R and B in ONNX's gate order i, o, f, c (Caffe's i, f, o, g rows moved), B the
     * bias then zeros for R's bias, Y (T x 1 x N x H) Squeezed to T x N x H, Y_h and Y_c (1 x N x H) the exposed
     * final states.
     */
    private void onnxLstm(Node n, LSTM op) {
        String layer = n.name();
        int h = op.numOutput();
        String x = n.inputs().get(0);
        int in = op.wXc().shape().dim(1);
        if (g.shape(x).rank() != 3) {
            String rows = b.tensorName(layer + "/x_rows");
            b.node("Reshape", layer + "/x_rows", List.of(x, b.int64s(layer + "/x_rows_shape", 0, 0, in)),
                    List.of(rows));
            x = rows;
        }
        float[] bias = new float[8 * h];
        System.arraycopy(iofc(op.bC().toArray(), h, 1), 0, bias, 0, 4 * h);
        String w = b.floats(layer + "/W", new long[] {1, 4L * h, in}, iofc(op.wXc().toArray(), h, in), null);
        String r = b.floats(layer + "/R", new long[] {1, 4L * h, h}, iofc(op.wHc().toArray(), h, h), null);
        String bb = b.floats(layer + "/B", new long[] {1, 8L * h}, bias, null);
        List<String> inputs = new java.util.ArrayList<>(List.of(x, w, r, bb));
        if (op.exposeHidden()) {
            inputs.addAll(List.of("", n.inputs().get(op.firstExtraInput()), n.inputs().get(op.firstExtraInput() + 1)));
        }
        String y = b.tensorName(layer + "/Y");
        List<String> outs = op.exposeHidden() ? List.of(y, n.outputs().get(1), n.outputs().get(2)) : List.of(y);
        b.node("LSTM", layer, inputs, outs, attr("hidden_size", (long) h));
        b.node("Squeeze", layer + "/Y_squeeze", List.of(y, b.int64s(layer + "/axes_1", 1)),
                List.of(n.outputs().get(0)));
    }

    /** Rows of 4 gate blocks of {@code h} rows x {@code cols} from Caffe's i, f, o, g to ONNX's i, o, f, c. */
    private static float[] iofc(float[] w, int h, int cols) {
        float[] out = new float[w.length];
        int block = h * cols;
        int[] from = {0, 2, 1, 3};
        for (int i = 0; i < 4; i++) {
            System.arraycopy(w, from[i] * block, out, i * block, block);
        }
        return out;
    }

    private void lstm(Node n, LSTM op) {
        if (op.impliedCont()) {
            onnxLstm(n, op);
            return;
        }
        String layer = n.name();
        int h = op.numOutput();
        String cont = n.inputs().get(1);
        String gx = inputTransform(n, op.wXc(), "W_xc", op.bC(), "b_c");
        int next = 2;
        String gs = op.hasStaticInput() ? staticTerm(n, n.inputs().get(next++), op.wXcStatic(), "W_xc_static") : null;
        String h0 = initialState(n, op.exposeHidden() ? n.inputs().get(next++) : null, cont, h, "h_0");
        String c0 = initialState(n, op.exposeHidden() ? n.inputs().get(next) : null, cont, h, "c_0");
        String wHc = transposed(n, "W_hc", op.wHc());

        Body body = new Body(layer);
        String hPrev = body.input("h_prev");
        String cPrev = body.input("c_prev");
        String gxT = body.input("W_xc_x_t");
        String contT = body.input("cont_t");
        String cc = body.node("Unsqueeze", "cont", List.of(contT, b.int64s(layer + "/axes_1", 1)));
        String hc = body.node("Mul", "h_conted", List.of(hPrev, cc));
        String gh = body.node("MatMul", "W_hc_h", List.of(hc, wHc));
        String gates = body.node("Add", "gate_input", List.of(gh, gxT));
        if (gs != null) {
            gates = body.node("Add", "gate_input_static", List.of(gates, gs));
        }
        String[] parts = new String[4];
        String[] names = {"i_input", "f_input", "o_input", "g_input"};
        for (int i = 0; i < 4; i++) {
            parts[i] = b.tensorName(layer + "/step/" + names[i]);
        }
        body.add("Split", "gates", List.of(gates, b.int64s(layer + "/gate_sizes", h, h, h, h)), List.of(parts),
                attr("axis", 1L));
        String ig = body.node("Sigmoid", "i", List.of(parts[0]));
        String fg = body.node("Sigmoid", "f", List.of(parts[1]));
        String og = body.node("Sigmoid", "o", List.of(parts[2]));
        String gg = body.node("Tanh", "g", List.of(parts[3]));
        String fc = body.node("Mul", "f_conted", List.of(fg, cc));
        String keep = body.node("Mul", "f_c_prev", List.of(fc, cPrev));
        String write = body.node("Mul", "i_g", List.of(ig, gg));
        String c = body.node("Add", "c", List.of(keep, write));
        String tc = body.node("Tanh", "tanh_c", List.of(c));
        String hNew = body.node("Mul", "h", List.of(og, tc));
        String hOut = body.node("Identity", "h_out", List.of(hNew));
        body.output(hNew);
        body.output(c);
        body.output(hOut);

        String hT = b.tensorName(layer + "/h_T");
        String cT = b.tensorName(layer + "/c_T");
        b.node("Scan", layer, List.of(h0, c0, gx, cont), List.of(hT, cT, n.outputs().get(0)),
                body.attribute(), attr("num_scan_inputs", 2L));
        if (op.exposeHidden()) {
            unsqueeze(layer + "/h_T", hT, n.outputs().get(1));
            unsqueeze(layer + "/c_T", cT, n.outputs().get(2));
        }
    }

    /**
     * LSTMUnit, one cell step in standard operators: X (1 x N x 4D) Split on axis 2 into i, f, o, g; Sigmoid of the
     * first three, Tanh of g; cont (1 x N) Unsqueezed to 1 x N x 1 and multiplied into f (for a finite sigmoid that
     * is Caffe's {@code cont == 0 ? 0 : cont f}); {@code C = f C_prev + i g} (the Add carries the layer's name),
     * {@code H = o Tanh(C)}.
     */
    private void lstmUnit(Node n) {
        String layer = n.name();
        String cPrev = n.inputs().get(0);
        String x = n.inputs().get(1);
        String cont = n.inputs().get(2);
        int d = g.shape(cPrev).dim(2);
        String[] names = {"i_input", "f_input", "o_input", "g_input"};
        String[] parts = new String[4];
        for (int i = 0; i < 4; i++) {
            parts[i] = b.tensorName(layer + "/" + names[i]);
        }
        b.node("Split", layer + "/gates", List.of(x, b.int64s(layer + "/gate_sizes", d, d, d, d)), List.of(parts),
                attr("axis", 2L));
        String ig = b.op("Sigmoid", layer + "/i", List.of(parts[0]));
        String fg = b.op("Sigmoid", layer + "/f", List.of(parts[1]));
        String og = b.op("Sigmoid", layer + "/o", List.of(parts[2]));
        String gg = b.op("Tanh", layer + "/g", List.of(parts[3]));
        String cc = b.op("Unsqueeze", layer + "/cont", List.of(cont, b.int64s(layer + "/axes_2", 2)));
        String fc = b.op("Mul", layer + "/f_conted", List.of(fg, cc));
        String keep = b.op("Mul", layer + "/f_c_prev", List.of(fc, cPrev));
        String write = b.op("Mul", layer + "/i_g", List.of(ig, gg));
        b.node("Add", layer, List.of(keep, write), List.of(n.outputs().get(0)));
        String tc = b.op("Tanh", layer + "/tanh_c", List.of(n.outputs().get(0)));
        b.node("Mul", layer + "/h", List.of(og, tc), List.of(n.outputs().get(1)));
    }

    private void rnn(Node n, RNN op) {
        String layer = n.name();
        int h = op.numOutput();
        String cont = n.inputs().get(1);
        String gx = inputTransform(n, op.wXh(), "W_xh", op.bH(), "b_h");
        int next = 2;
        String gs = op.hasStaticInput() ? staticTerm(n, n.inputs().get(next++), op.wXhStatic(), "W_xh_static") : null;
        String h0 = initialState(n, op.exposeHidden() ? n.inputs().get(next) : null, cont, h, "h_0");
        String wHh = transposed(n, "W_hh", op.wHh());

        Body body = new Body(layer);
        String hPrev = body.input("h_prev");
        String gxT = body.input("W_xh_x_t");
        String contT = body.input("cont_t");
        String cc = body.node("Unsqueeze", "cont", List.of(contT, b.int64s(layer + "/axes_1", 1)));
        String hc = body.node("Mul", "h_conted", List.of(hPrev, cc));
        String gh = body.node("MatMul", "W_hh_h", List.of(hc, wHh));
        String pre = body.node("Add", "h_neuron_input", List.of(gh, gxT));
        if (gs != null) {
            pre = body.node("Add", "h_neuron_input_static", List.of(pre, gs));
        }
        String hNew = body.node("Tanh", "h", List.of(pre));
        String hOut = body.node("Identity", "h_out", List.of(hNew));
        body.output(hNew);
        body.output(hOut);

        String hT = b.tensorName(layer + "/h_T");
        String hAll = b.tensorName(layer + "/h");
        b.node("Scan", layer, List.of(h0, gx, cont), List.of(hT, hAll), body.attribute(),
                attr("num_scan_inputs", 2L));
        String wo = b.tensorName(layer + "/W_ho_h");
        b.node("MatMul", layer + "/W_ho_h", List.of(hAll, transposed(n, "W_ho", op.wHo())), List.of(wo));
        String wob = b.tensorName(layer + "/W_ho_h_b");
        b.node("Add", layer + "/b_o", List.of(wo, weight(n, "b_o", op.bO())), List.of(wob));
        b.node("Tanh", layer + "/o", List.of(wob), List.of(n.outputs().get(0)));
        if (op.exposeHidden()) {
            unsqueeze(layer + "/h_T", hT, n.outputs().get(1));
        }
    }

    /** {@code W x + b} for every step at once: T x N x G (x reshaped to T x N x I first when it has more axes). */
    private String inputTransform(Node n, Tensor w, String wName, Tensor bias, String bName) {
        String layer = n.name();
        String x = n.inputs().get(0);
        if (g.shape(x).rank() != 3) {
            String rows = b.tensorName(layer + "/x_rows");
            b.node("Reshape", layer + "/x_rows", List.of(x, b.int64s(layer + "/x_rows_shape", 0, 0,
                    w.shape().dim(1))), List.of(rows));
            x = rows;
        }
        String product = b.tensorName(layer + "/" + wName + "_x");
        b.node("MatMul", layer + "/" + wName + "_x", List.of(x, transposed(n, wName, w)), List.of(product));
        String y = b.tensorName(layer + "/" + wName + "_x_b");
        b.node("Add", layer + "/" + bName, List.of(product, weight(n, bName, bias)), List.of(y));
        return y;
    }

    /** {@code W_static x_static}: N x G (x_static flattened from axis 1 when it has more than 2 axes). */
    private String staticTerm(Node n, String xs, Tensor w, String wName) {
        String layer = n.name();
        if (g.shape(xs).rank() != 2) {
            String flat = b.tensorName(layer + "/x_static_rows");
            b.node("Flatten", layer + "/x_static_rows", List.of(xs), List.of(flat), attr("axis", 1L));
            xs = flat;
        }
        String y = b.tensorName(layer + "/" + wName + "_x_static");
        b.node("MatMul", layer + "/" + wName + "_x_static", List.of(xs, transposed(n, wName, w)), List.of(y));
        return y;
    }

    /** The given 1 x N x H state squeezed to N x H, or zeros of N x H (N read from cont's shape). */
    private String initialState(Node n, String given, String cont, int h, String what) {
        String layer = n.name();
        String y = b.tensorName(layer + "/" + what);
        if (given != null) {
            b.node("Squeeze", layer + "/" + what, List.of(given, b.int64s(layer + "/axes_0", 0)), List.of(y));
            return y;
        }
        String shape = b.tensorName(layer + "/" + what + "_cont_shape");
        b.node("Shape", layer + "/" + what + "_cont_shape", List.of(cont), List.of(shape));
        String streams = b.tensorName(layer + "/" + what + "_streams");
        b.node("Slice", layer + "/" + what + "_streams", List.of(shape, b.int64s(layer + "/one", 1),
                b.int64s(layer + "/two", 2)), List.of(streams));
        String dims = b.tensorName(layer + "/" + what + "_shape");
        b.node("Concat", layer + "/" + what + "_shape", List.of(streams, b.int64s(layer + "/num_output", h)),
                List.of(dims), attr("axis", 0L));
        b.node("Expand", layer + "/" + what, List.of(b.scalar(layer + "/zero", 0f), dims), List.of(y));
        return y;
    }

    private void unsqueeze(String name, String x, String y) {
        b.node("Unsqueeze", name, List.of(x, b.int64s(name + "/axes", 0)), List.of(y));
    }

    /** The weight's initializer in Caffe's layout and a Transpose of it (rows x cols to cols x rows). */
    private String transposed(Node n, String key, Tensor w) {
        String t = b.tensorName(n.name() + "/" + key + "_T");
        b.node("Transpose", n.name() + "/" + key + "_T", List.of(weight(n, key, w)), List.of(t),
                OnnxGraphBuilder.ints("perm", 1, 0));
        return t;
    }

    private String weight(Node n, String key, Tensor t) {
        Shape s = t.shape();
        long[] dims = new long[s.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = s.dim(i);
        }
        return b.floats(n.name() + "/" + key, dims, t.data(), null);
    }

    /** The Scan body: one step. Its tensor names come from the model-wide name set, so none shadows another. */
    private final class Body {
        private final String layer;
        private final GraphProto.Builder graph = GraphProto.newBuilder();
        private int nodes;

        Body(String layer) {
            this.layer = layer;
            graph.setName(layer + "/step");
        }

        String input(String base) {
            String name = b.tensorName(layer + "/step/" + base);
            graph.addInput(floatValue(name));
            return name;
        }

        void output(String name) {
            graph.addOutput(floatValue(name));
        }

        String node(String opType, String base, List<String> inputs, AttributeProto... attributes) {
            String y = b.tensorName(layer + "/step/" + base);
            add(opType, base, inputs, List.of(y), attributes);
            return y;
        }

        void add(String opType, String base, List<String> inputs, List<String> outputs,
                 AttributeProto... attributes) {
            NodeProto.Builder nb = NodeProto.newBuilder().setOpType(opType)
                    .setName(layer + "/step/" + base + "#" + nodes++).addAllInput(inputs).addAllOutput(outputs)
                    .setDocString("one step of Caffe layer " + layer);
            for (AttributeProto a : attributes) {
                nb.addAttribute(a);
            }
            graph.addNode(nb);
        }

        AttributeProto attribute() {
            return AttributeProto.newBuilder().setName("body").setType(AttributeProto.AttributeType.GRAPH)
                    .setG(graph).build();
        }

    }

    /** A float tensor of unstated shape (the Scan gives the body its inputs' shapes). */
    private static ValueInfoProto floatValue(String name) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()))).build();
    }
}
