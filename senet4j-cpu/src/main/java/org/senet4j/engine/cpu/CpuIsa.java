package org.senet4j.engine.cpu;

import java.util.Locale;
import org.bytedeco.dnnl.global.dnnl;

/**
 * The instruction set oneDNN dispatches to on this processor ({@code dnnl_get_effective_cpu_isa}), and whether it
 * has native bfloat16 arithmetic. oneDNN's ISA values are cumulative bit sets, so an ISA includes another when it
 * has all of its bits: bf16 needs {@code avx512_core_bf16} (AVX512_BF16; AVX10.1/AMX processors have it too).
 *
 * <p>For tests of the refusal path, the system property {@value #OVERRIDE} replaces oneDNN's answer with a named ISA
 * ({@code avx512_core}, {@code avx2}, ...). The environment variable {@code ONEDNN_MAX_CPU_ISA} (oneDNN's own) lowers
 * the real answer too.
 */
final class CpuIsa {
    /** System property: an ISA name that replaces oneDNN's answer (tests only). */
    static final String OVERRIDE = "senet4j.cpu.isa";

    private static final String[] NAMES = {"sse41", "avx", "avx2", "avx2_vnni", "avx2_vnni_2", "avx512_core",
        "avx512_core_vnni", "avx512_core_bf16", "avx10_1_512", "avx512_core_fp16", "avx512_core_amx",
        "avx10_1_512_amx", "avx512_core_amx_fp16", "avx10_1_512_amx_fp16", "avx10_2_512", "avx10_2_512_amx_2"};

    private CpuIsa() {
    }

    /** oneDNN's effective ISA value, or the override's. */
    static int effective() {
        String o = System.getProperty(OVERRIDE);
        if (o != null && !o.isBlank()) {
            return value(o.trim());
        }
        return dnnl.dnnl_get_effective_cpu_isa();
    }

    static boolean hasBf16(int isa) {
        int need = dnnl.dnnl_cpu_isa_avx512_core_bf16;
        return (isa & need) == need;
    }

    /** Null when bf16 runs here, else why not (naming the ISA oneDNN found). */
    static String bf16Refusal() {
        int isa = effective();
        if (hasBf16(isa)) {
            return null;
        }
        return "this processor has no native bf16 arithmetic: oneDNN's effective ISA is " + name(isa)
                + ", bf16 needs avx512_core_bf16 (AVX512_BF16) or avx512_core_amx and up; run --precision fp32";
    }

    static String name(int isa) {
        String best = null;
        for (String n : NAMES) {
            if (value(n) == isa) {
                best = n;
            }
        }
        return best != null ? best : isa == 0 ? "none" : "0x" + Integer.toHexString(isa);
    }

    static int value(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "sse41" -> dnnl.dnnl_cpu_isa_sse41;
            case "avx" -> dnnl.dnnl_cpu_isa_avx;
            case "avx2" -> dnnl.dnnl_cpu_isa_avx2;
            case "avx2_vnni" -> dnnl.dnnl_cpu_isa_avx2_vnni;
            case "avx2_vnni_2" -> dnnl.dnnl_cpu_isa_avx2_vnni_2;
            case "avx512_core" -> dnnl.dnnl_cpu_isa_avx512_core;
            case "avx512_core_vnni" -> dnnl.dnnl_cpu_isa_avx512_core_vnni;
            case "avx512_core_bf16" -> dnnl.dnnl_cpu_isa_avx512_core_bf16;
            case "avx10_1_512", "avx512_core_fp16" -> dnnl.dnnl_cpu_isa_avx10_1_512;
            case "avx512_core_amx", "avx10_1_512_amx" -> dnnl.dnnl_cpu_isa_avx512_core_amx;
            case "avx512_core_amx_fp16", "avx10_1_512_amx_fp16" -> dnnl.dnnl_cpu_isa_avx512_core_amx_fp16;
            case "avx10_2_512" -> dnnl.dnnl_cpu_isa_avx10_2_512;
            case "avx10_2_512_amx_2" -> dnnl.dnnl_cpu_isa_avx10_2_512_amx_2;
            default -> throw new IllegalArgumentException("-D" + OVERRIDE + ": unknown ISA \"" + name
                    + "\"; expected one of " + String.join(", ", NAMES));
        };
    }
}
