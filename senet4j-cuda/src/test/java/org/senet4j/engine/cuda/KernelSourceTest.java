package org.senet4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel source: every kernel exists for both element types with the parameters the launches pack, and the
 * source compiles for Hopper (sm_90) and Ampere (sm_80) with nvcc where a CUDA toolkit is installed (the same
 * front end as NVRTC at run time); skipped without nvcc.
 */
class KernelSourceTest {

    @Test
    void everyKernelHasBothTypesAndParsedSignatures() {
        for (String base : List.of("act", "power", "affine", "bias_act", "prelu", "scale_add", "eltwise", "pool",
                "gpool_nchw", "gpool_nhwc", "copy_block")) {
            for (String t : List.of("f32", "f16")) {
                KernelSource.Signature s = KernelSource.signature(base + "_" + t);
                assertEquals(KernelSource.ArgType.PTR, s.params().get(0), s.name());
                assertTrue(KernelSource.source().contains("extern \"C\" __global__ void " + s.name() + "("));
            }
        }
        for (String d : List.of("f32", "f16")) {
            for (String s : List.of("f32", "f16")) {
                assertEquals(11, KernelSource.signature("relayout_" + d + "_" + s).params().size());
            }
        }
        KernelSource.Signature pool = KernelSource.signature("pool_f16");
        assertEquals(16, pool.params().size());
        assertEquals(KernelSource.ArgType.I32, pool.params().get(15));
        KernelSource.Signature aff = KernelSource.signature("affine_f32");
        assertEquals(List.of("y", "x", "a", "b", "n", "C", "inner", "nhwc", "kind", "al"), aff.paramNames());
        assertEquals(KernelSource.ArgType.I64, aff.params().get(4));
        assertEquals(KernelSource.ArgType.F32, aff.params().get(9));
    }

    /** The half-precision wrappers take {@code half_t} pointers, the float ones {@code float}. */
    @Test
    void wrappersUseTheirElementType() {
        Matcher m = Pattern.compile("void (\\w+)_f16\\((half_t\\* \\w+|TD)").matcher(KernelSource.source());
        int n = 0;
        while (m.find()) {
            n++;
        }
        assertTrue(n >= 11, "f16 wrappers with half_t first parameter: " + n);
        assertTrue(KernelSource.source().contains("void relayout_f16_f32(half_t* dst, const float* src"));
    }

    /** The PTX fallback (for GPU machines where NVRTC cannot load) was made from this very source. */
    @Test
    void fallbackPtxMatchesTheSource() {
        byte[] ptx = KernelModule.fallbackPtx();
        assertTrue(ptx != null, "senet4j-cuda/src/main/resources/org/senet4j/engine/cuda/kernels-compute_80.ptx.gz is missing or was "
                + "made from another kernel source: run tools/make-kernels-ptx");
        String text = new String(ptx, StandardCharsets.US_ASCII);
        for (String name : KernelSource.signatures().keySet()) {
            assertTrue(text.contains(".entry " + name + "("), name);
        }
    }

    static Path nvcc() {
        List<Path> candidates = new ArrayList<>();
        String home = System.getenv("CUDA_HOME");
        if (home != null) {
            candidates.add(Path.of(home, "bin", "nvcc"));
        }
        candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "nvcc"));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }

    @Test
    void compilesWithNvccForHopperAndAmpere(@TempDir Path dir) throws Exception {
        Path nvcc = nvcc();
        assumeTrue(nvcc != null, "no nvcc (CUDA toolkit) on this machine");
        Path src = dir.resolve("senet4j_kernels.cu");
        Files.writeString(src, KernelSource.source(), StandardCharsets.UTF_8);
        for (String arch : List.of("sm_90", "sm_80")) {
            Path out = dir.resolve(arch + ".cubin");
            Process p = new ProcessBuilder(nvcc.toString(), "-std=c++17", "-cubin", "-arch=" + arch,
                    "-Xptxas=-warn-spills", "-o", out.toString(), src.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "nvcc timed out");
            assertEquals(0, p.exitValue(), "nvcc " + arch + " failed:\n" + log);
            assertTrue(Files.size(out) > 0);
            assertTrue(!log.contains("spill"), "register spills:\n" + log);
        }
    }
}
