package org.senet4j.ir.op;

import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/** Argument checks shared by the ops; each failure names the field or input concerned. */
final class Checks {
    private Checks() {
    }

    static void arity(List<Shape> inputs, int min, int max) throws ModelException {
        int n = inputs.size();
        if (n < min || n > max) {
            String want = min == max ? String.valueOf(min) : max == Integer.MAX_VALUE ? "at least " + min
                    : min + " to " + max;
            throw ModelException.field("bottom", "expected " + want + " input" + (max == 1 ? "" : "s") + ", got " + n);
        }
    }

    static void rank(Shape s, int min, int max, String what) throws ModelException {
        if (s.rank() < min || s.rank() > max) {
            String want = min == max ? String.valueOf(min) : min + " to " + max;
            throw ModelException.field("bottom", what + " must have " + want + " axes, got shape " + s);
        }
    }

    static void weight(Tensor t, Shape expected, String field) throws ModelException {
        if (t != null && !t.shape().equals(expected)) {
            throw ModelException.field(field, "expected shape " + expected + ", got " + t.shape());
        }
    }

    static void axis(int axis, Shape s, String field) throws ModelException {
        if (axis < 0 || axis >= s.rank()) {
            throw ModelException.field(field, "axis " + axis + " out of range for input shape " + s);
        }
    }

    /** The weights of a layer with a weight and an optional bias, in Caffe's blob order. */
    static Map<String, Tensor> weightAndBias(Tensor weight, Tensor bias) {
        Map<String, Tensor> m = new java.util.LinkedHashMap<>();
        m.put("weight", weight);
        if (bias != null) {
            m.put("bias", bias);
        }
        return m;
    }

    static Tensor replace(Map<String, Tensor> weights, String name, Tensor old) {
        Tensor t = weights.get(name);
        if (t == null) {
            return old;
        }
        if (old == null || !old.shape().equals(t.shape())) {
            throw new IllegalArgumentException("weight " + name + ": expected " + (old == null ? "none" : old.shape())
                    + ", got " + t.shape());
        }
        return t;
    }

    static int positive(int v, String field) {
        if (v <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + v);
        }
        return v;
    }

    static float finite(float v, String field) {
        if (!Float.isFinite(v)) {
            throw new IllegalArgumentException(field + " must be finite, got " + v);
        }
        return v;
    }

    static int nonNegative(int v, String field) {
        if (v < 0) {
            throw new IllegalArgumentException(field + " must not be negative, got " + v);
        }
        return v;
    }
}
