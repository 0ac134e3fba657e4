package org.senet4j.engine.cuda;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import org.senet4j.ModelException;
import java.util.Map;
import java.util.Set;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.Axpy;
import org.senet4j.ir.op.BatchNorm;
import org.senet4j.ir.op.BatchReindex;
import org.senet4j.ir.op.Bias;
import org.senet4j.ir.op.Concat;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.Dropout;
import org.senet4j.ir.op.Eltwise;
import org.senet4j.ir.op.Embed;
import org.senet4j.ir.op.Flatten;
import org.senet4j.ir.op.Im2col;
import org.senet4j.ir.op.InnerProduct;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.ShuffleChannel;
import org.senet4j.ir.op.Unary;
import org.senet4j.ir.op.Tile;
import org.senet4j.ir.op.Reduction;
import org.senet4j.ir.op.OpTable;
import org.senet4j.ir.op.MVN;
import org.senet4j.ir.op.LRN;
import org.senet4j.ir.op.Deconvolution;
import org.senet4j.ir.op.Custom;
import org.senet4j.ir.op.Crop;
import org.senet4j.ir.op.BatchStatNorm;
import org.senet4j.ir.op.ArgMax;
import org.senet4j.ir.op.PReLU;
import org.senet4j.ir.op.Parameter;
import org.senet4j.ir.op.Pooling;
import org.senet4j.ir.op.Power;
import org.senet4j.ir.op.ReLU;
import org.senet4j.ir.op.Reshape;
import org.senet4j.ir.op.SPP;
import org.senet4j.ir.op.Scale;
import org.senet4j.ir.op.Sigmoid;
import org.senet4j.ir.op.Silence;
import org.senet4j.ir.op.Slice;
import org.senet4j.ir.op.Softmax;
import org.senet4j.ir.op.Split;
import org.senet4j.ir.op.TanH;

/**
 * The host-side plan of a graph at one input shape, before any device work: where every value lives (element type,
 * physical order, storage shared through aliases and in-place steps, offsets in one arena from the
 * {@link MemoryPlanner}), and the steps that compute the nodes. Built without touching the GPU, so that the planning
 * logic is tested on machines without one.
 *
 * <p>Choices, per node: Convolution through cuDNN; InnerProduct through cuBLAS; Pooling, Axpy, the SE excitation's
 * two-input Scale, Eltwise, per-channel BatchNorm/Scale/Bias, ReLU/PReLU/Sigmoid/TanH/Power, Concat and Slice (axis 0
 * or 1, any axis in logical order) through the engine's kernels; Softmax through cuDNN; Split, Dropout and Reshape or
 * Flatten of a value in logical order share their input's storage; everything else runs on the host
 * ({@link HostStep}). A ReLU that alone consumes an Axpy, two-input Scale, Eltwise or channel-affine output is
 * computed in the same kernel. Graph inputs arrive as float32 in logical order and graph outputs leave that way:
 * conversion kernels to and from a staging area are added where the plan's type or layout differs.
 */
final class PlanSpec {
    final Graph graph;
    final DType dtype;
    final boolean channelsLast;
    final Launches launches;
    /** Every graph value that exists on the device, by value name (fused-away values are absent). */
    final Map<String, DeviceValue> values = new LinkedHashMap<>();
    final List<Step> steps = new ArrayList<>();
    /** Values computed by a ReLU fused into the op before it (the op's own output is never materialised). */
    final Set<String> fusedAway = new HashSet<>();
    /** The index of the step after which each value is complete (-1 for graph inputs). */
    final Map<String, Integer> producedAt = new HashMap<>();
    /** Staging offsets (bytes) of the inputs and outputs that go through a conversion. */
    final Map<String, Long> inputStaging = new LinkedHashMap<>();
    final Map<String, Long> outputStaging = new LinkedHashMap<>();
    long stagingBytes;
    /** The staging buffer's device address, set when the plan allocates it. */
    final long[] stagingBase = {0};
    long arenaBytes;
    /** The storage roots with their memory requests, in the order placed. */
    final List<DeviceValue> roots = new ArrayList<>();
    final List<MemoryPlanner.Request> requests = new ArrayList<>();
    private final Set<Node> absorbed = new HashSet<>();

    private final boolean fuseRelu;

    PlanSpec(Graph graph, DType dtype, boolean channelsLast, int maxBlocks) {
        this(graph, dtype, channelsLast, maxBlocks, true);
    }

    /** @param fuseRelu compute a ReLU that alone reads an op's output in that op's kernel (the output then is absent) */
    PlanSpec(Graph graph, DType dtype, boolean channelsLast, int maxBlocks, boolean fuseRelu) {
        this.graph = graph;
        this.fuseRelu = fuseRelu;
        this.dtype = dtype;
        this.channelsLast = channelsLast;
        this.launches = new Launches(maxBlocks);
        for (var v : graph.values().values()) {
            values.put(v.name(), new DeviceValue(v.name(), v.shape(), dtype, channelsLast));
        }
        for (String in : graph.inputs()) {
            producedAt.put(in, -1);
        }
        addInputConversions();
        for (Node n : graph.nodes()) {
            if (!(n.op() instanceof Input) && !absorbed.contains(n)) {
                plan(n);
            }
        }
        addOutputConversions();
        planMemory();
    }

    private DeviceValue v(String name) {
        return values.get(name);
    }

    private void add(Step s) {
        for (DeviceValue o : s.outputs()) {
            producedAt.put(o.name, steps.size());
        }
        steps.add(s);
    }

    private void addInputConversions() {
        long off = 0;
        for (String name : graph.inputs()) {
            DeviceValue in = v(name);
            if (in.dtype == DType.F32 && !in.nhwc) {
                continue;
            }
            inputStaging.put(name, off);
            Address src = new StagingAddress(this, off);
            add(new KernelStep("input " + name, "convert input to " + in.dtype.suffix + (in.nhwc ? " nhwc" : ""),
                    List.of(), List.of(in), List.of(launches.relayout(in, in.dtype, in.dims4(), in.nhwc, src, DType.F32,
                            in.dims4(), false, in.count())), false));
            off += MemoryPlanner.align(4 * in.count());
        }
        stagingBytes = off;
    }

    private void addOutputConversions() {
        long off = stagingBytes;
        for (String name : graph.outputs()) {
            DeviceValue out = v(name);
            if (out.dtype == DType.F32 && !out.nhwc || outputStaging.containsKey(name) || graph.inputs().contains(name)) {
                continue;
            }
            outputStaging.put(name, off);
            Address dst = new StagingAddress(this, off);
            steps.add(new KernelStep("output " + name, "convert output to f32", List.of(out), List.of(), List.of(
                    launches.relayout(dst, DType.F32, out.dims4(), false, out, out.dtype, out.dims4(), out.nhwc,
                            out.count())), false));
            off += MemoryPlanner.align(4 * out.count());
        }
        stagingBytes = off;
    }

    /** The ReLU that alone reads {@code n}'s only output, when it can be computed in {@code n}'s kernel. */
    private Node fusableRelu(Node n) {
        if (!fuseRelu || n.outputs().size() != 1 || graph.outputs().contains(n.outputs().get(0))) {
            return null;
        }
        List<Node> c = graph.consumers(n.outputs().get(0));
        return c.size() == 1 && c.get(0).op() instanceof ReLU ? c.get(0) : null;
    }

    /** The output the kernel writes and its activation, fusing a following ReLU when there is one. */
    private DeviceValue outputWithRelu(Node n, Activation[] act) {
        Node relu = fusableRelu(n);
        if (relu == null) {
            act[0] = Activation.NONE;
            return v(n.outputs().get(0));
        }
        absorbed.add(relu);
        act[0] = Activation.relu(((ReLU) relu.op()).negativeSlope());
        String pre = n.outputs().get(0);
        fusedAway.add(pre);
        values.remove(pre);
        DeviceValue out = v(relu.outputs().get(0));
        producedAt.put(pre, steps.size());
        return out;
    }

    private void plan(Node n) {
        List<DeviceValue> in = n.inputs().stream().map(this::v).toList();
        String why;
        try {
            why = PLANNERS.handle(n.op(), new At(this, n, in));
        } catch (ModelException e) {
            throw new IllegalArgumentException("layer " + n.name() + ": " + e.getMessage(), e);
        }
        if (why != null) {
            add(new HostStep(n.name(), n.op(), in, n.outputs().stream().map(this::v).toList(), launches, why));
        }
    }

    /** The node being planned and its input values. */
    private record At(PlanSpec spec, Node n, List<DeviceValue> in) {
        DeviceValue x() {
            return in.get(0);
        }

        DeviceValue y() {
            return spec.v(n.outputs().get(0));
        }

        String name() {
            return n.name();
        }
    }

    /**
     * How each op is planned: a handler adds device steps and returns null, or returns why the node runs on the host
     * (a {@link HostStep} with the op's reference kernel).
     */
    private static final OpTable<At, String> PLANNERS = planners();

    /** The CUDA plan's table: which ops get device kernels; the rest run on the host between device steps. */
    static OpTable<?, ?> table() {
        return PLANNERS;
    }

    private static OpTable<At, String> planners() {
        OpTable.Builder<At, String> t = OpTable.builder("the CUDA engine");
        t.on(Convolution.class, (c, a) -> {
            a.spec().add(new ConvStep(a.name(), c, a.x(), a.y(), a.spec().channelsLast, a.spec().launches));
            return null;
        });
        t.on(InnerProduct.class, (ip, a) -> {
            if (a.x().nhwc && ip.axis() != 1) {
                return "inner product from axis " + ip.axis() + " of a channels-last value";
            }
            a.spec().add(new GemmStep(a.name(), ip, a.x(), a.y(), a.spec().launches));
            return null;
        });
        t.on(Pooling.class, (p, a) -> a.spec().planPooling(a, p));
        t.on(Axpy.class, (op, a) -> {
            DeviceValue xx = a.in().get(1);
            DeviceValue yy = a.in().get(2);
            Activation[] act = new Activation[1];
            DeviceValue out = a.spec().outputWithRelu(a.n(), act);
            a.spec().add(new KernelStep(a.name(), "axpy" + actName(act[0]), List.of(xx, a.x(), yy), List.of(out),
                    List.of(a.spec().launches.scaleAdd(a.x(), xx, yy, out, Launches.actKind(act[0]), act[0].alpha())),
                    true));
            return null;
        });
        t.on(Scale.class, (sc, a) -> sc.twoInputs() ? a.spec().planScaleByInput(a, sc) : a.spec().planAffine(a, sc));
        t.on(BatchNorm.class, (bn, a) -> a.spec().planAffine(a, bn));
        t.on(Bias.class, (bi, a) -> a.spec().planAffine(a, bi));
        t.on(Eltwise.class, (e, a) -> {
            a.spec().planEltwise(a.n(), e, a.in());
            return null;
        });
        t.on(ReLU.class, (r, a) -> a.spec().unary(a.n(), a.spec().launches.act(a.x(), a.y(), KernelSource.ACT_RELU,
                r.negativeSlope()), "relu"));
        t.on(Sigmoid.class, (op, a) -> a.spec().unary(a.n(), a.spec().launches.act(a.x(), a.y(),
                KernelSource.ACT_SIGMOID, 0f), "sigmoid"));
        t.on(TanH.class, (op, a) -> a.spec().unary(a.n(), a.spec().launches.act(a.x(), a.y(), KernelSource.ACT_TANH,
                0f), "tanh"));
        t.on(Power.class, (p, a) -> a.spec().unary(a.n(), a.spec().launches.power(a.x(), a.y(), p.power(), p.scale(),
                p.shift()), "power"));
        t.on(PReLU.class, (p, a) -> {
            if (a.x().shape.rank() < 2 && !p.channelShared()) {
                return "PReLU of a 1-D value";
            }
            WeightRef slope = new WeightRef(a.name() + "#slope", DType.F32, () -> p.slope().toArray());
            return a.spec().unary(a.n(), a.spec().launches.prelu(a.x(), a.y(), slope, p.channelShared()), "prelu");
        });
        t.on(Softmax.class, (sm, a) -> {
            if (a.x().nhwc && sm.axis() != 1) {
                return "softmax over axis " + sm.axis() + " of a channels-last value";
            }
            a.spec().add(new SoftmaxStep(a.name(), sm.axis(), a.x(), a.y()));
            return null;
        });
        t.on(Concat.class, (c, a) -> a.spec().planConcat(a.n(), c.axis(), a.in(), a.y()));
        t.on(Slice.class, (sl, a) -> a.spec().planSlice(a.n(), sl.axis(), a.x(),
                a.n().outputs().stream().map(a.spec()::v).toList()));
        t.onEach((op, a) -> {
            for (String o : a.n().outputs()) {
                a.spec().alias(a.spec().v(o), a.x());
            }
            return null;
        }, Split.class, Dropout.class);
        t.onEach((op, a) -> a.spec().planReshape(a), Reshape.class, Flatten.class);
        t.on(Silence.class, (op, a) -> null);
        t.onEach((op, a) -> "no device kernel for " + op.opName(), LRN.class, MVN.class, Unary.class,
                Deconvolution.class, Crop.class, ArgMax.class, Reduction.class, Tile.class, BatchStatNorm.class,
                org.senet4j.ir.op.LSTM.class, org.senet4j.ir.op.RNN.class, org.senet4j.ir.op.LSTMUnit.class,
                Embed.class, Parameter.class, SPP.class,
                Im2col.class, BatchReindex.class, ShuffleChannel.class);
        t.on(Custom.class, (c, a) -> "a plug-in layer's Java kernel runs on the host");
        t.onEach((op, a) -> "no device kernel for " + op.opName(), org.senet4j.ir.op.Permute.class,
                org.senet4j.ir.op.Normalize.class, org.senet4j.ir.op.PriorBox.class);
        t.on(org.senet4j.ir.op.Reorg.class, (op, a) -> "no device kernel for Reorg");
        t.on(org.senet4j.ir.op.YoloDetectionOutput.class, (op, a) -> "YOLO post-processing (decoding, NMS) runs on "
                + "the host");
        t.onEach((op, a) -> "no device kernel for " + op.opName(), org.senet4j.ir.op.Interp.class,
                org.senet4j.ir.op.NearestUpsample.class, org.senet4j.ir.op.MaxUnpool.class);
        t.on(org.senet4j.ir.op.MaxPoolMask.class, (op, a) -> {
            long plane = a.x().shape.count(2, 4);
            if (a.spec().dtype == DType.F16 && plane > 2048) {
                throw ModelException.field("top", "the mask top holds indices up to " + (plane - 1)
                        + " (the input plane), which float16 values cannot all hold exactly (integers up to 2048); "
                        + "run this net in float32");
            }
            return "no device kernel for " + op.opName();
        });
        t.on(org.senet4j.ir.op.DetectionOutput.class, (op, a) -> "detection post-processing (decoding, NMS) runs "
                + "on the host");
        t.onEach((op, a) -> "no device kernel for " + op.opName(), org.senet4j.ir.op.RoiPooling.class,
                org.senet4j.ir.op.PsRoiPooling.class);
        t.on(org.senet4j.ir.op.Proposal.class, (op, a) -> "region proposals (anchors, decoding, sorting, NMS) run on "
                + "the host");
        t.onEach((op, a) -> "no device kernel for " + op.opName(), org.senet4j.ir.op.Reverse.class,
                org.senet4j.ir.op.ContinuationIndicator.class);
        t.on(org.senet4j.ir.op.CtcGreedyDecoder.class, (op, a) -> "greedy CTC decoding (argmax, merging, "
                + "compaction) runs on the host");
        t.unsupported(Input.class, "an Input's values are copied in, not computed");
        return t.build();
    }

    private String planPooling(At a, Pooling p) {
        DeviceValue x = a.x();
        DeviceValue y = a.y();
        if (p.method() == Pooling.Method.STOCHASTIC) {
            return "stochastic pooling has no device kernel";
        }
        if (x.nhwc != y.nhwc && y.shape.count(2, 4) != 1) {
            return "pooling between layouts";
        }
        int[] d = x.dims4();
        boolean whole = p.global() || (p.kernelH() == d[2] && p.kernelW() == d[3] && p.padH() == 0 && p.padW() == 0
                && y.shape.dim(2) == 1 && y.shape.dim(3) == 1);
        KernelCall call = whole ? launches.globalPool(x, y, p.method() == Pooling.Method.MAX) : launches.pool(p, x, y);
        add(new KernelStep(a.name(), (whole ? "global " : "") + p.method().name().toLowerCase(java.util.Locale.ROOT)
                + " pool", List.of(x), List.of(y), List.of(call), false));
        return null;
    }

    private String planScaleByInput(At a, Scale s) {
        DeviceValue x = a.x();
        DeviceValue f = a.in().get(1);
        if (s.axis() != 0 || s.bias() != null || f.shape.rank() != 2 || x.shape.rank() < 2
                || f.shape.dim(0) != x.shape.dim(0) || f.shape.dim(1) != x.shape.dim(1)) {
            return "two-input Scale other than SENet's N x C excitation";
        }
        Activation[] act = new Activation[1];
        DeviceValue out = outputWithRelu(a.n(), act);
        add(new KernelStep(a.name(), "scale by N x C" + actName(act[0]), List.of(x, f), List.of(out), List.of(
                launches.scaleAdd(f, x, KernelCall.NULL, out, Launches.actKind(act[0]), act[0].alpha())), true));
        return null;
    }

    /** BatchNorm and one-input Scale/Bias over the channels as one affine kernel; other forms run on the host. */
    private String planAffine(At a, Op op) {
        float[][] ab = channelAffine(op, a.x());
        if (ab == null) {
            return "unsupported case of " + op.opName();
        }
        Activation[] act = new Activation[1];
        DeviceValue out = outputWithRelu(a.n(), act);
        String name = a.name();
        Address w = ab[0] == null ? KernelCall.NULL : new WeightRef(name + "#affine-a", DType.F32, () -> ab[0]);
        Address b = ab[1] == null ? KernelCall.NULL : new WeightRef(name + "#affine-b", DType.F32, () -> ab[1]);
        add(new KernelStep(name, "channel affine" + actName(act[0]), List.of(a.x()), List.of(out), List.of(
                launches.affine(a.x(), out, w, b, Launches.actKind(act[0]), act[0].alpha())), true));
        return null;
    }

    private String planReshape(At a) {
        DeviceValue x = a.x();
        DeviceValue y = a.y();
        if (!x.nhwc && !y.nhwc) {
            alias(y, x);
        } else {
            add(new KernelStep(a.name(), "reshape between layouts", List.of(x), List.of(y), List.of(launches.relayout(
                    y, y.dtype, y.dims4(), y.nhwc, x, x.dtype, x.dims4(), x.nhwc, y.count())), false));
        }
        return null;
    }

    private static String actName(Activation a) {
        return a.isNone() ? "" : " + " + a.kind().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Adds one element-wise kernel step; returns null (planned on the device). */
    private String unary(Node n, KernelCall call, String what) {
        add(new KernelStep(n.name(), what, List.of(v(n.inputs().get(0))), List.of(v(n.outputs().get(0))), List.of(call),
                true));
        return null;
    }

    private void alias(DeviceValue out, DeviceValue in) {
        out.aliasTo(in);
        producedAt.put(out.name, producedAt.getOrDefault(in.name, -1));
    }

    /** Per-channel (axis 1) {@code a, b} of BatchNorm and one-input Scale/Bias, or null when not per-channel. */
    static float[][] channelAffine(Op op, DeviceValue x) {
        if (x == null || x.shape.rank() < 2) {
            return null;
        }
        int c = x.shape.dim(1);
        if (op instanceof BatchNorm bn) {
            double[][] ab = bn.affine();
            float[] a = new float[c];
            float[] b = new float[c];
            for (int i = 0; i < c; i++) {
                a[i] = (float) ab[0][i];
                b[i] = (float) ab[1][i];
            }
            return new float[][] {a, b};
        }
        if (op instanceof Scale s && !s.twoInputs() && s.axis() == 1 && s.scale().count() == c) {
            return new float[][] {s.scale().toArray(), s.bias() == null ? null : s.bias().toArray()};
        }
        if (op instanceof Bias b && !b.twoInputs() && b.axis() == 1 && b.bias().count() == c) {
            return new float[][] {null, b.bias().toArray()};
        }
        return null;
    }

    private void planEltwise(Node n, Eltwise e, List<DeviceValue> in) {
        Activation[] act = new Activation[1];
        DeviceValue out = outputWithRelu(n, act);
        int op = switch (e.operation()) {
            case PROD -> KernelSource.ELT_PROD;
            case SUM -> KernelSource.ELT_SUM;
            case MAX -> KernelSource.ELT_MAX;
        };
        List<KernelCall> calls = new ArrayList<>();
        for (int i = 1; i < in.size(); i++) {
            boolean last = i == in.size() - 1;
            Address x0 = i == 1 ? in.get(0) : out;
            float c0 = i == 1 ? e.coefficient(0) : 1f;
            calls.add(launches.eltwise(x0, in.get(i), out, op, c0, e.coefficient(i),
                    last ? Launches.actKind(act[0]) : KernelSource.ACT_NONE, last ? act[0].alpha() : 0f));
        }
        // in place over input 0 only when no later input is the same storage (the chain rereads inputs 1..k)
        add(new KernelStep(n.name(), "eltwise " + e.operation() + actName(act[0]), in, List.of(out), calls, true));
    }

    /** Plans Concat as strided block copies; returns why not when the layout does not allow it. */
    private String planConcat(Node n, int axis, List<DeviceValue> in, DeviceValue y) {
        List<KernelCall> calls = new ArrayList<>();
        long off = 0;
        for (DeviceValue x : in) {
            long[] g = blocks(x.shape, y.shape, axis, y.nhwc);
            if (g == null) {
                return "concat over axis " + axis + " of channels-last values";
            }
            // g: outer, inner (this input's block), stride of the whole output, unit of the offset
            calls.add(launches.copyBlock(y.dtype, y, x, g[0], g[1], g[1], 0, g[2], off * g[3]));
            off += x.shape.dim(axis);
        }
        add(new KernelStep(n.name(), "concat", in, List.of(y), calls, false));
        return null;
    }

    private String planSlice(Node n, int axis, DeviceValue x, List<DeviceValue> outs) {
        List<KernelCall> calls = new ArrayList<>();
        long off = 0;
        for (DeviceValue y : outs) {
            long[] g = blocks(y.shape, x.shape, axis, x.nhwc);
            if (g == null) {
                return "slice over axis " + axis + " of a channels-last value";
            }
            calls.add(launches.copyBlock(x.dtype, y, x, g[0], g[1], g[2], off * g[3], g[1], 0));
            off += y.shape.dim(axis);
        }
        add(new KernelStep(n.name(), "slice", List.of(x), outs, calls, false));
        return null;
    }

    /**
     * The block geometry of a part (one Concat input, one Slice output) inside the whole value along {@code axis}:
     * {@code [outer, part inner, whole inner, offset unit]} in elements, or null when the physical order does not allow
     * block copies (channels-last along an axis other than 0 or 1).
     */
    static long[] blocks(Shape part, Shape whole, int axis, boolean nhwc) {
        if (!nhwc) {
            long after = whole.count(axis + 1, whole.rank());
            return new long[] {whole.count(0, axis), part.dim(axis) * after, whole.dim(axis) * after, after};
        }
        if (axis == 1) {
            long pixels = (long) whole.dim(0) * whole.dim(2) * whole.dim(3);
            return new long[] {pixels, part.dim(1), whole.dim(1), 1};
        }
        if (axis == 0) {
            long per = whole.count(1, 4);
            return new long[] {1, part.dim(0) * per, whole.dim(0) * per, per};
        }
        return null;
    }

    /**
     * Gives every storage root an offset: first lifetimes (graph inputs live from before the first step, graph outputs
     * to after the last), then in-place steps take over their input's storage when that input dies there, then the
     * {@link MemoryPlanner} places the roots.
     */
    private void planMemory() {
        Map<DeviceValue, int[]> life = new IdentityHashMap<>();
        for (String in : graph.inputs()) {
            life.put(v(in).root(), new int[] {-1, -1});
        }
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            for (DeviceValue o : s.outputs()) {
                int[] l = life.computeIfAbsent(o.root(), k -> new int[] {Integer.MAX_VALUE, -1});
                l[0] = Math.min(l[0], i);
                l[1] = Math.max(l[1], i);
            }
            for (DeviceValue in : s.inputs()) {
                int[] l = life.computeIfAbsent(in.root(), k -> new int[] {-1, -1});
                l[1] = Math.max(l[1], i);
            }
        }
        Set<DeviceValue> pinned = Collections.newSetFromMap(new IdentityHashMap<>());
        for (String o : graph.outputs()) {
            DeviceValue r = v(o).root();
            int[] l = life.computeIfAbsent(r, k -> new int[] {-1, -1});
            l[1] = steps.size();
            pinned.add(r);
        }
        for (String in : graph.inputs()) {
            pinned.add(v(in).root());
        }
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (!s.inPlace() || s.inputs().isEmpty() || s.outputs().isEmpty()) {
                continue;
            }
            DeviceValue in = s.inputs().get(0).root();
            DeviceValue out = s.outputs().get(0).root();
            int[] li = life.get(in);
            int[] lo = life.get(out);
            if (in == out || pinned.contains(in) || li == null || lo == null || li[1] != i || lo[0] != i
                    || in.bytes() != out.bytes()) {
                continue;
            }
            boolean rereads = false;
            for (int k = 1; k < s.inputs().size(); k++) {
                rereads |= s.inputs().get(k).root() == in;
            }
            if (rereads && s instanceof KernelStep ks && ks.calls().size() > 1) {
                continue;
            }
            out.aliasTo(in);
            li[1] = Math.max(li[1], lo[1]);
            life.remove(out);
            if (pinned.remove(out)) {
                pinned.add(in);
            }
        }
        for (Map.Entry<DeviceValue, int[]> e : life.entrySet()) {
            DeviceValue r = e.getKey();
            if (!r.isRoot()) {
                continue;
            }
            int[] l = e.getValue();
            roots.add(r);
            requests.add(new MemoryPlanner.Request(r.bytes(), l[0], Math.max(l[0], l[1])));
        }
        MemoryPlanner.Placement p = MemoryPlanner.place(requests);
        for (int i = 0; i < roots.size(); i++) {
            roots.get(i).offset = p.offsets()[i];
        }
        arenaBytes = p.arenaBytes();
    }

    /** Bytes all values would take without sharing (for reports). */
    long unsharedBytes() {
        long sum = 0;
        for (DeviceValue r : roots) {
            sum += MemoryPlanner.align(r.bytes());
        }
        return sum;
    }

    List<HostStep> hostSteps() {
        return steps.stream().filter(s -> s instanceof HostStep).map(s -> (HostStep) s).toList();
    }

    /** An address inside the plan's staging buffer, known once the plan allocates it. */
    static final class StagingAddress implements Address {
        private final PlanSpec spec;
        final long offset;

        StagingAddress(PlanSpec spec, long offset) {
            this.spec = spec;
            this.offset = offset;
        }

        @Override
        public long address() {
            if (spec.stagingBase[0] == 0) {
                throw new IllegalStateException("staging memory of " + spec.graph.name() + " is not allocated");
            }
            return spec.stagingBase[0] + offset;
        }
    }
}
