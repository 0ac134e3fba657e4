package org.senet4j.nativefmt;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Activation;

/**
 * Typed access to one serialised node's attributes and weights, for the op decoders of {@link OpCodecs}; the
 * counterpart of {@link AttrWriter}. Each failure names the field ({@code attrs.kernel_h}, {@code weights.bias});
 * {@link #finish} rejects attributes and weights that the op did not ask for.
 */
final class OpReader {
    private static final Pattern HEX_FLOAT = Pattern.compile("-?0x[0-9a-fA-F]+(\\.[0-9a-fA-F]*)?p-?[0-9]+");
    private static final Pattern NAN_BITS = Pattern.compile("NaN:0x[0-9a-fA-F]{8}");

    private final Map<String, Object> attrs;
    private final Map<String, Tensor> weights;
    private final int outputCount;
    private final Set<String> usedAttrs = new HashSet<>();
    private final Set<String> usedWeights = new HashSet<>();

    OpReader(Map<String, Object> attrs, Map<String, Tensor> weights, int outputCount) {
        this.attrs = attrs;
        this.weights = weights;
        this.outputCount = outputCount;
    }

    /** How many outputs the node declares (ops whose output count is an attribute must agree). */
    int outputCount() {
        return outputCount;
    }

    private Object get(String key) throws ModelException {
        usedAttrs.add(key);
        Object v = attrs.get(key);
        if (v == null) {
            throw ModelException.field("attrs." + key, attrs.containsKey(key) ? "must not be null" : "missing");
        }
        return v;
    }

    int integer(String key) throws ModelException {
        return integer(get(key), "attrs." + key);
    }

    private static int integer(Object v, String field) throws ModelException {
        if (!(v instanceof Long l)) {
            throw ModelException.field(field, "expected an integer, got " + JsonInput.kind(v));
        }
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw ModelException.field(field, l + " is out of the range of a 32-bit integer");
        }
        return (int) (long) l;
    }

    float real(String key) throws ModelException {
        return real(get(key), "attrs." + key);
    }

    /** Reads a float written by {@link AttrWriter#real}. */
    static float real(Object v, String field) throws ModelException {
        if (v instanceof Long l) {
            return (float) l;
        }
        if (v instanceof Double d) {
            float f = (float) (double) d;
            if (Float.isInfinite(f)) {
                throw ModelException.field(field, d + " is out of the range of a float");
            }
            return f;
        }
        if (v instanceof String s) {
            switch (s) {
                case "NaN":
                    return Float.NaN;
                case "Infinity":
                    return Float.POSITIVE_INFINITY;
                case "-Infinity":
                    return Float.NEGATIVE_INFINITY;
                default:
                    break;
            }
            if (NAN_BITS.matcher(s).matches()) {
                float f = Float.intBitsToFloat(Integer.parseUnsignedInt(s.substring(6), 16));
                if (Float.isNaN(f)) {
                    return f;
                }
            } else if (HEX_FLOAT.matcher(s).matches()) {
                try {
                    float f = Float.parseFloat(s);
                    if (!Float.isInfinite(f)) {
                        return f;
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            throw ModelException.field(field, "\"" + s + "\" is not a float (expected a number, NaN, Infinity, "
                    + "-Infinity or a hexadecimal float such as 0x1.8p1)");
        }
        throw ModelException.field(field, "expected a number, got " + JsonInput.kind(v));
    }

    boolean bool(String key) throws ModelException {
        Object v = get(key);
        if (!(v instanceof Boolean b)) {
            throw ModelException.field("attrs." + key, "expected true or false, got " + JsonInput.kind(v));
        }
        return b;
    }

    /**
     * A boolean attribute added after the format's first release: {@code absent} when a file written before it lacks
     * the key.
     */
    boolean bool(String key, boolean absent) throws ModelException {
        if (!attrs.containsKey(key)) {
            usedAttrs.add(key);
            return absent;
        }
        return bool(key);
    }

    String string(String key) throws ModelException {
        Object v = get(key);
        if (!(v instanceof String s)) {
            throw ModelException.field("attrs." + key, "expected a string, got " + JsonInput.kind(v));
        }
        return s;
    }

    <E extends Enum<E>> E choice(String key, Class<E> type) throws ModelException {
        String s = string(key);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(s)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name());
        }
        throw ModelException.field("attrs." + key, "unknown value \"" + s + "\", expected one of " + names);
    }

    private List<?> list(String key) throws ModelException {
        Object v = get(key);
        if (!(v instanceof List<?> l)) {
            throw ModelException.field("attrs." + key, "expected a list, got " + JsonInput.kind(v));
        }
        return l;
    }

    List<Integer> integers(String key) throws ModelException {
        List<?> l = list(key);
        List<Integer> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            out.add(integer(l.get(i), "attrs." + key + "[" + i + "]"));
        }
        return out;
    }

    List<Float> reals(String key) throws ModelException {
        List<?> l = list(key);
        List<Float> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            out.add(real(l.get(i), "attrs." + key + "[" + i + "]"));
        }
        return out;
    }

    List<Shape> shapes(String key) throws ModelException {
        List<?> l = list(key);
        List<Shape> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            out.add(shape(l.get(i), "attrs." + key + "[" + i + "]"));
        }
        return out;
    }

    /** A shape: a list of non-negative integers. */
    static Shape shape(Object v, String field) throws ModelException {
        if (!(v instanceof List<?> l)) {
            throw ModelException.field(field, "expected a list of dimensions, got " + JsonInput.kind(v));
        }
        int[] dims = new int[l.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = integer(l.get(i), field + "[" + i + "]");
            if (dims[i] < 0) {
                throw ModelException.field(field + "[" + i + "]", "negative dimension " + dims[i]);
            }
        }
        return Shape.of(dims);
    }

    Activation activation(String key) throws ModelException {
        Object v = get(key);
        String f = "attrs." + key;
        if (!(v instanceof Map<?, ?> m)) {
            throw ModelException.field(f, "expected an object {kind, alpha}, got " + JsonInput.kind(v));
        }
        for (Object k : m.keySet()) {
            if (!k.equals("kind") && !k.equals("alpha")) {
                throw ModelException.field(f + "." + k, "unknown key (expected kind, alpha)");
            }
        }
        Object kind = m.get("kind");
        Activation.Kind kd = null;
        for (Activation.Kind k : Activation.Kind.values()) {
            if (k.name().equals(kind)) {
                kd = k;
            }
        }
        if (kd == null) {
            throw ModelException.field(f + ".kind", "expected one of " + List.of(Activation.Kind.values())
                    + ", got " + (kind instanceof String s ? "\"" + s + "\"" : JsonInput.kind(kind)));
        }
        if (!m.containsKey("alpha")) {
            throw ModelException.field(f + ".alpha", "missing");
        }
        return new Activation(kd, real(m.get("alpha"), f + ".alpha"));
    }

    /** A weight the op cannot do without. */
    Tensor weight(String name) throws ModelException {
        Tensor t = optionalWeight(name);
        if (t == null) {
            throw ModelException.field("weights." + name, "missing (this op needs it)");
        }
        return t;
    }

    /** A weight the op may lack (a convolution without bias, a two-input Scale); null when absent. */
    Tensor optionalWeight(String name) {
        usedWeights.add(name);
        return weights.get(name);
    }

    /** Every weight of the node, by name (for ops whose weights are not fixed by their type). */
    Map<String, Tensor> allWeights() {
        usedWeights.addAll(weights.keySet());
        return weights;
    }

    /** Rejects attributes and weights the op did not read. */
    void finish() throws ModelException {
        for (String k : attrs.keySet()) {
            if (!usedAttrs.contains(k)) {
                throw ModelException.field("attrs." + k, "unknown attribute (known: " + usedAttrs.stream().sorted()
                        .toList() + ")");
            }
        }
        for (String k : weights.keySet()) {
            if (!usedWeights.contains(k)) {
                throw ModelException.field("weights." + k, "unknown weight (known: " + usedWeights.stream()
                        .sorted().toList() + ")");
            }
        }
    }
}
