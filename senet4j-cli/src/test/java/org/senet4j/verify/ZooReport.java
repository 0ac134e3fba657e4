package org.senet4j.verify;

import java.util.Map;
import java.util.TreeMap;
import org.senet4j.ir.Graph;

/**
 * A zoo parity test class's report: lines collected by key while its tests run, printed once after them
 * ({@code [tag] key: value}).
 */
final class ZooReport {
    private final String tag;
    private final Map<String, String> lines = new TreeMap<>();

    ZooReport(String tag) {
        this.tag = tag;
    }

    void put(String key, Object value) {
        lines.put(key, String.valueOf(value));
    }

    /**
     * Asserts that each output of {@code g} is finite and not constant in the oracle's {@code ref}
     * ({@link ParityNets#outputRange}) and reports its range under {@code name}.
     */
    void outputRanges(String name, Graph g, ReferenceSet ref) throws Exception {
        for (String out : g.outputs()) {
            put(name + " output " + out, ParityNets.outputRange(out, ref.blobs().get(out)));
        }
    }

    void print() {
        lines.forEach((k, v) -> System.out.println("[" + tag + "] " + k + ": " + v));
    }
}
