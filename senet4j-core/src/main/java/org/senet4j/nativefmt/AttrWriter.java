package org.senet4j.nativefmt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.io.Json;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Activation;

/** Collects an op's attributes as JSON values, in the order written; the counterpart of {@link OpReader}. */
final class AttrWriter {
    private final Map<String, Object> map = new LinkedHashMap<>();

    Map<String, Object> map() {
        return map;
    }

    AttrWriter integer(String key, int v) {
        map.put(key, (long) v);
        return this;
    }

    AttrWriter real(String key, float v) {
        map.put(key, real(v));
        return this;
    }

    AttrWriter bool(String key, boolean v) {
        map.put(key, v);
        return this;
    }

    AttrWriter string(String key, String v) {
        map.put(key, v);
        return this;
    }

    AttrWriter choice(String key, Enum<?> v) {
        map.put(key, v.name());
        return this;
    }

    AttrWriter integers(String key, List<Integer> v) {
        map.put(key, v.stream().map(Integer::longValue).toList());
        return this;
    }

    AttrWriter reals(String key, List<Float> v) {
        List<Object> l = new ArrayList<>();
        for (Float f : v) {
            l.add(real(f));
        }
        map.put(key, l);
        return this;
    }

    AttrWriter shapes(String key, List<Shape> v) {
        map.put(key, v.stream().map(AttrWriter::shape).toList());
        return this;
    }

    AttrWriter activation(String key, Activation a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", a.kind().name());
        m.put("alpha", real(a.alpha()));
        map.put(key, m);
        return this;
    }

    static List<Long> shape(Shape s) {
        List<Long> l = new ArrayList<>();
        for (int d : s.dims()) {
            l.add((long) d);
        }
        return l;
    }

    /**
     * A float as JSON: a number when {@link Json} reads that number back to exactly this float, otherwise a string
     * ({@code NaN}, {@code NaN:0x7fa00000} for other NaN bit patterns, {@code Infinity}, {@code -Infinity}, or the
     * hexadecimal form such as {@code -0x0.0p0}), so that every float survives the round trip bit for bit.
     */
    static Object real(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return bits == Float.floatToRawIntBits(Float.NaN) ? "NaN" : String.format("NaN:0x%08x", bits);
        }
        if (Float.isInfinite(f)) {
            return f > 0 ? "Infinity" : "-Infinity";
        }
        Object back = Json.parse(Json.write(f));
        if (back instanceof Number n && Float.floatToRawIntBits((float) n.doubleValue()) == bits) {
            return f;
        }
        return Float.toHexString(f);
    }
}
