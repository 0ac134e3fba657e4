package org.senet4j.engine.cpu;

/**
 * Where a bf16 plan keeps float32 (see {@link Plan}). Values of one position per plane (the SE excitation, the
 * classifier) and Java steps are always float32; these switches cover the choices measured in docs/perf-log.md.
 *
 * @param residualF32   the SE scale-multiply-add ({@code a X + Y}: the residual sum) writes float32, so the
 *                      residual path is not rounded to bf16 at every block (each block's convolutions read a bf16
 *                      copy)
 * @param pooledF32     a pooling to one position per plane (the squeeze, the classifier's pool) writes float32
 *                      from a bf16 input
 * @param inputConvF32  a convolution of a graph input runs in float32 (the first convolution)
 */
record Bf16Policy(boolean residualF32, boolean pooledF32, boolean inputConvF32) {
    /** The engine's choice. */
    static final Bf16Policy DEFAULT = new Bf16Policy(true, true, false);

    /** System property for measurements: which of residual, pooled, input keep float32 (comma-separated, or none). */
    static final String PROPERTY = "senet4j.cpu.bf16.f32";

    /** {@link #DEFAULT}, or the choice of {@value #PROPERTY} when set. */
    static Bf16Policy current() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) {
            return DEFAULT;
        }
        java.util.Set<String> s = new java.util.HashSet<>(java.util.Arrays.asList(p.trim().split("\\s*,\\s*")));
        for (String x : s) {
            if (!java.util.List.of("residual", "pooled", "input", "none").contains(x)) {
                throw new IllegalArgumentException("-D" + PROPERTY + ": unknown \"" + x + "\"; expected residual, "
                        + "pooled, input or none");
            }
        }
        return new Bf16Policy(s.contains("residual"), s.contains("pooled"), s.contains("input"));
    }
}
