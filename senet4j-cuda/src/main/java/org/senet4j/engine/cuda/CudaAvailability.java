package org.senet4j.engine.cuda;

import java.util.Locale;
import org.bytedeco.javacpp.Loader;

/**
 * Whether the CUDA engine can run here, found once per JVM without ever letting a missing library or driver take the
 * JVM down: the native libraries are loaded inside {@code try}/{@code catch (Throwable)} (JavaCPP reports a missing
 * library as an {@link UnsatisfiedLinkError}), then the runtime is asked for devices. The reason names what is
 * missing: the NVIDIA driver library ({@code libcuda.so.1}), the CUDA 13 runtime ({@code libcudart.so.13}), cuDNN 9,
 * cuBLAS 13, or a GPU. NVRTC is optional: without it the kernels come from PTX made with nvcc (see KernelModule).
 */
final class CudaAvailability {
    private static volatile String reason;
    private static volatile boolean probed;
    private static volatile int deviceCount;

    private CudaAvailability() {
    }

    /** Null when the engine can run, else why not. */
    static String reason() {
        if (!probed) {
            synchronized (CudaAvailability.class) {
                if (!probed) {
                    String r;
                    try {
                        r = probe();
                    } catch (Throwable t) {
                        r = "the CUDA probe failed: " + describe(t);
                    }
                    reason = r;
                    probed = true;
                }
            }
        }
        return reason;
    }

    static int deviceCount() {
        reason();
        return deviceCount;
    }

    private static String probe() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "the CUDA engine's native bindings are packaged for linux-x86_64 only (this is " + os + "/" + arch
                    + ")";
        }
        if (Boolean.getBoolean("senet4j.cuda.disable")) {
            return "disabled by -Dsenet4j.cuda.disable=true";
        }
        String lib = load("org.bytedeco.cuda.global.cudart", "the CUDA 13 runtime (libcudart.so.13)");
        if (lib != null) {
            return lib;
        }
        int[] n = new int[1];
        int rc = org.bytedeco.cuda.global.cudart.cudaGetDeviceCount(n);
        if (rc != org.bytedeco.cuda.global.cudart.cudaSuccess) {
            String name = org.bytedeco.cuda.global.cudart.cudaGetErrorName(rc).getString();
            String text = org.bytedeco.cuda.global.cudart.cudaGetErrorString(rc).getString();
            org.bytedeco.cuda.global.cudart.cudaGetLastError();
            return "no usable NVIDIA GPU (cudaGetDeviceCount returned " + name + " (" + rc + "): " + text + ")";
        }
        if (n[0] == 0) {
            return "no NVIDIA GPU (cudaGetDeviceCount found 0 devices)";
        }
        deviceCount = n[0];
        for (String[] l : new String[][] {
            {"org.bytedeco.cuda.global.cudnn", "cuDNN 9 (libcudnn.so.9 and its sub-libraries)"},
            {"org.bytedeco.cuda.global.cublas", "cuBLAS 13 (libcublas.so.13, libcublasLt.so.13)"}}) {
            String why = load(l[0], l[1]);
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    /** Loads a preset class's native libraries; null on success, else the reason. */
    private static String load(String className, String what) {
        try {
            Loader.load(Class.forName(className));
            return null;
        } catch (Throwable t) {
            String detail = describe(t);
            if (detail.contains("libcuda.so")) {
                return "the NVIDIA driver library libcuda.so.1 was not found (no NVIDIA driver installed?): " + detail;
            }
            return what + " could not be loaded (is it on LD_LIBRARY_PATH?): " + detail;
        }
    }

    /** The innermost message of a load failure, which names the missing file. */
    static String describe(Throwable t) {
        Throwable deepest = t;
        String best = t.getMessage();
        for (Throwable c = t; c != null; c = c.getCause()) {
            deepest = c;
            String m = c.getMessage();
            if (m != null && (m.contains("cannot open shared object") || m.contains(".so"))) {
                best = m;
            }
        }
        if (best == null) {
            best = deepest.toString();
        }
        int cut = best.indexOf(": ");
        if (best.contains("cannot open shared object file") && best.startsWith("/") && cut > 0) {
            best = best.substring(cut + 2);
        }
        return best;
    }
}
