package org.senet4j.engine.cuda;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * The engine's kernels ({@link KernelSource}) compiled once per engine with NVRTC for the device's architecture
 * (machine code, {@code sm_XY}, when NVRTC knows the architecture, else PTX for the newest one it knows, which the
 * driver compiles) and loaded as a module.
 */
final class KernelModule implements AutoCloseable {
    private final CUmod_st module = new CUmod_st();
    private final Map<String, CUfunc_st> functions = new HashMap<>();
    private final String target;
    private final long compileMillis;

    KernelModule(int ccMajor, int ccMinor) {
        long t0 = System.nanoTime();
        byte[] image;
        String how;
        try {
            Object[] compiled = compileForDevice(ccMajor * 10 + ccMinor);
            image = (byte[]) compiled[0];
            how = (String) compiled[1];
        } catch (Throwable nvrtcFailed) {
            // NVRTC missing or failing: the PTX made from the same source with nvcc, compiled by the driver
            image = fallbackPtx();
            if (image == null) {
                if (nvrtcFailed instanceof RuntimeException r) {
                    throw r;
                }
                throw new CudaException("nvrtc", -1, "NVRTC could not be used (" + nvrtcFailed + ") and the fallback "
                        + "PTX does not match the kernel source");
            }
            how = "compute_80 PTX from nvcc (NVRTC unusable: " + CudaAvailability.describe(nvrtcFailed) + ")";
        }
        target = how;
        try (BytePointer img = new BytePointer(image.length + 1)) {
            img.put(image, 0, image.length).put(image.length, (byte) 0);
            Cuda.checkDriver(cudart.cuModuleLoadData(module, img), "cuModuleLoadData (senet4j kernels, " + target + ")",
                    null);
        }
        compileMillis = (System.nanoTime() - t0) / 1_000_000;
    }

    /** Compiles with NVRTC: machine code for {@code sm_arch} when NVRTC knows it, else PTX. */
    private static Object[] compileForDevice(int arch) {
        int[] n = new int[1];
        Cuda.checkNvrtc(nvrtc.nvrtcGetNumSupportedArchs(n), "nvrtcGetNumSupportedArchs", null);
        int[] archs = new int[n[0]];
        Cuda.checkNvrtc(nvrtc.nvrtcGetSupportedArchs(archs), "nvrtcGetSupportedArchs", null);
        boolean known = false;
        int newest = 0;
        for (int a : archs) {
            known |= a == arch;
            newest = Math.max(newest, a);
        }
        String t = known ? "sm_" + arch : "compute_" + Math.min(newest, arch);
        int[] major = new int[1];
        int[] minor = new int[1];
        nvrtc.nvrtcVersion(major, minor);
        return new Object[] {cached(KernelSource.source(), t, known, "nvrtc" + major[0] + "." + minor[0]),
            t + " (NVRTC " + major[0] + "." + minor[0] + ")"};
    }

    /** The PTX resource made by tools/make-kernels-ptx, when it was made from the current source; else null. */
    static byte[] fallbackPtx() {
        try (java.io.InputStream in = KernelModule.class.getResourceAsStream("kernels-compute_80.ptx.gz")) {
            if (in == null) {
                return null;
            }
            byte[] ptx = new java.util.zip.GZIPInputStream(in).readAllBytes();
            String first = new String(ptx, 0, Math.min(ptx.length, 200), java.nio.charset.StandardCharsets.US_ASCII);
            return first.startsWith("// senet4j kernels sha256=" + KernelSource.sha256()) ? ptx : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * The compiled image from the cache in {@code java.io.tmpdir/senet4j-kernels} (keyed by a hash of the source,
     * target and NVRTC version), compiling and storing it when absent. The cache is an optimisation only: any problem
     * with it means compiling again.
     */
    static byte[] cached(String source, String target, boolean cubin, String compiler) {
        java.nio.file.Path file = null;
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update((source + "\n" + target + "\n" + compiler).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String key = java.util.HexFormat.of().formatHex(md.digest()).substring(0, 24);
            file = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "senet4j-kernels",
                    key + "-" + target + (cubin ? ".cubin" : ".ptx"));
            if (java.nio.file.Files.isRegularFile(file)) {
                return java.nio.file.Files.readAllBytes(file);
            }
        } catch (Exception e) {
            file = null;
        }
        byte[] image = compile(source, target, cubin);
        if (file != null) {
            try {
                java.nio.file.Files.createDirectories(file.getParent());
                org.senet4j.io.AtomicFiles.write(file, tmp -> java.nio.file.Files.write(tmp, image));
            } catch (Exception e) {
                // a cache that cannot be written is no cache
            }
        }
        return image;
    }

    /** Compiles {@code source} to a CUBIN ({@code cubin}) or PTX for {@code arch}. */
    static byte[] compile(String source, String arch, boolean cubin) {
        _nvrtcProgram prog = new _nvrtcProgram();
        Cuda.checkNvrtc(nvrtc.nvrtcCreateProgram(prog, new BytePointer(source), new BytePointer("senet4j_kernels.cu"),
                0, (PointerPointer<?>) null, (PointerPointer<?>) null), "nvrtcCreateProgram", null);
        try {
            String[] opts = {"--gpu-architecture=" + arch, "--std=c++17"};
            PointerPointer<BytePointer> po = new PointerPointer<>(opts);
            int rc = nvrtc.nvrtcCompileProgram(prog, opts.length, po);
            if (rc != nvrtc.NVRTC_SUCCESS) {
                Cuda.checkNvrtc(rc, "nvrtcCompileProgram(" + arch + ")", log(prog));
            }
            SizeTPointer size = new SizeTPointer(1);
            byte[] out;
            if (cubin) {
                Cuda.checkNvrtc(nvrtc.nvrtcGetCUBINSize(prog, size), "nvrtcGetCUBINSize", null);
                out = new byte[(int) size.get()];
                Cuda.checkNvrtc(nvrtc.nvrtcGetCUBIN(prog, out), "nvrtcGetCUBIN", null);
            } else {
                Cuda.checkNvrtc(nvrtc.nvrtcGetPTXSize(prog, size), "nvrtcGetPTXSize", null);
                out = new byte[(int) size.get()];
                Cuda.checkNvrtc(nvrtc.nvrtcGetPTX(prog, out), "nvrtcGetPTX", null);
            }
            return out;
        } finally {
            nvrtc.nvrtcDestroyProgram(prog);
        }
    }

    private static String log(_nvrtcProgram prog) {
        SizeTPointer size = new SizeTPointer(1);
        if (nvrtc.nvrtcGetProgramLogSize(prog, size) != nvrtc.NVRTC_SUCCESS || size.get() <= 1) {
            return "";
        }
        byte[] b = new byte[(int) size.get()];
        nvrtc.nvrtcGetProgramLog(prog, b);
        return new String(b, 0, b.length - 1, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The loaded kernel {@code name}. */
    synchronized CUfunc_st function(String name) {
        return functions.computeIfAbsent(name, k -> {
            KernelSource.signature(k);
            CUfunc_st f = new CUfunc_st();
            Cuda.checkDriver(cudart.cuModuleGetFunction(f, module, k), "cuModuleGetFunction(" + k + ")", null);
            return f;
        });
    }

    /** How the kernels were built, e.g. {@code sm_90 (NVRTC 13.0)}. */
    String target() {
        return target;
    }

    long compileMillis() {
        return compileMillis;
    }

    @Override
    public void close() {
        if (!module.isNull()) {
            cudart.cuModuleUnload(module);
            module.setNull();
        }
    }
}
