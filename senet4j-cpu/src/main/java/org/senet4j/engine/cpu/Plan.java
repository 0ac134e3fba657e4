package org.senet4j.engine.cpu;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.bytedeco.dnnl.global.dnnl;
import org.senet4j.ModelException;
import org.senet4j.engine.HostTensor;
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
import org.senet4j.ir.op.Deconvolution;
import org.senet4j.ir.op.Eltwise;
import org.senet4j.ir.op.Embed;
import org.senet4j.ir.op.InnerProduct;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.Tile;
import org.senet4j.ir.op.Split;
import org.senet4j.ir.op.Softmax;
import org.senet4j.ir.op.Slice;
import org.senet4j.ir.op.Silence;
import org.senet4j.ir.op.Reshape;
import org.senet4j.ir.op.SPP;
import org.senet4j.ir.op.Reduction;
import org.senet4j.ir.op.Power;
import org.senet4j.ir.op.PReLU;
import org.senet4j.ir.op.Parameter;
import org.senet4j.ir.op.OpTable;
import org.senet4j.ir.op.MVN;
import org.senet4j.ir.op.LRN;
import org.senet4j.ir.op.Flatten;
import org.senet4j.ir.op.Im2col;
import org.senet4j.ir.op.Dropout;
import org.senet4j.ir.op.Custom;
import org.senet4j.ir.op.Crop;
import org.senet4j.ir.op.BatchStatNorm;
import org.senet4j.ir.op.ArgMax;
import org.senet4j.ir.op.Pooling;
import org.senet4j.ir.op.ReLU;
import org.senet4j.ir.op.Scale;
import org.senet4j.ir.op.Sigmoid;
import org.senet4j.ir.op.TanH;
import org.senet4j.ir.op.ShuffleChannel;
import org.senet4j.ir.op.Unary;
import org.senet4j.passes.RoundWeightsToBf16;

/**
 * A graph compiled for one input shape: a kernel per node bound to buffers, memory planned once (values whose lives
 * do not overlap share blocks; element-wise steps write in place over an input that dies there), oneDNN primitives
 * created once. A ReLU that alone consumes an Axpy, two-input Scale or Eltwise output is fused into it unless the
 * plan is compiled without fusion (for runs that ask for that output).
 *
 * <p>A bf16 plan ({@link Bf16Policy}) gives each buffer an element type while it chooses the steps: convolutions
 * and inner products whose input is a large activation (4-D, more than one position per plane) read it in bf16 with
 * weights rounded to bf16 once and accumulate in f32; pooling, oneDNN eltwise, concatenation and the SE
 * scale-multiply work in the type their input comes in; values of one position per plane (the SE excitation's
 * squeeze and excite FCs and sigmoid, the classifier) and every Java step stay f32. Where a step needs an input in
 * the other type, a {@link ConvertStep} is planned once before its first reader.
 */
final class Plan implements AutoCloseable {
    private final Graph graph;
    private final Map<String, Buf> bufs = new HashMap<>();
    private final List<Step> steps = new ArrayList<>();
    private final Map<String, Integer> producedAt = new HashMap<>();
    private final Set<String> fusedAway = new HashSet<>();
    private final List<Block> blocks = new ArrayList<>();
    private final Map<String, InputCopy> inputCopies = new HashMap<>();

    /** A 4-D input copied in: the host's NCHW values into native memory, then a oneDNN reorder into NHWC. */
    private static final class InputCopy {
        private final org.bytedeco.javacpp.FloatPointer host;
        private final org.bytedeco.dnnl.reorder reorder;
        private final org.bytedeco.dnnl.IntMemoryMap args;

        InputCopy(Dnnl d, Buf b) {
            host = d.keep(new org.bytedeco.javacpp.FloatPointer(b.count));
            org.bytedeco.dnnl.memory src = d.memory(d.desc(b.shape, org.bytedeco.dnnl.memory.format_tag.nchw), host);
            org.bytedeco.dnnl.memory dst = b.mem(d);
            reorder = d.keep(new org.bytedeco.dnnl.reorder(src, dst));
            args = d.args(dnnl.DNNL_ARG_FROM, src, dnnl.DNNL_ARG_TO, dst);
        }

        void copy(Dnnl d, float[] values) {
            host.put(values);
            reorder.execute(d.stream, args);
        }
    }
    private long plannedBytes;

    private final boolean fuseRelu;
    /** Null for an fp32 plan. */
    private final Bf16Policy bf16;
    /** Copies of values in the other element type, by value name and type. */
    private final Map<String, Buf> converted = new HashMap<>();

    Plan(Graph graph, Dnnl d, boolean fuseRelu) {
        this(graph, d, fuseRelu, null);
    }

    Plan(Graph graph, Dnnl d, boolean fuseRelu, Bf16Policy bf16) {
        this.graph = graph;
        this.fuseRelu = fuseRelu;
        this.bf16 = bf16;
        for (String v : graph.values().keySet()) {
            bufs.put(v, new Buf(v, graph.shape(v)));
        }
        Set<Node> skipped = new HashSet<>();
        for (Node n : graph.nodes()) {
            if (n.op() instanceof Input || skipped.contains(n)) {
                continue;
            }
            Node relu = fusableRelu(n);
            Activation act = Activation.NONE;
            if (relu != null) {
                act = Activation.relu(((ReLU) relu.op()).negativeSlope());
                skipped.add(relu);
                String out = n.outputs().get(0);
                bufs.put(relu.outputs().get(0), bufs.get(out));
                fusedAway.add(out);
            }
            Step s = choose(n, act);
            for (Buf b : s.outputs()) {
                producedAt.put(b.value, steps.size());
            }
            if (relu != null) {
                producedAt.put(relu.outputs().get(0), steps.size());
            }
            steps.add(s);
        }
        planMemory();
        for (Step s : steps) {
            s.bind(d);
        }
        for (String in : graph.inputs()) {
            Buf b = buf(in);
            if (b.nhwc) {
                inputCopies.put(in, new InputCopy(d, b));
            }
        }
    }

    private Buf buf(String v) {
        return bufs.get(v);
    }

    private List<Buf> bufs(List<String> vs) {
        return vs.stream().map(this::buf).toList();
    }

    private Node fusableRelu(Node n) {
        boolean fusable = fuseRelu && (n.op() instanceof Axpy && graph.shape(n.inputs().get(1)).rank() == 4
                || n.op() instanceof Scale s && twoInputScaleMul(s, n)
                || n.op() instanceof Eltwise);
        if (!fusable || n.outputs().size() != 1 || graph.outputs().contains(n.outputs().get(0))) {
            return null;
        }
        List<Node> c = graph.consumers(n.outputs().get(0));
        return c.size() == 1 && c.get(0).op() instanceof ReLU ? c.get(0) : null;
    }

    private boolean twoInputScaleMul(Scale s, Node n) {
        if (!s.twoInputs() || s.bias() != null || s.axis() != 0) {
            return false;
        }
        Shape x = graph.shape(n.inputs().get(0));
        Shape f = graph.shape(n.inputs().get(1));
        return x.rank() == 4 && f.rank() == 2;
    }

    private Step choose(Node n, Activation act) {
        List<Buf> in = bufs(n.inputs());
        List<Buf> out = bufs(n.outputs());
        Step s;
        try {
            s = STEPS.handle(n.op(), new At(this, n, in, out, act));
        } catch (ModelException e) {
            throw new IllegalArgumentException("layer " + n.name() + ": " + e.getMessage(), e);
        }
        return s != null ? s : new FallbackStep(n.name(), n.op(), in.stream().map(this::f32).toList(), out);
    }

    /**
     * The node being planned, its buffers and the activation fused into it. {@link #x}, {@link #y} and {@link #out}
     * are float32 buffers unless a step asks otherwise: Java steps use them as they are, oneDNN steps take their
     * inputs through {@link #compute} or {@link #asIs} and set output types with {@link #y(Buf)}.
     */
    private record At(Plan plan, Node n, List<Buf> in, List<Buf> out, Activation act) {
        /** Input 0 in float32 (converted when its producer wrote bf16). */
        Buf x() {
            return plan.f32(in.get(0));
        }

        /** The inputs in float32. */
        List<Buf> f32() {
            return in.stream().map(plan::f32).toList();
        }

        /** Input {@code i} in the element type its producer wrote. */
        Buf asIs(int i) {
            return in.get(i);
        }

        /** Input {@code i} for a convolution or inner product: bf16 when the plan is bf16 and it is large. */
        Buf compute(int i) {
            return plan.as(in.get(i), plan.bf16 != null && Plan.large(in.get(i)) ? Dnnl.BF16 : Dnnl.F32);
        }

        /** Output 0 in float32. */
        Buf y() {
            return out.get(0);
        }

        /** Output 0 in the type of {@code from} when the output is large, else float32 (the SE path, heads). */
        Buf y(Buf from) {
            Buf o = out.get(0);
            o.dtype = Plan.large(o) ? from.dtype : Dnnl.F32;
            return o;
        }
    }

    /** A 4-D value of more than one position per plane: what a bf16 plan stores in bf16. */
    static boolean large(Buf b) {
        return RoundWeightsToBf16.storedInBf16(b.shape);
    }

    private Buf f32(Buf b) {
        return as(b, Dnnl.F32);
    }

    /** {@code b} in element type {@code t}: itself, or a copy converted once, right before the step being planned. */
    private Buf as(Buf b, org.bytedeco.dnnl.memory.data_type t) {
        if (b.dtype == t) {
            return b;
        }
        return converted.computeIfAbsent(b.value + "#" + t, k -> {
            Buf c = new Buf(b.value, b.shape);
            c.dtype = t;
            steps.add(new ConvertStep(b, c));
            return c;
        });
    }

    /** The step for a node of this op, or null to run the op's reference kernel ({@link FallbackStep}). */
    private static final OpTable<At, Step> STEPS = stepTable();

    /** The CPU engine's table: which ops get a oneDNN or Java step of their own; the rest run Java kernels. */
    static OpTable<?, ?> table() {
        return STEPS;
    }

    private static OpTable<At, Step> stepTable() {
        OpTable.Builder<At, Step> t = OpTable.builder("the CPU engine");
        t.on(Convolution.class, (c, a) -> {
            Buf x = a.plan().bf16 != null && a.plan().bf16.inputConvF32()
                    && a.plan().graph.inputs().contains(a.n().inputs().get(0)) ? a.x() : a.compute(0);
            Buf y = a.y(x);
            if (a.plan().sumsInF32(a.n())) {
                y.dtype = Dnnl.F32;
            }
            return new ConvStep(a.n().name(), c, x, y);
        });
        t.on(Deconvolution.class, (dc, a) -> new DeconvStep(a.n().name(), dc, a.x(), a.y()));
        t.on(Pooling.class, (p, a) -> {
            Buf x = a.asIs(0);
            if (!PoolStep.exact(p, x.shape.dim(2), x.shape.dim(3), a.y().shape.dim(2), a.y().shape.dim(3))) {
                return null;
            }
            return new PoolStep(a.n().name(), p, x, a.plan().pooled(a, x));
        });
        t.on(InnerProduct.class, (ip, a) -> {
            if (!InnerProductStep.supported(ip, a.asIs(0).shape)) {
                return null;
            }
            Buf x = a.compute(0);
            return new InnerProductStep(a.n().name(), ip, x, a.y(x));
        });
        t.on(Axpy.class, (op, a) -> {
            if (a.asIs(1).shape.rank() != 4) {
                return null;
            }
            Buf x = a.asIs(1);
            return new ScaleMulStep(a.n().name(), a.asIs(0), x, a.asIs(2), a.plan().residual(a, x), a.act());
        });
        t.on(Scale.class, (sc, a) -> {
            if (!a.plan().twoInputScaleMul(sc, a.n())) {
                return affineStep(sc, a);
            }
            Buf x = a.asIs(0);
            return new ScaleMulStep(a.n().name(), a.asIs(1), x, null, a.y(x), a.act());
        });
        t.on(BatchNorm.class, Plan::affineStep);
        t.on(Bias.class, Plan::affineStep);
        t.on(Eltwise.class, (e, a) -> new EltwiseStep(a.n().name(), e, a.f32(), a.y(), a.act()));
        t.on(Concat.class, (c, a) -> {
            List<Buf> in = a.in().stream().allMatch(Buf::isBf16) ? a.in() : a.f32();
            Buf y = a.y();
            y.dtype = in.get(0).dtype;
            return new ConcatStep(a.n().name(), c.axis(), in, y);
        });
        t.on(ReLU.class, (r, a) -> unary(a, dnnl.algorithm.eltwise_relu, r.negativeSlope(), 0f));
        t.on(Sigmoid.class, (op, a) -> unary(a, dnnl.algorithm.eltwise_logistic, 0f, 0f));
        t.on(TanH.class, (op, a) -> unary(a, dnnl.algorithm.eltwise_tanh, 0f, 0f));
        t.on(Unary.class, (u, a) -> eltwise(u) == null ? null : unary(a, eltwise(u), eltwiseAlpha(u),
                eltwiseBeta(u)));
        t.on(Reshape.class, (r, a) -> view(a, "reshape"));
        t.on(Flatten.class, (f, a) -> view(a, "flatten"));
        t.onEach((op, a) -> null, PReLU.class, Softmax.class, Slice.class, Split.class,
                Dropout.class, Power.class, Silence.class, LRN.class, MVN.class, Crop.class, ArgMax.class,
                Reduction.class, Tile.class, BatchStatNorm.class, Custom.class, org.senet4j.ir.op.LSTM.class,
                org.senet4j.ir.op.RNN.class, Embed.class, Parameter.class, SPP.class, Im2col.class, BatchReindex.class,
                ShuffleChannel.class);
        // LSTMUnit (one cell step): the Java kernel, like the recurrent layers it is the unit of
        t.onEach((op, a) -> null, org.senet4j.ir.op.LSTMUnit.class);
        // the SSD fork's layers: Java kernels (small tensors of the detection heads; DetectionOutput is host work)
        t.onEach((op, a) -> null, org.senet4j.ir.op.Permute.class, org.senet4j.ir.op.Normalize.class,
                org.senet4j.ir.op.PriorBox.class, org.senet4j.ir.op.DetectionOutput.class);
        // the YOLO fork's layers: Java kernels (Reorg is a copy; the YOLO heads are host post-processing)
        t.onEach((op, a) -> null, org.senet4j.ir.op.Reorg.class, org.senet4j.ir.op.YoloDetectionOutput.class);
        // the segmentation forks' resizing and unpooling, and the MAX pooling with a mask top: Java kernels (oneDNN's
        // resampling has no aligned-corners mode, its pooling no Caffe-style index output)
        t.onEach((op, a) -> null, org.senet4j.ir.op.Interp.class, org.senet4j.ir.op.NearestUpsample.class,
                org.senet4j.ir.op.MaxUnpool.class, org.senet4j.ir.op.MaxPoolMask.class);
        // the R-CNN layers: Java kernels (oneDNN has no ROI pooling; proposals are host work)
        t.onEach((op, a) -> null, org.senet4j.ir.op.RoiPooling.class, org.senet4j.ir.op.PsRoiPooling.class,
                org.senet4j.ir.op.Proposal.class);
        // the OCR forks' layers: Java kernels (a copy along one axis, constants, and the greedy CTC decoding's
        // per-step argmax and compaction, host work)
        t.onEach((op, a) -> null, org.senet4j.ir.op.Reverse.class, org.senet4j.ir.op.ContinuationIndicator.class,
                org.senet4j.ir.op.CtcGreedyDecoder.class);
        t.unsupported(Input.class, "an Input's values are copied in, not computed");
        return t.build();
    }

    /** A reshape that keeps the bytes (an fp32 plan's values in logical order), else null (the Java kernel). */
    private static Step view(At a, String op) {
        if (a.plan().bf16 != null || a.in().size() != 1 || a.out().size() != 1
                || !ViewStep.applies(a.asIs(0), a.y())) {
            return null;
        }
        return new ViewStep(a.n().name(), op, a.asIs(0), a.y());
    }

    /** A oneDNN eltwise step in its input's element type (in place where the input dies). */
    private static Step unary(At a, dnnl.algorithm alg, float alpha, float beta) {
        Buf x = a.asIs(0);
        Buf y = a.y();
        y.dtype = x.dtype;
        return new UnaryStep(a.n().name(), alg, alpha, beta, x, y);
    }

    /** A pooling's output: in its input's type, except that a plane pooled to one position is float32. */
    private Buf pooled(At a, Buf x) {
        Buf o = a.y(x);
        if (x.isBf16() && !large(o) && bf16 != null && !bf16.pooledF32()) {
            o.dtype = Dnnl.BF16;
        }
        return o;
    }

    /**
     * The output of an SE scale-multiply-add ({@code a X + Y}, the residual sum): in {@code x}'s type, or float32 in
     * a bf16 plan that keeps the residual path in float32 ({@link Bf16Policy#residualF32}).
     */
    private Buf residual(At a, Buf x) {
        Buf o = a.y(x);
        if (bf16 != null && bf16.residualF32()) {
            o.dtype = Dnnl.F32;
        }
        return o;
    }

    /**
     * Whether a bf16 plan that keeps the residual path in float32 lets this node write float32: a convolution whose
     * output only feeds SE scale-multiply-adds, Eltwise sums (plain ResNets' residual add, a float32 Java step) and
     * global poolings (the block's last convolution and its projection), so the residual sum adds values that were
     * never rounded to bf16.
     */
    private boolean sumsInF32(Node n) {
        if (bf16 == null || !bf16.residualF32() || n.outputs().size() != 1
                || graph.outputs().contains(n.outputs().get(0))) {
            return false;
        }
        List<Node> c = graph.consumers(n.outputs().get(0));
        return !c.isEmpty() && c.stream().allMatch(k -> k.op() instanceof Axpy && graph.shape(k.inputs().get(1))
                .rank() == 4 || k.op() instanceof Eltwise || k.op() instanceof Pooling p && p.global());
    }

    private static Step affineStep(Op op, At a) {
        float[][] affine = channelAffine(op, a.asIs(0).shape);
        return affine == null ? null : new ChannelAffineStep(a.n().name(), a.x(), a.y(), affine[0], affine[1]);
    }

    /**
     * The oneDNN algorithm whose formula is Caffe's for this Unary op, or null (the op then runs its reference
     * kernel): elu(alpha), abs, soft_relu with alpha 1 (BNLL), clip(min, max), swish(beta), hardswish and
     * hardsigmoid with the forks' constants, mish; exp and log only without base, scale and shift. Threshold and the
     * leaky ReLU6 have no oneDNN counterpart.
     */
    static dnnl.algorithm eltwise(Unary u) {
        return switch (u.kind()) {
            case ELU -> dnnl.algorithm.eltwise_elu;
            case ABS -> dnnl.algorithm.eltwise_abs;
            case BNLL -> dnnl.algorithm.eltwise_soft_relu;
            case CLIP -> dnnl.algorithm.eltwise_clip;
            case SWISH -> dnnl.algorithm.eltwise_swish;
            case EXP -> u.expInnerScale() == 1f && u.expOuterScale() == 1f ? dnnl.algorithm.eltwise_exp : null;
            case LOG -> u.b() == 1f && u.c() == 0f && u.logBaseScale() == 1f ? dnnl.algorithm.eltwise_log : null;
            case THRESHOLD, RELU6 -> null;
            case HARD_SWISH -> dnnl.algorithm.eltwise_hardswish;
            case HARD_SIGMOID -> dnnl.algorithm.eltwise_hardsigmoid;
            case MISH -> dnnl.algorithm.eltwise_mish;
        };
    }

    /** oneDNN's alpha for {@link #eltwise}: BNLL's soft_relu 1, hardswish 1/6, hardsigmoid 0.2, else Caffe's a. */
    private static float eltwiseAlpha(Unary u) {
        return switch (u.kind()) {
            case BNLL -> 1f;
            case HARD_SWISH -> 1f / 6f;
            case HARD_SIGMOID -> 0.2f;
            default -> u.a();
        };
    }

    /** oneDNN's beta for {@link #eltwise}: clip's max, hardswish and hardsigmoid 0.5, else 0. */
    private static float eltwiseBeta(Unary u) {
        return switch (u.kind()) {
            case CLIP -> u.b();
            case HARD_SWISH, HARD_SIGMOID -> 0.5f;
            default -> 0f;
        };
    }

    /** Per-channel (axis 1) coefficients of BatchNorm and one-input Scale/Bias, or null for other cases. */
    private static float[][] channelAffine(Op op, Shape in) {
        if (in.rank() != 2 && in.rank() != 4) {
            return null;
        }
        int c = in.dim(1);
        float[] a = new float[c];
        float[] b = new float[c];
        if (op instanceof BatchNorm bn) {
            float m = bn.statisticsMultiplier();
            for (int i = 0; i < c; i++) {
                float sd = (float) Math.sqrt(bn.variance().get(i) * m + bn.eps());
                a[i] = 1f / sd;
                b[i] = -(bn.mean().get(i) * m) / sd;
            }
            return new float[][] {a, b};
        }
        if (op instanceof Scale s && !s.twoInputs() && s.axis() == 1 && s.scale().count() == c) {
            for (int i = 0; i < c; i++) {
                a[i] = s.scale().get(i);
                b[i] = s.bias() == null ? 0f : s.bias().get(i);
            }
            return new float[][] {a, b};
        }
        if (op instanceof Bias bi && !bi.twoInputs() && bi.axis() == 1 && bi.bias().count() == c) {
            for (int i = 0; i < c; i++) {
                a[i] = 1f;
                b[i] = bi.bias().get(i);
            }
            return new float[][] {a, b};
        }
        return null;
    }

    /**
     * Assigns blocks: walking the steps in order, an output takes its input's block when the step works in place and
     * the input dies there, else the smallest free block that fits (or a new one); blocks return to the free list
     * after the last step that reads their value. Graph outputs live to the end.
     */
    private void planMemory() {
        Map<Buf, Integer> lastUse = new IdentityHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            for (Buf b : steps.get(i).inputs()) {
                lastUse.put(b, i);
            }
        }
        for (String o : graph.outputs()) {
            lastUse.put(buf(o), Integer.MAX_VALUE);
        }
        TreeMap<Long, Deque<Block>> free = new TreeMap<>();
        for (String in : graph.inputs()) {
            assign(buf(in), free);
        }
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            for (int k = 0; k < s.outputs().size(); k++) {
                Buf out = s.outputs().get(k);
                if (out.block != null) {
                    continue;
                }
                Buf in0 = s.inputs().isEmpty() ? null : s.inputs().get(0);
                if (k == 0 && s.inPlace() && in0 != null && lastUse.getOrDefault(in0, -1) == i
                        && in0.count == out.count && (in0.nhwc == out.nhwc || s.sameBytes()) && in0.dtype == out.dtype
                        && s.inputs().stream().filter(b -> b == in0).count() == 1) {
                    out.block = in0.block;
                    lastUse.put(in0, -1);
                } else {
                    assign(out, free);
                }
            }
            Set<Block> stillUsed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            for (Buf b : s.outputs()) {
                stillUsed.add(b.block);
            }
            for (Buf b : new LinkedHashMap<Buf, Boolean>(distinct(s.inputs(), s.outputs())).keySet()) {
                int last = lastUse.getOrDefault(b, i);
                if (last == i && !stillUsed.contains(b.block)) {
                    free.computeIfAbsent(b.block.capacity, c -> new ArrayDeque<>()).push(b.block);
                    lastUse.put(b, -1);
                }
            }
        }
        blocks.sort(Comparator.comparingLong(b -> -b.capacity));
        plannedBytes = blocks.stream().mapToLong(b -> b.capacity).sum();
    }

    private static Map<Buf, Boolean> distinct(List<Buf> a, List<Buf> b) {
        Map<Buf, Boolean> m = new IdentityHashMap<>();
        a.forEach(x -> m.put(x, true));
        b.forEach(x -> m.put(x, true));
        return m;
    }

    private void assign(Buf b, TreeMap<Long, Deque<Block>> free) {
        Map.Entry<Long, Deque<Block>> e = free.ceilingEntry(b.bytes());
        if (e != null && e.getKey() <= 2L * b.bytes() + 16384) {
            b.block = e.getValue().pop();
            if (e.getValue().isEmpty()) {
                free.remove(e.getKey());
            }
            return;
        }
        Block blk = new Block(b.bytes());
        blocks.add(blk);
        b.block = blk;
    }

    /** The graph at this plan's shapes. */
    Graph graph() {
        return graph;
    }

    /** Bytes of activation memory this plan holds. */
    /** Whether one of {@code values} is an output that a fused ReLU overwrites in this plan. */
    boolean fusesAway(java.util.Collection<String> values) {
        return values.stream().anyMatch(fusedAway::contains);
    }

    long plannedBytes() {
        return plannedBytes;
    }

    List<Step> steps() {
        return steps;
    }

    Map<String, HostTensor> run(Dnnl d, Map<String, HostTensor> inputs, Map<String, String> want,
                                long[] stepNanos) throws ModelException {
        Map<Integer, List<Map.Entry<String, String>>> copyOut = new HashMap<>();
        Map<String, HostTensor> result = new LinkedHashMap<>();
        for (Map.Entry<String, String> w : want.entrySet()) {
            String v = w.getValue();
            if (fusedAway.contains(v)) {
                throw new IllegalStateException("value \"" + v + "\" is overwritten by a fused ReLU in this plan; the "
                        + "engine runs an unfused plan for it");
            }
            if (graph.inputs().contains(v)) {
                result.put(w.getKey(), null);
                continue;
            }
            copyOut.computeIfAbsent(producedAt.get(v), k -> new ArrayList<>()).add(w);
            result.put(w.getKey(), null);
        }
        for (String in : graph.inputs()) {
            InputCopy c = inputCopies.get(in);
            if (c != null) {
                c.copy(d, inputs.get(in).data());
            } else {
                buf(in).writeLogical(inputs.get(in).data());
            }
        }
        for (Map.Entry<String, String> w : want.entrySet()) {
            if (graph.inputs().contains(w.getValue())) {
                HostTensor t = inputs.get(w.getValue());
                result.put(w.getKey(), new HostTensor(t.shape(), t.data().clone()));
            }
        }
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            long t0 = stepNanos == null ? 0 : System.nanoTime();
            if (!s.isPrimitive()) {
                d.waitStream();
            }
            s.run(d);
            if (stepNanos != null) {
                d.waitStream();
                stepNanos[i] += System.nanoTime() - t0;
            }
            List<Map.Entry<String, String>> outs = copyOut.get(i);
            if (outs != null) {
                d.waitStream();
                for (Map.Entry<String, String> w : outs) {
                    Buf b = buf(w.getValue());
                    result.put(w.getKey(), new HostTensor(b.shape, b.readLogical()));
                }
            }
        }
        d.waitStream();
        return result;
    }

    @Override
    public void close() {
        for (Block b : blocks) {
            b.close();
        }
        blocks.clear();
    }
}
