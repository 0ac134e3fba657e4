package org.senet4j.ir.op;

/**
 * An activation applied to an op's output in the same step (after fusion passes): none, ReLU with Caffe's
 * {@code negative_slope} ({@code alpha}; 0 for a plain ReLU), or sigmoid.
 */
public record Activation(Kind kind, float alpha) {
    public enum Kind { NONE, RELU, SIGMOID }

    public static final Activation NONE = new Activation(Kind.NONE, 0f);
    public static final Activation RELU = new Activation(Kind.RELU, 0f);
    public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0f);

    public static Activation relu(float negativeSlope) {
        return negativeSlope == 0f ? RELU : new Activation(Kind.RELU, negativeSlope);
    }

    public boolean isNone() {
        return kind == Kind.NONE;
    }

    /** The activation of one value, with Caffe's arithmetic. */
    public float apply(float x) {
        return switch (kind) {
            case NONE -> x;
            case RELU -> relu(x, alpha);
            case SIGMOID -> sigmoid(x);
        };
    }

    /** Caffe's ReLU: {@code max(x, 0) + negativeSlope * min(x, 0)}. */
    public static float relu(float x, float negativeSlope) {
        return Math.max(x, 0f) + negativeSlope * Math.min(x, 0f);
    }

    /** Caffe's CPU sigmoid: {@code 0.5 tanh(0.5 x) + 0.5}. */
    public static float sigmoid(float x) {
        return (float) (0.5 * Math.tanh(0.5 * x) + 0.5);
    }
}
