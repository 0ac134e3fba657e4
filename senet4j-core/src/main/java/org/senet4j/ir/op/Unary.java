package org.senet4j.ir.op;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;

/**
 * One of Caffe's parameterised element-wise layers (ELU, AbsVal, Exp, Log, BNLL, Threshold, Clip, Swish, and the mobile
 * forks' ReLU6, HardSwish, HardSigmoid and Mish): the output
 * has the input's shape and each element is {@link #apply} of the input element. The meaning of {@code a}, {@code b}
 * and {@code c} depends on the kind ({@link Kind#params()} names them; parameters a kind does not use are 0):
 * <ul>
 *   <li>{@code ELU(alpha)}: {@code y = max(x, 0) + alpha (exp(min(x, 0)) - 1)}</li>
 *   <li>{@code ABS}: {@code y = |x|}</li>
 *   <li>{@code EXP(base, scale, shift)}: {@code y = base^(shift + scale x)}, base -1 meaning e; computed as Caffe does,
 *       {@code outer * exp(inner * x)} with {@code inner = ln(base) scale} and {@code outer = base^shift}</li>
 *   <li>{@code LOG(base, scale, shift)}: {@code y = log_base(shift + scale x)}, base -1 meaning e; computed as
 *       {@code ln(shift + scale x) / ln(base)}</li>
 *   <li>{@code BNLL}: {@code y = log(1 + exp(x))}, as Caffe computes it: {@code x + log(1 + exp(-x))} for x > 0</li>
 *   <li>{@code THRESHOLD(threshold)}: {@code y = x > threshold ? 1 : 0}</li>
 *   <li>{@code CLIP(min, max)}: {@code y = max(min, min(x, max))} (BVLC after 1.0), min &lt;= max</li>
 *   <li>{@code SWISH(beta)}: {@code y = x sigmoid(beta x)} with Caffe's sigmoid (BVLC after 1.0)</li>
 *   <li>{@code RELU6(negative_slope)}: {@code y = min(max(x, 0) + negative_slope min(x, 0), 6)}, eric612/MobileNet-YOLO's
 *       ReLU6 with a nonzero {@code relu6_param.negative_slope} (without one, ReLU6 is {@code CLIP(0, 6)})</li>
 *   <li>{@code HARD_SWISH}: {@code y = x ReLU6(x + 3) / 6} in float, as the MobileNetV3 forks' HardSwish layer computes
 *       it</li>
 *   <li>{@code HARD_SIGMOID}: {@code y = min(1, max(0, 0.2 x + 0.5))} computed in double, eric612/MobileNet-YOLO's
 *       {@code hard_sigmoid}</li>
 *   <li>{@code MISH}: {@code y = x tanh(softplus(x))} as darknet and its Caffe ports compute it: softplus is x above
 *       20, {@code exp(x)} below -20, else {@code log(exp(x) + 1)}; tanh is {@code 2 / (1 + exp(-2 t)) - 1}</li>
 * </ul>
 * Exp and Log bases are -1 or positive and not 1 for Log (Caffe's checks).
 */
public record Unary(Kind kind, float a, float b, float c) implements Op {
    /** The element-wise function, with the names of its parameters in the order a, b, c. */
    public enum Kind {
        ELU("alpha"), ABS, EXP("base", "scale", "shift"), LOG("base", "scale", "shift"), BNLL, THRESHOLD("threshold"),
        CLIP("min", "max"), SWISH("beta"), RELU6("negative_slope"), HARD_SWISH, HARD_SIGMOID, MISH;

        private final List<String> params;

        Kind(String... params) {
            this.params = List.of(params);
        }

        /** The parameter names (Caffe's field names), for a, b and c in that order. */
        public List<String> params() {
            return params;
        }
    }

    public Unary {
        if (kind == null) {
            throw new IllegalArgumentException("Unary: kind is null");
        }
        float[] p = {a, b, c};
        for (int i = kind.params().size(); i < 3; i++) {
            if (Float.floatToRawIntBits(p[i]) != 0) {
                throw new IllegalArgumentException("Unary " + kind + " takes " + kind.params().size()
                        + " parameter(s), got a nonzero parameter " + (i + 1));
            }
        }
        if ((kind == Kind.EXP || kind == Kind.LOG) && a != -1f && !(a > 0f && Float.isFinite(a))) {
            throw new IllegalArgumentException("Unary " + kind + ": base must be -1 (e) or positive, got " + a);
        }
        if (kind == Kind.LOG && a == 1f) {
            throw new IllegalArgumentException("Unary LOG: base 1 has no logarithm");
        }
        if (kind == Kind.CLIP && !(a <= b)) {
            throw new IllegalArgumentException("Unary CLIP: min " + a + " is greater than max " + b);
        }
    }

    public static Unary elu(float alpha) {
        return new Unary(Kind.ELU, alpha, 0f, 0f);
    }

    public static Unary abs() {
        return new Unary(Kind.ABS, 0f, 0f, 0f);
    }

    public static Unary exp(float base, float scale, float shift) {
        return new Unary(Kind.EXP, base, scale, shift);
    }

    public static Unary log(float base, float scale, float shift) {
        return new Unary(Kind.LOG, base, scale, shift);
    }

    public static Unary bnll() {
        return new Unary(Kind.BNLL, 0f, 0f, 0f);
    }

    public static Unary threshold(float threshold) {
        return new Unary(Kind.THRESHOLD, threshold, 0f, 0f);
    }

    public static Unary clip(float min, float max) {
        return new Unary(Kind.CLIP, min, max, 0f);
    }

    public static Unary swish(float beta) {
        return new Unary(Kind.SWISH, beta, 0f, 0f);
    }

    /** eric612's ReLU6 with a nonzero negative slope (use {@link #clip clip(0, 6)} for slope 0). */
    public static Unary relu6(float negativeSlope) {
        return new Unary(Kind.RELU6, negativeSlope, 0f, 0f);
    }

    public static Unary hardSwish() {
        return new Unary(Kind.HARD_SWISH, 0f, 0f, 0f);
    }

    public static Unary hardSigmoid() {
        return new Unary(Kind.HARD_SIGMOID, 0f, 0f, 0f);
    }

    public static Unary mish() {
        return new Unary(Kind.MISH, 0f, 0f, 0f);
    }

    /** The parameters in the order of {@link Kind#params()}. */
    public float[] params() {
        float[] p = {a, b, c};
        return java.util.Arrays.copyOf(p, kind.params().size());
    }

    /** Exp: Caffe's {@code inner_scale_}, {@code ln(base) * scale} (ln(base) = 1 for base -1). */
    public float expInnerScale() {
        return logBase() * b;
    }

    /** Exp: Caffe's {@code outer_scale_}, {@code base^shift} (1 when shift is 0). */
    public float expOuterScale() {
        if (c == 0f) {
            return 1f;
        }
        return a == -1f ? (float) Math.exp(c) : (float) Math.pow(a, c);
    }

    /** Log: Caffe's {@code base_scale_}, {@code 1 / ln(base)}. */
    public float logBaseScale() {
        return 1f / logBase();
    }

    /** {@code ln(base)} in float, exactly 1 for base -1, as Caffe's {@code log_base}. */
    private float logBase() {
        return a == -1f ? 1f : (float) Math.log(a);
    }

    /** The function of one element, with Caffe's float arithmetic. */
    public float apply(float x) {
        return switch (kind) {
            case ELU -> Math.max(x, 0f) + a * ((float) Math.exp(Math.min(x, 0f)) - 1f);
            case ABS -> Math.abs(x);
            case EXP -> {
                float inner = expInnerScale();
                float outer = expOuterScale();
                float e = (float) Math.exp(inner == 1f ? x : inner * x);
                yield outer == 1f ? e : outer * e;
            }
            case LOG -> {
                float v = x;
                if (b != 1f) {
                    v *= b;
                }
                if (c != 0f) {
                    v += c;
                }
                float l = (float) Math.log(v);
                float s = logBaseScale();
                yield s == 1f ? l : s * l;
            }
            case BNLL -> (float) (x > 0f ? x + Math.log(1.0 + Math.exp(-x)) : Math.log(1.0 + Math.exp(x)));
            case THRESHOLD -> x > a ? 1f : 0f;
            case CLIP -> Math.max(a, Math.min(x, b));
            case SWISH -> x * Activation.sigmoid(a * x);
            case RELU6 -> Math.min(Math.max(x, 0f) + a * Math.min(x, 0f), 6f);
            case HARD_SWISH -> x * Math.min(Math.max(x + 3f, 0f), 6f) / 6f;
            case HARD_SIGMOID -> (float) Math.min(1.0, Math.max(0.0, x * 0.2 + 0.5));
            case MISH -> mish(x);
        };
    }

    /** darknet's mish_x: {@code x * tanh_x(softplus_x(x, 20))}, each step in float. */
    private static float mish(float x) {
        float sp = x > 20f ? x : x < -20f ? (float) Math.exp(x) : (float) Math.log((float) Math.exp(x) + 1f);
        float t = 2f / (1f + (float) Math.exp(-2f * sp)) - 1f;
        return x * t;
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        return Elementwise.same(inputs);
    }
}
