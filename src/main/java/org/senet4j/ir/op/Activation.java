package org.senet4j.ir.op;

/**
 * An activation applied to an op's output in the same step (after fusion passes): none, or ReLU with Caffe's
 * {@code negative_slope} ({@code alpha}; 0 for a plain ReLU).
 */
public record Activation(Kind kind, float alpha) {
    public enum Kind { NONE, RELU }

    public static final Activation NONE = new Activation(Kind.NONE, 0f);
    public static final Activation RELU = new Activation(Kind.RELU, 0f);

    public static Activation relu(float negativeSlope) {
        return negativeSlope == 0f ? RELU : new Activation(Kind.RELU, negativeSlope);
    }

    public boolean isNone() {
        return kind == Kind.NONE;
    }

    public float apply(float x) {
        return kind == Kind.RELU && x < 0 ? x * alpha : x;
    }
}
