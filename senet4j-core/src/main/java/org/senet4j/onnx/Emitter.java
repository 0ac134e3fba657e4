package org.senet4j.onnx;

import static org.senet4j.onnx.OnnxGraphBuilder.attr;
import static org.senet4j.onnx.OnnxGraphBuilder.ints;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.ArgMax;
import org.senet4j.ir.op.Axpy;
import org.senet4j.ir.op.BatchNorm;
import org.senet4j.ir.op.BatchReindex;
import org.senet4j.ir.op.BatchStatNorm;
import org.senet4j.ir.op.Bias;
import org.senet4j.ir.op.Concat;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.Crop;
import org.senet4j.ir.op.Custom;
import org.senet4j.ir.op.Deconvolution;
import org.senet4j.ir.op.Dropout;
import org.senet4j.ir.op.Eltwise;
import org.senet4j.ir.op.Embed;
import org.senet4j.ir.op.Flatten;
import org.senet4j.ir.op.Im2col;
import org.senet4j.ir.op.InnerProduct;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.LRN;
import org.senet4j.ir.op.MVN;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.OpTable;
import org.senet4j.ir.op.PReLU;
import org.senet4j.ir.op.Parameter;
import org.senet4j.ir.op.Pooling;
import org.senet4j.ir.op.Power;
import org.senet4j.ir.op.ReLU;
import org.senet4j.ir.op.Reduction;
import org.senet4j.ir.op.Reshape;
import org.senet4j.ir.op.SPP;
import org.senet4j.ir.op.Scale;
import org.senet4j.ir.op.Sigmoid;
import org.senet4j.ir.op.Silence;
import org.senet4j.ir.op.Slice;
import org.senet4j.ir.op.Softmax;
import org.senet4j.ir.op.Split;
import org.senet4j.ir.op.TanH;
import org.senet4j.ir.op.Unary;
import org.senet4j.ir.op.Tile;
import org.senet4j.ir.op.ShuffleChannel;
import org.senet4j.onnx.BatchDims.Dims;
import org.senet4j.onnx.proto.AttributeProto;

/**
 * Writes the ONNX nodes of each graph node, in execution order. Every IR value keeps its name as the ONNX tensor that
 * holds it; the main ONNX node of a layer carries the layer's name, helper nodes and tensors are named
 * {@code <layer>/<what>}, weights {@code <layer>/<weight name>}.
 */
final class Emitter {
    private final Graph g;
    private final BatchDims dims;
    private final ExportOptions options;
    private final OnnxGraphBuilder b;
    private final Set<String> graphOutputs;
    private final Set<Node> absorbed = new HashSet<>();
    /** The Scale node the node being emitted absorbed, if any (named in the doc strings). */
    private Node joined;

    Emitter(Graph g, BatchDims dims, ExportOptions options, OnnxGraphBuilder b, Set<String> graphOutputs) {
        this.g = g;
        this.dims = dims;
        this.options = options;
        this.b = b;
        this.graphOutputs = graphOutputs;
    }

    void emitAll() throws ModelException {
        for (Node n : g.nodes()) {
            if (absorbed.contains(n)) {
                continue;
            }
            int first = b.graph().getNodeCount();
            try {
                emit(n);
            } catch (ModelException e) {
                throw e.inLayer(n.name(), n.type());
            }
            String doc = "Caffe layer " + n.name() + " (" + n.type() + ")";
            if (joined != null) {
                doc += " + " + joined.name() + " (" + joined.type() + ")";
                joined = null;
            }
            for (int i = first; i < b.graph().getNodeCount(); i++) {
                b.graph().getNodeBuilder(i).setDocString(doc);
            }
        }
    }

    private void emit(Node n) throws ModelException {
        HANDLERS.handle(n.op(), new At(this, n));
    }

    /** The node being emitted, and by whom. */
    private record At(Emitter emitter, Node node) {
    }

    @FunctionalInterface
    private interface Handler<T extends Op> {
        void emit(Emitter e, Node n, T op) throws ModelException;
    }

    private static final OpTable<At, Void> HANDLERS = handlers();

    /** The ONNX export's table: how each op becomes ONNX nodes, or why it cannot. */
    static OpTable<?, ?> table() {
        return HANDLERS;
    }

    private static OpTable<At, Void> handlers() {
        OpTable.Builder<At, Void> t = OpTable.builder("ONNX export");
        on(t, Input.class, (e, n, op) -> { });
        on(t, Silence.class, (e, n, op) -> { });
        on(t, Convolution.class, Emitter::convolution);
        on(t, InnerProduct.class, Emitter::innerProduct);
        on(t, BatchNorm.class, Emitter::batchNorm);
        on(t, BatchStatNorm.class, Emitter::batchStatNorm);
        on(t, Scale.class, Emitter::scale);
        on(t, Bias.class, Emitter::bias);
        on(t, ReLU.class, (e, n, r) -> e.relu(n.name(), e.in(n, 0), e.out(n), r.negativeSlope()));
        on(t, PReLU.class, Emitter::prelu);
        on(t, Sigmoid.class, (e, n, op) -> e.b.node("Sigmoid", n.name(), List.of(e.in(n, 0)), List.of(e.out(n))));
        on(t, TanH.class, (e, n, op) -> e.b.node("Tanh", n.name(), List.of(e.in(n, 0)), List.of(e.out(n))));
        on(t, Softmax.class, (e, n, s) -> e.b.node("Softmax", n.name(), List.of(e.in(n, 0)), List.of(e.out(n)),
                attr("axis", (long) s.axis())));
        on(t, Pooling.class, Emitter::pooling);
        on(t, Axpy.class, (e, n, op) -> e.axpy(n));
        on(t, Eltwise.class, Emitter::eltwise);
        on(t, Concat.class, Emitter::concat);
        on(t, Slice.class, Emitter::slice);
        on(t, Split.class, Emitter::split);
        on(t, Dropout.class, (e, n, op) -> e.b.node("Identity", n.name(), List.of(e.in(n, 0)), List.of(e.out(n))));
        on(t, Reshape.class, (e, n, op) -> e.reshapeNode(n));
        on(t, Flatten.class, (e, n, op) -> e.reshapeNode(n));
        on(t, Power.class, Emitter::power);
        on(t, LRN.class, Emitter::lrn);
        on(t, MVN.class, Emitter::mvn);
        on(t, Unary.class, Emitter::unary);
        on(t, Deconvolution.class, Emitter::deconvolution);
        on(t, Crop.class, Emitter::crop);
        on(t, ArgMax.class, Emitter::argMax);
        on(t, Reduction.class, Emitter::reduction);
        on(t, Tile.class, Emitter::tile);
        on(t, Embed.class, Emitter::embed);
        on(t, Parameter.class, (e, n, p) -> e.b.node("Identity", n.name(),
                List.of(e.weight(n, "value", p.value(), null)), List.of(e.out(n))));
        on(t, SPP.class, Emitter::spp);
        on(t, Im2col.class, Emitter::im2col);
        on(t, BatchReindex.class, (e, n, op) -> e.b.node("Gather", n.name(), List.of(e.in(n, 0),
                e.int64(n, e.in(n, 1))), List.of(e.out(n)), attr("axis", 0L)));
        on(t, org.senet4j.ir.op.Permute.class, (e, n, op) -> DetectionExport.permute(e.b, n, op));
        on(t, org.senet4j.ir.op.Normalize.class, (e, n, op) -> DetectionExport.normalize(e.b, e.options.opset(),
                e.g, n, op));
        on(t, org.senet4j.ir.op.PriorBox.class, (e, n, op) -> DetectionExport.priorBox(e.b, e.g, n, op));
        on(t, org.senet4j.ir.op.DetectionOutput.class, (e, n, op) -> DetectionExport.detectionOutput(e.b,
                e.options.opset(), e.g, n, op));
        on(t, ShuffleChannel.class, Emitter::shuffleChannel);
        on(t, org.senet4j.ir.op.Reorg.class, Emitter::reorg);
        on(t, org.senet4j.ir.op.YoloDetectionOutput.class, (e, n, op) -> {
            throw ModelException.layer(n.name(), n.type(), null, "has no faithful form in standard ONNX operators "
                    + "(the fork pools the candidates of every image into one class-agnostic NMS that drops IoU >= the "
                    + "threshold, in the tie order of its unstable std::sort); export the net up to its bottoms "
                    + "(convert --outputs " + String.join(",", n.inputs()) + ") and decode the heads outside");
        });
        on(t, org.senet4j.ir.op.Interp.class, (e, n, op) -> SegExport.interp(e.b, e.options.opset(), e.g, n, op));
        on(t, org.senet4j.ir.op.NearestUpsample.class, (e, n, op) -> SegExport.nearestUpsample(e.b, n, op));
        on(t, org.senet4j.ir.op.MaxPoolMask.class, (e, n, op) -> SegExport.maxPoolMask(e.b, e.g, n, op));
        on(t, org.senet4j.ir.op.MaxUnpool.class, (e, n, op) -> SegExport.maxUnpool(e.b, e.g, n, op));
        on(t, org.senet4j.ir.op.RoiPooling.class, (e, n, op) -> RcnnExport.roiPooling(e.b, e.g, n, op));
        on(t, org.senet4j.ir.op.PsRoiPooling.class, (e, n, op) -> RcnnExport.psRoiPooling(n));
        on(t, org.senet4j.ir.op.Proposal.class, (e, n, op) -> RcnnExport.proposal(n));
        on(t, org.senet4j.ir.op.Reverse.class, (e, n, op) -> OcrExport.reverse(e.b, n, op));
        on(t, org.senet4j.ir.op.ContinuationIndicator.class, (e, n, op) -> OcrExport.continuationIndicator(e.b, e.g,
                n, op));
        on(t, org.senet4j.ir.op.CtcGreedyDecoder.class, (e, n, op) -> OcrExport.ctcGreedyDecoder(e.b, e.g, n, op));
        t.unsupported(Custom.class, "a plug-in layer's Java kernel has no ONNX form");
        on(t, org.senet4j.ir.op.LSTM.class, (e, n, op) -> {
            if (op.impliedCont() && op.hasStaticInput()) {
                throw ModelException.layer(n.name(), n.type(), null, "an LSTM with an implied continuation and a "
                        + "static input has no ONNX form here");
            }
            new RecurrentEmitter(e.g, e.b).emit(n);
        });
        on(t, org.senet4j.ir.op.RNN.class, (e, n, op) -> new RecurrentEmitter(e.g, e.b).emit(n));
        on(t, org.senet4j.ir.op.LSTMUnit.class, (e, n, op) -> new RecurrentEmitter(e.g, e.b).emit(n));
        return t.build();
    }

    private static <T extends Op> void on(OpTable.Builder<At, Void> t, Class<T> type, Handler<T> h) {
        t.on(type, (op, at) -> {
            h.emit(at.emitter(), at.node(), op);
            return null;
        });
    }

    private void concat(Node n, Concat c) {
        if (n.inputs().size() == 1) {
            b.node("Identity", n.name(), n.inputs(), n.outputs());
        } else {
            b.node("Concat", n.name(), n.inputs(), n.outputs(), attr("axis", (long) c.axis()));
        }
    }

    private void split(Node n, Split s) {
        for (int i = 0; i < n.outputs().size(); i++) {
            b.node("Identity", i == 0 ? n.name() : n.name() + "/" + i, List.of(in(n, 0)), List.of(n.outputs().get(i)));
        }
    }

    private void reshapeNode(Node n) throws ModelException {
        reshape(n.name(), n.name(), in(n, 0), dims.of(in(n, 0)), dims.of(out(n)), out(n));
    }

    private void tile(Node n, Tile t) {
        long[] repeats = new long[g.shape(in(n, 0)).rank()];
        Arrays.fill(repeats, 1L);
        repeats[t.axis()] = t.tiles();
        b.node("Tile", n.name(), List.of(in(n, 0), b.int64s(n.name() + "/repeats", repeats)), List.of(out(n)));
    }

    /**
     * ShuffleChannel: Reshape to (N, group, C / group, rest), Transpose the two channel axes, Reshape back to the
     * input's own shape (read at run time, so a variable batch size follows).
     */
    private void shuffleChannel(Node n, ShuffleChannel s) {
        String x = in(n, 0);
        int c = g.shape(x).dim(1);
        String grouped = b.tensorName(n.name() + "/grouped");
        b.node("Reshape", n.name() + "/Reshape_groups", List.of(x, b.int64s(n.name() + "/groups",
                new long[] {0, s.group(), c / s.group(), -1})), List.of(grouped));
        String swapped = b.tensorName(n.name() + "/swapped");
        b.node("Transpose", n.name() + "/Transpose", List.of(grouped), List.of(swapped), ints("perm", 0, 2, 1, 3));
        String shape = b.tensorName(n.name() + "/input_shape");
        b.node("Shape", n.name() + "/Shape", List.of(x), List.of(shape));
        b.node("Reshape", n.name(), List.of(swapped, shape), List.of(out(n)));
    }

    /**
     * Reorg in darknet's order (see {@link org.senet4j.ir.op.Reorg}): Reshape to (N, C/s^2, H, s, W, s), Transpose
     * (0, 3, 5, 1, 2, 4), Reshape to (N, C s^2, H/s, W/s); reversed: Reshape to (N, s, s, C/s^2, H, W), Transpose
     * (0, 3, 4, 1, 5, 2), Reshape to (N, C/s^2, H s, W s). The batch size is copied (Reshape's 0).
     */
    private void reorg(Node n, org.senet4j.ir.op.Reorg r) {
        String x = in(n, 0);
        Shape in = g.shape(x);
        Shape o = g.shape(out(n));
        long s = r.stride();
        long c = in.dim(1) / (s * s);
        long[] split = r.reverse() ? new long[] {0, s, s, c, in.dim(2), in.dim(3)}
                : new long[] {0, c, in.dim(2), s, in.dim(3), s};
        String blocks = b.tensorName(n.name() + "/blocks");
        b.node("Reshape", n.name() + "/Reshape_blocks", List.of(x, b.int64s(n.name() + "/block_shape", split)),
                List.of(blocks));
        String moved = b.tensorName(n.name() + "/moved");
        b.node("Transpose", n.name() + "/Transpose", List.of(blocks), List.of(moved),
                r.reverse() ? ints("perm", 0, 3, 4, 1, 5, 2) : ints("perm", 0, 3, 5, 1, 2, 4));
        b.node("Reshape", n.name(), List.of(moved, b.int64s(n.name() + "/output_shape",
                new long[] {0, o.dim(1), o.dim(2), o.dim(3)})), List.of(out(n)));
    }

    // ----- layers with weights ---------------------------------------------------------------------------------

    private void convolution(Node n, Convolution c) {
        List<String> ins = new ArrayList<>(List.of(in(n, 0), weight(n, "weight", c.weight(), null)));
        if (c.hasBias()) {
            ins.add(weight(n, "bias", c.bias(), null));
        }
        String y = c.activation().isNone() ? out(n) : b.tensorName(n.name() + "/conv");
        b.node("Conv", n.name(), ins, List.of(y),
                ints("kernel_shape", c.kernelH(), c.kernelW()),
                ints("strides", c.strideH(), c.strideW()),
                ints("pads", c.padH(), c.padW(), c.padH(), c.padW()),
                ints("dilations", c.dilationH(), c.dilationW()),
                attr("group", (long) c.group()));
        activation(n, y, c.activation());
    }

    /**
     * ConvTranspose: ONNX's weight layout (C, M/group, kh, kw) is Caffe's; symmetric explicit pads give Caffe's
     * output size {@code s (in - 1) + d (k - 1) + 1 - 2 p} (no output_padding).
     */
    private void deconvolution(Node n, Deconvolution d) {
        List<String> ins = new ArrayList<>(List.of(in(n, 0), weight(n, "weight", d.weight(), null)));
        if (d.hasBias()) {
            ins.add(weight(n, "bias", d.bias(), null));
        }
        b.node("ConvTranspose", n.name(), ins, List.of(out(n)),
                ints("kernel_shape", d.kernelH(), d.kernelW()),
                ints("strides", d.strideH(), d.strideW()),
                ints("pads", d.padH(), d.padW(), d.padH(), d.padW()),
                ints("dilations", d.dilationH(), d.dilationW()),
                attr("group", (long) d.group()));
    }

    /**
     * Slice of input 0 on the cropped axes, static starts and ends (the reference input's values are not read). An
     * axis that follows the batch size is left whole when the crop keeps it whole (offset 0, same size), else refused.
     */
    private void crop(Node n, Crop c) throws ModelException {
        String x = in(n, 0);
        Dims xd = dims.of(x);
        Dims yd = dims.of(out(n));
        int[] start = c.starts(xd.rank());
        List<long[]> sliced = new ArrayList<>();
        for (int a = c.axis(); a < xd.rank(); a++) {
            boolean whole = start[a] == 0 && xd.a()[a] == yd.a()[a] && xd.b()[a] == yd.b()[a];
            if (whole) {
                continue;
            }
            if (xd.variable(a) || yd.variable(a)) {
                throw ModelException.field("crop_param.axis", "axis " + a + ", whose size follows the batch size, "
                        + "cannot be cropped in an export with a variable batch size");
            }
            sliced.add(new long[] {a, start[a], (long) start[a] + yd.a()[a]});
        }
        if (sliced.isEmpty()) {
            b.node("Identity", n.name(), List.of(x), List.of(out(n)));
            return;
        }
        long[] axes = sliced.stream().mapToLong(t -> t[0]).toArray();
        long[] starts = sliced.stream().mapToLong(t -> t[1]).toArray();
        long[] ends = sliced.stream().mapToLong(t -> t[2]).toArray();
        b.node("Slice", n.name(), List.of(x, b.int64s(n.name() + "/starts", starts),
                b.int64s(n.name() + "/ends", ends), b.int64s(n.name() + "/axes", axes)), List.of(out(n)));
    }

    /**
     * Caffe views the input as M x K (M: the axes before {@code axis}) and writes the axes before {@code axis} then
     * numOutput. Axis 1: Gemm on the input (flattened when it has more than 2 axes). Axis 0: the whole input is one
     * row; Gemm and a Reshape to [numOutput]. Axis 2 or more: the input is reshaped to (axes before axis) x K and
     * multiplied by the K x numOutput weight with MatMul, which keeps the leading axes.
     */
    private void innerProduct(Node n, InnerProduct ip) throws ModelException {
        String x = in(n, 0);
        Dims xd = dims.of(x);
        String y = ip.activation().isNone() ? out(n) : b.tensorName(n.name() + "/ip");
        String w = weight(n, "weight", ip.weight(), null);
        String bias = ip.bias() == null ? null : weight(n, "bias", ip.bias(), null);
        int axis = ip.axis();
        if (axis <= 1) {
            String rows = x;
            if (xd.rank() != 2 || axis == 0) {
                rows = b.tensorName(n.name() + "/flat");
                b.node("Flatten", n.name() + "/Flatten", List.of(x), List.of(rows), attr("axis", (long) axis));
            }
            String gemmOut = axis == 0 ? b.tensorName(n.name() + "/gemm") : y;
            List<String> ins = new ArrayList<>(List.of(rows, w));
            if (bias != null) {
                ins.add(bias);
            }
            b.node("Gemm", n.name(), ins, List.of(gemmOut), attr("transB", ip.transpose() ? 0L : 1L));
            if (axis == 0) {
                b.node("Reshape", n.name() + "/Reshape", List.of(gemmOut,
                        b.int64s(n.name() + "/shape", ip.numOutput())), List.of(y));
            }
        } else {
            int k = ip.inputSize();
            String rows = reshape(n.name(), n.name() + "/Reshape", x, xd, xd.prefix(axis, k),
                    b.tensorName(n.name() + "/rows"));
            String wt = w;
            if (!ip.transpose()) {
                wt = b.tensorName(n.name() + "/weight_T");
                b.node("Transpose", n.name() + "/Transpose", List.of(w), List.of(wt), ints("perm", 1, 0));
            }
            String product = bias == null ? y : b.tensorName(n.name() + "/matmul");
            b.node("MatMul", n.name(), List.of(rows, wt), List.of(product));
            if (bias != null) {
                b.node("Add", n.name() + "/Add", List.of(product, bias), List.of(y));
            }
        }
        activation(n, y, ip.activation());
    }

    private void activation(Node n, String y, Activation act) {
        switch (act.kind()) {
            case RELU -> relu(n.name() + "/" + (act.alpha() == 0f ? "Relu" : "LeakyRelu"), y, out(n), act.alpha());
            case SIGMOID -> b.node("Sigmoid", n.name() + "/Sigmoid", List.of(y), List.of(out(n)));
            case NONE -> { }
        }
    }

    private void relu(String name, String x, String y, float negativeSlope) {
        if (negativeSlope == 0f) {
            b.node("Relu", name, List.of(x), List.of(y));
        } else {
            b.node("LeakyRelu", name, List.of(x), List.of(y), attr("alpha", negativeSlope));
        }
    }

    /**
     * BatchNormalization with Caffe's statistics divided by the scale factor (as Caffe does, in float). A one-input
     * per-channel Scale that alone reads the BatchNorm's output joins it as gamma and beta; otherwise gamma is 1 and
     * beta 0.
     */
    private void batchNorm(Node n, BatchNorm bn) {
        String x = in(n, 0);
        Shape s = g.shape(x);
        if (s.rank() < 2) {
            double[][] ab = bn.affine();
            float[] a = toFloats(ab[0]);
            float[] c = toFloats(ab[1]);
            String t = b.tensorName(n.name() + "/scaled");
            b.node("Mul", n.name(), List.of(x, b.floats(n.name() + "/a", new long[] {a.length}, a,
                    "1 / sqrt(variance / s + eps)")), List.of(t));
            b.node("Add", n.name() + "/Add", List.of(t, b.floats(n.name() + "/b", new long[] {c.length}, c,
                    "-mean / s * a")), List.of(out(n)));
            return;
        }
        Node scaleNode = joinableScale(n);
        float m = bn.statisticsMultiplier();
        float[] mean = bn.mean().toArray();
        float[] var = bn.variance().toArray();
        for (int i = 0; i < mean.length; i++) {
            mean[i] *= m;
            var[i] *= m;
        }
        long[] cdim = {mean.length};
        String meanName = b.floats(n.name() + "/mean", cdim, mean, "Caffe mean / scale factor");
        String varName = b.floats(n.name() + "/variance", cdim, var, "Caffe variance / scale factor");
        String gamma;
        String beta;
        String y;
        if (scaleNode != null) {
            Scale sc = (Scale) scaleNode.op();
            absorbed.add(scaleNode);
            joined = scaleNode;
            gamma = weight(scaleNode, "scale", sc.scale(), null);
            beta = sc.bias() != null ? weight(scaleNode, "bias", sc.bias(), null)
                    : b.floats(scaleNode.name() + "/bias", cdim, new float[mean.length], "no Scale bias: 0");
            y = out(scaleNode);
        } else {
            float[] ones = new float[mean.length];
            Arrays.fill(ones, 1f);
            gamma = b.floats(n.name() + "/gamma", cdim, ones, "Caffe BatchNorm has no scale: 1");
            beta = b.floats(n.name() + "/beta", cdim, new float[mean.length], "Caffe BatchNorm has no shift: 0");
            y = out(n);
        }
        b.node("BatchNormalization", n.name(), List.of(x, gamma, beta, meanName, varName), List.of(y),
                attr("epsilon", bn.eps()));
    }

    private Node joinableScale(Node bnNode) {
        String v = out(bnNode);
        List<Node> consumers = g.consumers(v);
        if (graphOutputs.contains(v) || consumers.size() != 1) {
            return null;
        }
        Node next = consumers.get(0);
        Shape s = g.shape(v);
        if (next.op() instanceof Scale sc && !sc.twoInputs() && sc.axis() == 1 && sc.scale().shape().rank() == 1
                && sc.scale().count() == s.dim(1)) {
            return next;
        }
        return null;
    }

    /**
     * One input: Mul by the learned factor, stored with trailing 1s so that it broadcasts over axes
     * {@code [axis, axis + k)} ({@code [C,1,1]} for axis 1 of a 4-D input). Two inputs: the second input is reshaped
     * the same way ({@code N x C} to {@code N x C x 1 x 1} for SE-BN-Inception's axis 0), keeping its variable batch.
     * Then Add for a bias term.
     */
    private void scale(Node n, Scale sc) throws ModelException {
        String x = in(n, 0);
        int rank = g.shape(x).rank();
        String y = sc.bias() == null ? out(n) : b.tensorName(n.name() + "/scaled");
        int trailing;
        String factor;
        if (sc.twoInputs()) {
            Dims fd = dims.of(in(n, 1));
            trailing = rank - sc.axis() - fd.rank();
            factor = broadcastable(n, in(n, 1), fd, trailing, "/factor");
        } else {
            trailing = rank - sc.axis() - sc.scale().shape().rank();
            factor = weight(n, "scale", sc.scale(), withOnes(sc.scale().shape(), trailing));
        }
        b.node("Mul", n.name(), List.of(x, factor), List.of(y));
        if (sc.bias() != null) {
            b.node("Add", n.name() + "/Add", List.of(y, weight(n, "bias", sc.bias(),
                    withOnes(sc.bias().shape(), trailing))), List.of(out(n)));
        }
    }

    private void bias(Node n, Bias bi) throws ModelException {
        String x = in(n, 0);
        int rank = g.shape(x).rank();
        String term;
        if (bi.twoInputs()) {
            Dims fd = dims.of(in(n, 1));
            term = broadcastable(n, in(n, 1), fd, rank - bi.axis() - fd.rank(), "/term");
        } else {
            term = weight(n, "bias", bi.bias(), withOnes(bi.bias().shape(), rank - bi.axis()
                    - bi.bias().shape().rank()));
        }
        b.node("Add", n.name(), List.of(x, term), List.of(out(n)));
    }

    /** {@code value} reshaped with {@code trailing} 1s appended (unchanged when none are needed). */
    private String broadcastable(Node n, String value, Dims d, int trailing, String suffix) throws ModelException {
        if (d.rank() == 0 || trailing <= 0) {
            return value;
        }
        return reshape(n.name(), n.name() + "/Reshape", value, d, d.withOnes(trailing),
                b.tensorName(n.name() + suffix));
    }

    private void prelu(Node n, PReLU pr) {
        Shape s = g.shape(in(n, 0));
        long[] d = pr.channelShared() ? null : withOnes(pr.slope().shape(), s.rank() - 2);
        b.node("PRelu", n.name(), List.of(in(n, 0), weight(n, "slope", pr.slope(), d)), List.of(out(n)));
    }

    // ----- layers without weights ------------------------------------------------------------------------------

    private void pooling(Node n, Pooling p) throws ModelException {
        pooling(n.name(), p, in(n, 0), g.shape(in(n, 0)), g.shape(out(n)), out(n));
    }

    /** Pooling {@code x} (of shape {@code is}) into {@code y} (of shape {@code os}); nodes named from {@code name}. */
    private void pooling(String name, Pooling p, String x, Shape is, Shape os, String y) throws ModelException {
        if (p.method() == Pooling.Method.STOCHASTIC) {
            stochasticPooling(name, p, x, is, os, y);
            return;
        }
        PoolingPlan plan = PoolingPlan.of(p, is.dim(2), is.dim(3), os.dim(2), os.dim(3));
        boolean max = p.method() == Pooling.Method.MAX;
        if (plan.global()) {
            b.node(max ? "GlobalMaxPool" : "GlobalAveragePool", name, List.of(x), List.of(y));
            return;
        }
        String src = x;
        int h = is.dim(2);
        int w = is.dim(3);
        int[] pre = plan.prePad();
        if (pre != null) {
            src = b.tensorName(name + "/padded");
            List<String> ins = new ArrayList<>(List.of(x, b.int64s(name + "/pads", 0, 0, pre[0], pre[1], 0, 0,
                    pre[2], pre[3])));
            if (plan.prePadValue() != 0f) {
                ins.add(b.scalar(name + "/pad_value", plan.prePadValue()));
            }
            b.node("Pad", name + "/Pad", ins, List.of(src));
            h += pre[0] + pre[2];
            w += pre[1] + pre[3];
        }
        int[] pads = plan.pads();
        int oh = PoolingPlan.onnxOutput(h, p.kernelH(), p.strideH(), pads[0], pads[2]);
        int ow = PoolingPlan.onnxOutput(w, p.kernelW(), p.strideW(), pads[1], pads[3]);
        if (oh != os.dim(2) || ow != os.dim(3)) {
            throw new IllegalStateException("layer " + name + ": ONNX pooling would give " + oh + "x" + ow
                    + ", Caffe gives " + os.dim(2) + "x" + os.dim(3));
        }
        List<AttributeProto> attrs = new ArrayList<>(List.of(
                ints("kernel_shape", p.kernelH(), p.kernelW()),
                ints("strides", p.strideH(), p.strideW()),
                ints("pads", pads[0], pads[1], pads[2], pads[3])));
        if (!max) {
            attrs.add(attr("count_include_pad", plan.countIncludePad() ? 1L : 0L));
        }
        b.node(max ? "MaxPool" : "AveragePool", name, List.of(src), List.of(y),
                attrs.toArray(AttributeProto[]::new));
    }

    /**
     * Caffe's test-time stochastic pooling, {@code sum(x^2) / sum(x)} per window and 0 where {@code sum(x) <= 0}: the
     * window sums are depthwise convolutions with a kernel of ones (windows start at {@code out * stride}, Caffe pads
     * nothing; the end pad covers the ceil-mode overhang with zeros, which add nothing), then Div and Where.
     */
    private void stochasticPooling(String name, Pooling p, String x, Shape is, Shape os, String y) {
        int c = is.dim(1);
        int[] k = p.kernel(is.dim(2), is.dim(3));
        int sh = p.global() ? 1 : p.strideH();
        int sw = p.global() ? 1 : p.strideW();
        int eh = Math.max(0, (os.dim(2) - 1) * sh + k[0] - is.dim(2));
        int ew = Math.max(0, (os.dim(3) - 1) * sw + k[1] - is.dim(3));
        float[] ones = new float[c * k[0] * k[1]];
        java.util.Arrays.fill(ones, 1f);
        String kernel = b.floats(name + "/window", new long[] {c, 1, k[0], k[1]}, ones,
                "stochastic pooling: window sums as a depthwise convolution");
        AttributeProto[] conv = {ints("kernel_shape", k[0], k[1]), ints("strides", sh, sw),
            ints("pads", 0, 0, eh, ew), attr("group", (long) c)};
        String squares = b.tensorName(name + "/squares");
        String sum = b.tensorName(name + "/sum");
        String sumSquares = b.tensorName(name + "/sum_squares");
        String ratio = b.tensorName(name + "/ratio");
        String positive = b.tensorName(name + "/positive");
        b.node("Mul", name + "/Mul", List.of(x, x), List.of(squares));
        b.node("Conv", name + "/sum", List.of(x, kernel), List.of(sum), conv);
        b.node("Conv", name + "/sum_squares", List.of(squares, kernel), List.of(sumSquares), conv);
        b.node("Div", name + "/Div", List.of(sumSquares, sum), List.of(ratio));
        String zero = b.scalar(name + "/zero", 0f);
        b.node("Greater", name + "/Greater", List.of(sum, zero), List.of(positive));
        b.node("Where", name, List.of(positive, ratio, zero), List.of(y));
    }

    /**
     * LRN: ACROSS_CHANNELS is ONNX's LRN (same window, {@code bias = k}); WITHIN_CHANNEL becomes
     * {@code x * (1 + alpha * AveragePool(x^2))^-beta} with a zero-padded {@code size x size} window (every window lies
     * within the padding, so both divide by {@code size^2}).
     */
    private void lrn(Node n, LRN l) {
        String x = in(n, 0);
        if (l.region() == LRN.Region.ACROSS_CHANNELS) {
            b.node("LRN", n.name(), List.of(x), List.of(out(n)), attr("size", (long) l.localSize()),
                    attr("alpha", l.alpha()), attr("beta", l.beta()), attr("bias", l.k()));
            return;
        }
        int pad = (l.localSize() - 1) / 2;
        String sq = b.tensorName(n.name() + "/square");
        b.node("Mul", n.name() + "/Square", List.of(x, x), List.of(sq));
        String avg = b.tensorName(n.name() + "/pooled");
        b.node("AveragePool", n.name() + "/AveragePool", List.of(sq), List.of(avg),
                ints("kernel_shape", l.localSize(), l.localSize()), ints("strides", 1, 1),
                ints("pads", pad, pad, pad, pad), attr("count_include_pad", 1L));
        String scaled = b.tensorName(n.name() + "/scaled");
        b.node("Mul", n.name() + "/Mul", List.of(avg, b.scalar(n.name() + "/alpha", l.alpha())), List.of(scaled));
        String base = b.tensorName(n.name() + "/base");
        b.node("Add", n.name() + "/Add", List.of(scaled, b.scalar(n.name() + "/one", 1f)), List.of(base));
        String factor = b.tensorName(n.name() + "/factor");
        b.node("Pow", n.name() + "/Pow", List.of(base, b.scalar(n.name() + "/minus_beta", -l.beta())),
                List.of(factor));
        b.node("Mul", n.name(), List.of(x, factor), List.of(out(n)));
    }

    /** MVN: {@code (x - mean) / (sqrt(mean((x - mean)^2)) + eps)} with ReduceMean over the normalised axes. */
    private void mvn(Node n, MVN m) {
        String x = in(n, 0);
        int rank = g.shape(x).rank();
        long[] axes = new long[rank - (m.acrossChannels() ? 1 : 2)];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = rank - axes.length + i;
        }
        String mean = reduceMean(n.name() + "/ReduceMean", x, axes);
        String centred = m.normalizeVariance() ? b.tensorName(n.name() + "/centred") : out(n);
        b.node("Sub", n.name() + (m.normalizeVariance() ? "/Sub" : ""), List.of(x, mean), List.of(centred));
        if (!m.normalizeVariance()) {
            return;
        }
        String sq = b.tensorName(n.name() + "/square");
        b.node("Mul", n.name() + "/Square", List.of(centred, centred), List.of(sq));
        String var = reduceMean(n.name() + "/Variance", sq, axes);
        String sd = b.tensorName(n.name() + "/std");
        b.node("Sqrt", n.name() + "/Sqrt", List.of(var), List.of(sd));
        String den = b.tensorName(n.name() + "/denominator");
        b.node("Add", n.name() + "/Add", List.of(sd, b.scalar(n.name() + "/eps", m.eps())), List.of(den));
        b.node("Div", n.name(), List.of(centred, den), List.of(out(n)));
    }

    /**
     * BatchNorm on batch statistics: {@code (x - mean) / sqrt(mean((x - mean)^2) + eps)} with ReduceMean over every
     * axis but the channels (axis 1), the batch axis included.
     */
    private void batchStatNorm(Node n, BatchStatNorm bs) {
        String x = in(n, 0);
        int rank = g.shape(x).rank();
        long[] axes = new long[rank == 1 ? 1 : rank - 1];
        for (int i = 0, a = 0; a < rank; a++) {
            if (a != 1) {
                axes[i++] = a;
            }
        }
        String mean = reduceMean(n.name() + "/mean", x, axes);
        String centred = b.tensorName(n.name() + "/centred");
        b.node("Sub", n.name() + "/Sub", List.of(x, mean), List.of(centred));
        String sq = b.tensorName(n.name() + "/square");
        b.node("Mul", n.name() + "/Square", List.of(centred, centred), List.of(sq));
        String var = reduceMean(n.name() + "/variance", sq, axes);
        String shifted = b.tensorName(n.name() + "/variance_eps");
        b.node("Add", n.name() + "/Add", List.of(var, b.scalar(n.name() + "/eps", bs.eps())), List.of(shifted));
        String sd = b.tensorName(n.name() + "/std");
        b.node("Sqrt", n.name() + "/Sqrt", List.of(shifted), List.of(sd));
        b.node("Div", n.name(), List.of(centred, sd), List.of(out(n)));
    }

    private String reduceMean(String name, String x, long[] axes) {
        String y = b.tensorName(name);
        if (options.opset() >= 18) {
            b.node("ReduceMean", name, List.of(x, b.int64s(name + "/axes", axes)), List.of(y), attr("keepdims", 1L));
        } else {
            b.node("ReduceMean", name, List.of(x), List.of(y), ints("axes", axes), attr("keepdims", 1L));
        }
        return y;
    }

    /**
     * ArgMax through TopK. ONNX TopK puts the smaller index first among equal values, Caffe the larger, so TopK runs
     * on the input reversed along the ranked axis (Slice with step -1) and each index {@code i} becomes
     * {@code dim - 1 - i}: the order, ties included, is Caffe's. Without an axis each item is flattened first and the
     * indices (Cast to float), then with {@code out_max_val} the values, are concatenated and reshaped to
     * {@code N x (1|2) x top_k x 1...}.
     */
    private void argMax(Node n, ArgMax a) {
        String x = in(n, 0);
        Shape in = g.shape(x);
        int axis = a.hasAxis() ? a.axis() : 1;
        long dim = a.hasAxis() ? in.dim(axis) : in.count(1, in.rank());
        if (!a.hasAxis()) {
            String flat = b.tensorName(n.name() + "/flat");
            b.node("Flatten", n.name() + "/Flatten", List.of(x), List.of(flat), attr("axis", 1L));
            x = flat;
        }
        String reversed = b.tensorName(n.name() + "/reversed");
        b.node("Slice", n.name() + "/Reverse", List.of(x, b.int64s(n.name() + "/starts", -1),
                b.int64s(n.name() + "/ends", Long.MIN_VALUE), b.int64s(n.name() + "/axes", axis),
                b.int64s(n.name() + "/steps", -1)), List.of(reversed));
        boolean valuesOnly = a.hasAxis() && a.outMaxVal();
        boolean indicesOnly = a.hasAxis() && !a.outMaxVal();
        String values = valuesOnly ? out(n) : b.tensorName(n.name() + "/values");
        String rawIndices = b.tensorName(n.name() + "/reversed_indices");
        b.node("TopK", valuesOnly ? n.name() : n.name() + "/TopK", List.of(reversed,
                b.int64s(n.name() + "/k", a.topK())), List.of(values, rawIndices), attr("axis", (long) axis),
                attr("largest", 1L), attr("sorted", 1L));
        if (valuesOnly) {
            return;
        }
        String last;
        Dims xd = dims.of(in(n, 0));
        boolean variable = a.hasAxis() ? xd.variable(axis) : false;
        for (int i = 1; !a.hasAxis() && i < in.rank(); i++) {
            variable |= xd.variable(i);
        }
        if (variable) {
            // the ranked dimension follows the batch size: dim - 1 is read from the tensor's shape at run time
            String shape = b.tensorName(n.name() + "/reversed_shape");
            b.node("Shape", n.name() + "/Shape", List.of(reversed), List.of(shape));
            String size = b.tensorName(n.name() + "/size");
            b.node("Gather", n.name() + "/Gather", List.of(shape, b.int64s(n.name() + "/axis", axis)),
                    List.of(size), attr("axis", 0L));
            last = b.tensorName(n.name() + "/last");
            b.node("Sub", n.name() + "/Last", List.of(size, b.int64s(n.name() + "/one", 1)), List.of(last));
        } else {
            last = b.int64s(n.name() + "/last", dim - 1);
        }
        String indices = b.tensorName(n.name() + "/indices_int64");
        b.node("Sub", n.name() + "/Unreverse", List.of(last, rawIndices), List.of(indices));
        String asFloat = indicesOnly ? out(n) : b.tensorName(n.name() + "/indices");
        b.node("Cast", indicesOnly ? n.name() : n.name() + "/Cast", List.of(indices), List.of(asFloat),
                attr("to", (long) org.senet4j.onnx.proto.TensorProto.DataType.FLOAT_VALUE));
        if (indicesOnly) {
            return;
        }
        String rows = asFloat;
        if (a.outMaxVal()) {
            rows = b.tensorName(n.name() + "/indices_and_values");
            b.node("Concat", n.name() + "/Concat", List.of(asFloat, values), List.of(rows), attr("axis", 1L));
        }
        int[] od = g.shape(out(n)).dims();
        long[] shape = new long[od.length];
        for (int i = 1; i < od.length; i++) {
            shape[i] = od[i];
        }
        b.node("Reshape", n.name(), List.of(rows, b.int64s(n.name() + "/shape", shape)), List.of(out(n)));
    }

    /**
     * Reduction: ReduceSum, ReduceL1, ReduceSumSquare or ReduceMean over the axes from {@code axis} on without
     * keeping them (which leaves Caffe's shape, the leading axes), then Mul by {@code coeff} unless it is 1.
     */
    private void reduction(Node n, Reduction r) {
        String x = in(n, 0);
        int rank = g.shape(x).rank();
        long[] axes = new long[rank - r.axis()];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = r.axis() + i;
        }
        String kind = switch (r.operation()) {
            case SUM -> "ReduceSum";
            case ASUM -> "ReduceL1";
            case SUMSQ -> "ReduceSumSquare";
            case MEAN -> "ReduceMean";
        };
        boolean scaled = r.coeff() != 1f;
        String y = scaled ? b.tensorName(n.name() + "/reduced") : out(n);
        String name = scaled ? n.name() + "/" + kind : n.name();
        if (kind.equals("ReduceSum") ? options.opset() >= 13 : options.opset() >= 18) {
            b.node(kind, name, List.of(x, b.int64s(n.name() + "/axes", axes)), List.of(y), attr("keepdims", 0L));
        } else {
            b.node(kind, name, List.of(x), List.of(y), ints("axes", axes), attr("keepdims", 0L));
        }
        if (scaled) {
            b.node("Mul", n.name(), List.of(y, b.scalar(n.name() + "/coeff", r.coeff())), List.of(out(n)));
        }
    }

    /** {@code a[n,c] * X + Y}: Mul (a reshaped to N x C x 1 x 1 when it is N x C), then Add. */
    private void axpy(Node n) throws ModelException {
        String a = in(n, 0);
        Dims ad = dims.of(a);
        int rank = g.shape(in(n, 1)).rank();
        String scaleBy = broadcastable(n, a, ad, rank - ad.rank(), "/a");
        String ax = b.tensorName(n.name() + "/aX");
        b.node("Mul", n.name() + "/Mul", List.of(scaleBy, in(n, 1)), List.of(ax));
        b.node("Add", n.name(), List.of(ax, in(n, 2)), List.of(out(n)));
    }

    private void eltwise(Node n, Eltwise e) {
        List<String> terms = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
            float c = e.coefficient(i);
            if (c == 1f) {
                terms.add(in(n, i));
            } else {
                String t = b.tensorName(n.name() + "/term" + i);
                b.node("Mul", n.name() + "/Mul", List.of(in(n, i), b.scalar(n.name() + "/coeff" + i, c)),
                        List.of(t));
                terms.add(t);
            }
        }
        switch (e.operation()) {
            case SUM -> b.node(terms.size() == 2 ? "Add" : "Sum", n.name(), terms, List.of(out(n)));
            case MAX -> b.node("Max", n.name(), terms, List.of(out(n)));
            case PROD -> {
                String acc = terms.get(0);
                for (int i = 1; i < terms.size(); i++) {
                    boolean last = i == terms.size() - 1;
                    String target = last ? out(n) : b.tensorName(n.name() + "/prod" + i);
                    b.node("Mul", last ? n.name() : n.name() + "/Mul", List.of(acc, terms.get(i)), List.of(target));
                    acc = target;
                }
            }
            default -> throw new IllegalStateException(e.operation().toString());
        }
    }

    private void slice(Node n, Slice s) throws ModelException {
        String x = in(n, 0);
        int axis = s.axis();
        boolean variable = dims.of(x).variable(axis);
        List<String> ins = new ArrayList<>(List.of(x));
        List<AttributeProto> attrs = new ArrayList<>();
        attrs.add(attr("axis", (long) axis));
        if (!variable) {
            long[] sizes = new long[n.outputs().size()];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = g.shape(n.outputs().get(i)).dim(axis);
            }
            ins.add(b.int64s(n.name() + "/split", sizes));
        } else if (s.points().isEmpty()) {
            if (options.opset() >= 18) {
                attrs.add(attr("num_outputs", (long) n.outputs().size()));
            }
        } else {
            throw ModelException.field("slice_param.slice_point", "fixed slice points on axis " + axis
                    + ", whose size follows the batch size, cannot be exported with a variable batch size");
        }
        b.node("Split", n.name(), ins, n.outputs(), attrs.toArray(AttributeProto[]::new));
    }

    /** {@code (x * scale + shift) ^ power}, leaving out the parts that do nothing. */
    private void power(Node n, Power p) {
        List<String[]> steps = new ArrayList<>();
        if (p.scale() != 1f) {
            steps.add(new String[] {"Mul", b.scalar(n.name() + "/scale", p.scale())});
        }
        if (p.shift() != 0f) {
            steps.add(new String[] {"Add", b.scalar(n.name() + "/shift", p.shift())});
        }
        if (p.power() != 1f) {
            steps.add(new String[] {"Pow", b.scalar(n.name() + "/power", p.power())});
        }
        if (steps.isEmpty()) {
            b.node("Identity", n.name(), List.of(in(n, 0)), List.of(out(n)));
            return;
        }
        String cur = in(n, 0);
        for (int i = 0; i < steps.size(); i++) {
            boolean last = i == steps.size() - 1;
            String target = last ? out(n) : b.tensorName(n.name() + "/" + steps.get(i)[0].toLowerCase());
            b.node(steps.get(i)[0], last ? n.name() : n.name() + "/" + steps.get(i)[0], List.of(cur, steps.get(i)[1]),
                    List.of(target));
            cur = target;
        }
    }

    /**
     * ELU → Elu(alpha); AbsVal → Abs; Exp → [Mul by ln(base)·scale] Exp [Mul by base^shift]; Log → [Mul by scale]
     * [Add shift] Log [Mul by 1/ln(base)]; BNLL → Softplus; Threshold → Greater + Cast to float; Clip → Clip with
     * min and max as inputs; Swish → Mul(x, Sigmoid([Mul by beta] x)); leaky ReLU6 → Min(LeakyRelu(x), 6);
     * HardSwish → HardSwish (opset 14 on; before it Mul(x, HardSigmoid(x) with alpha 1/6, beta 1/2)); HardSigmoid →
     * HardSigmoid with eric612's alpha 0.2, beta 0.5; Mish → Mul(x, Tanh(Softplus(x))). Bracketed steps are left out
     * when they do nothing, as Caffe leaves them out.
     */
    private void unary(Node n, Unary u) {
        String x = in(n, 0);
        String name = n.name();
        switch (u.kind()) {
            case ELU -> b.node("Elu", name, List.of(x), List.of(out(n)), attr("alpha", u.a()));
            case ABS -> b.node("Abs", name, List.of(x), List.of(out(n)));
            case BNLL -> b.node("Softplus", name, List.of(x), List.of(out(n)));
            case EXP -> {
                List<String[]> steps = new ArrayList<>();
                if (u.expInnerScale() != 1f) {
                    steps.add(new String[] {"Mul", b.scalar(name + "/inner_scale", u.expInnerScale())});
                }
                steps.add(new String[] {"Exp", null});
                if (u.expOuterScale() != 1f) {
                    steps.add(new String[] {"Mul", b.scalar(name + "/outer_scale", u.expOuterScale())});
                }
                chain(n, steps);
            }
            case LOG -> {
                List<String[]> steps = new ArrayList<>();
                if (u.b() != 1f) {
                    steps.add(new String[] {"Mul", b.scalar(name + "/scale", u.b())});
                }
                if (u.c() != 0f) {
                    steps.add(new String[] {"Add", b.scalar(name + "/shift", u.c())});
                }
                steps.add(new String[] {"Log", null});
                if (u.logBaseScale() != 1f) {
                    steps.add(new String[] {"Mul", b.scalar(name + "/base_scale", u.logBaseScale())});
                }
                chain(n, steps);
            }
            case THRESHOLD -> {
                String gt = b.tensorName(name + "/greater");
                b.node("Greater", name + "/Greater", List.of(x, b.scalar(name + "/threshold", u.a())), List.of(gt));
                b.node("Cast", name, List.of(gt), List.of(out(n)), attr("to", 1L));
            }
            case CLIP -> b.node("Clip", name, List.of(x, b.scalar(name + "/min", u.a()), b.scalar(name + "/max", u.b())),
                    List.of(out(n)));
            case SWISH -> {
                String arg = x;
                if (u.a() != 1f) {
                    arg = b.tensorName(name + "/beta_x");
                    b.node("Mul", name + "/Mul_beta", List.of(x, b.scalar(name + "/beta", u.a())), List.of(arg));
                }
                String sig = b.tensorName(name + "/sigmoid");
                b.node("Sigmoid", name + "/Sigmoid", List.of(arg), List.of(sig));
                b.node("Mul", name, List.of(x, sig), List.of(out(n)));
            }
            case RELU6 -> {
                String leaky = b.tensorName(name + "/leaky");
                b.node("LeakyRelu", name + "/LeakyRelu", List.of(x), List.of(leaky), attr("alpha", u.a()));
                b.node("Min", name, List.of(leaky, b.scalar(name + "/six", 6f)), List.of(out(n)));
            }
            case HARD_SWISH -> {
                if (options.opset() >= 14) {
                    b.node("HardSwish", name, List.of(x), List.of(out(n)));
                } else {
                    String gate = b.tensorName(name + "/gate");
                    b.node("HardSigmoid", name + "/HardSigmoid", List.of(x), List.of(gate), attr("alpha", 1f / 6f),
                            attr("beta", 0.5f));
                    b.node("Mul", name, List.of(x, gate), List.of(out(n)));
                }
            }
            case HARD_SIGMOID -> b.node("HardSigmoid", name, List.of(x), List.of(out(n)), attr("alpha", 0.2f),
                    attr("beta", 0.5f));
            case MISH -> {
                String sp = b.tensorName(name + "/softplus");
                b.node("Softplus", name + "/Softplus", List.of(x), List.of(sp));
                String th = b.tensorName(name + "/tanh");
                b.node("Tanh", name + "/Tanh", List.of(sp), List.of(th));
                b.node("Mul", name, List.of(x, th), List.of(out(n)));
            }
            default -> throw new IllegalStateException("no ONNX mapping for Unary " + u.kind());
        }
    }

    /** One-input steps {op type, second input or null} from the node's input to its output; the last is the node. */
    private void chain(Node n, List<String[]> steps) {
        String cur = in(n, 0);
        for (int i = 0; i < steps.size(); i++) {
            boolean last = i == steps.size() - 1;
            String op = steps.get(i)[0];
            String target = last ? out(n) : b.tensorName(n.name() + "/" + op.toLowerCase() + i);
            List<String> ins = steps.get(i)[1] == null ? List.of(cur) : List.of(cur, steps.get(i)[1]);
            b.node(op, last ? n.name() : n.name() + "/" + op + i, ins, List.of(target));
            cur = target;
        }
    }

    // ----- Embed, SPP, Im2col (Parameter and BatchReindex are one node each, in the table) ----------------------------

    /** {@code value} Cast to int64, truncating toward zero as Caffe's {@code static_cast<int>} does. */
    private String int64(Node n, String value) {
        String t = b.tensorName(n.name() + "/indices");
        b.node("Cast", n.name() + "/Cast", List.of(value), List.of(t),
                attr("to", (long) org.senet4j.onnx.proto.TensorProto.DataType.INT64_VALUE));
        return t;
    }

    /**
     * Embed: the weight rows Gathered by the indices (Cast to int64), then Add of the bias. ONNX Runtime refuses an
     * index of {@code input_dim} or more, as senet4j's engines do; a negative one in {@code [-input_dim, -1]} selects a
     * row from the end where the engines refuse it (Caffe reads outside its weight there).
     */
    private void embed(Node n, Embed e) {
        String idx = int64(n, in(n, 0));
        String y = e.hasBias() ? b.tensorName(n.name() + "/rows") : out(n);
        b.node("Gather", n.name(), List.of(weight(n, "weight", e.weight(), null), idx), List.of(y), attr("axis", 0L));
        if (e.hasBias()) {
            b.node("Add", n.name() + "/Add", List.of(y, weight(n, "bias", e.bias(), null)), List.of(out(n)));
        }
    }

    /**
     * SPP: each level's Caffe Pooling (exact, as a Pooling layer's), Flatten from axis 1, Concat on axis 1; with one
     * level the Pooling alone (Caffe's N x C x 1 x 1).
     */
    private void spp(Node n, SPP s) throws ModelException {
        String x = in(n, 0);
        Shape is = g.shape(x);
        List<Shape> levels = s.levelShapes(is);
        if (levels.size() == 1) {
            pooling(n.name(), s.level(0, is.dim(2), is.dim(3)), x, is, levels.get(0), out(n));
            return;
        }
        List<String> flats = new ArrayList<>();
        for (int l = 0; l < levels.size(); l++) {
            String level = n.name() + "/level" + l;
            String pooled = b.tensorName(level);
            pooling(level, s.level(l, is.dim(2), is.dim(3)), x, is, levels.get(l), pooled);
            String flat = b.tensorName(level + "/flat");
            b.node("Flatten", level + "/Flatten", List.of(pooled), List.of(flat), attr("axis", 1L));
            flats.add(flat);
        }
        b.node("Concat", n.name(), flats, List.of(out(n)), attr("axis", 1L));
    }

    /**
     * Im2col as a Conv with {@code group = C} and a one-hot weight: output channel {@code c * K + k} has a single 1 at
     * kernel position {@code k} and reads only input channel {@code c}, so every output value is one input value (or
     * a padded 0) times 1, exactly. Items over several axes (channel axis 2 or more) or none (axis 0) are reshaped into
     * one batch axis first and back after.
     */
    private void im2col(Node n, Im2col op) throws ModelException {
        String x = in(n, 0);
        Dims xd = dims.of(x);
        int axis = op.axis();
        int spatial = op.spatialAxes();
        if (xd.variable(axis)) {
            throw ModelException.field("convolution_param.axis", "the channel axis " + axis + " follows the batch "
                    + "size, and an ONNX Conv's group (the channel count here) is fixed; export with a fixed batch");
        }
        int c = xd.a()[axis];
        int k = Math.toIntExact(op.kernelCount());
        if ((long) c * k * k > Integer.MAX_VALUE) {
            throw ModelException.field("convolution_param.kernel_size", "the one-hot weight of " + c + " x " + k
                    + " x " + k + " values is too large for ONNX");
        }
        float[] w = new float[c * k * k];
        for (int ch = 0; ch < c; ch++) {
            for (int kk = 0; kk < k; kk++) {
                w[(ch * k + kk) * k + kk] = 1f;
            }
        }
        long[] wd = new long[spatial + 2];
        wd[0] = (long) c * k;
        wd[1] = 1;
        long[] kernel = new long[spatial];
        long[] strides = new long[spatial];
        long[] pads = new long[2 * spatial];
        long[] dilations = new long[spatial];
        for (int d = 0; d < spatial; d++) {
            wd[2 + d] = kernel[d] = op.kernel().get(d);
            strides[d] = op.stride().get(d);
            pads[d] = pads[spatial + d] = op.pad().get(d);
            dilations[d] = op.dilation().get(d);
        }
        String src = x;
        Dims yd = dims.of(out(n));
        if (axis != 1) {
            src = reshape(n.name(), n.name() + "/Items", x, xd, items(xd, axis), b.tensorName(n.name() + "/items"));
        }
        String conv = axis == 1 ? out(n) : b.tensorName(n.name() + "/columns");
        b.node("Conv", n.name(), List.of(src, b.floats(n.name() + "/one_hot", wd, w,
                "one 1 per output channel c * K + k, at kernel position k")), List.of(conv),
                ints("kernel_shape", kernel), ints("strides", strides), ints("pads", pads),
                ints("dilations", dilations), attr("group", (long) c));
        if (axis != 1) {
            reshape(n.name(), n.name() + "/Unitems", conv, items(yd, axis), yd, out(n));
        }
    }

    /** {@code d} with its axes before {@code axis} as one (a 1 when there are none). */
    private static Dims items(Dims d, int axis) {
        int[] a = new int[d.rank() - axis + 1];
        int[] bb = new int[a.length];
        a[0] = 1;
        bb[0] = 1;
        for (int i = 0; i < axis; i++) {
            a[0] *= d.a()[i];
            bb[0] *= d.b()[i];
        }
        System.arraycopy(d.a(), axis, a, 1, a.length - 1);
        System.arraycopy(d.b(), axis, bb, 1, bb.length - 1);
        return new Dims(a, bb);
    }

    // ----- helpers ---------------------------------------------------------------------------------------------

    /**
     * A Reshape of {@code x} to {@code to}, written as the shape tensor ONNX needs to reproduce it at any batch size:
     * fixed dimensions as numbers, a variable dimension as 0 (copy) when the input has the same one at the same
     * position, else as the one inferred -1.
     *
     * @return {@code y}
     * @throws ModelException when two variable dimensions move (the reshape cannot follow a variable batch)
     */
    private String reshape(String layer, String nodeName, String x, Dims from, Dims to, String y)
            throws ModelException {
        long[] shape = new long[to.rank()];
        boolean inferred = false;
        for (int i = 0; i < shape.length; i++) {
            if (!to.variable(i)) {
                shape[i] = to.a()[i];
                if (shape[i] == 0) {
                    throw ModelException.field("reshape_param.shape", "a dimension of size 0 cannot be exported");
                }
            } else if (to.sameAt(i, from)) {
                shape[i] = 0;
            } else if (!inferred) {
                shape[i] = -1;
                inferred = true;
            } else {
                throw ModelException.field("reshape_param.shape", "the output " + Arrays.toString(to.a())
                        + " moves more than one dimension that follows the batch size; ONNX Reshape cannot express"
                        + " that for a variable batch size");
            }
        }
        b.node("Reshape", nodeName, List.of(x, b.int64s(layer + "/shape", shape)),
                List.of(y));
        return y;
    }

    private String weight(Node n, String key, Tensor t, long[] dims) {
        return b.floats(n.name() + "/" + key, dims != null ? dims : longs(t.shape().dims()), t, null);
    }

    private static long[] withOnes(Shape s, int trailing) {
        long[] d = new long[s.rank() + Math.max(0, trailing)];
        Arrays.fill(d, 1L);
        for (int i = 0; i < s.rank(); i++) {
            d[i] = s.dim(i);
        }
        return d;
    }

    private static long[] longs(int[] d) {
        return Arrays.stream(d).asLongStream().toArray();
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private static String in(Node n, int i) {
        return n.inputs().get(i);
    }

    private static String out(Node n) {
        return n.outputs().get(0);
    }
}
