package org.senet4j.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;

/**
 * Finds engine providers on the class path ({@link ServiceLoader}) and creates engines by device name. The core
 * brings the {@code reference} device; the others come with their own artifacts ({@link #ARTIFACTS}).
 */
public final class Engines {
    /** The devices of senet4j's own artifacts, in the order they are listed, with the artifact that brings each. */
    public static final Map<String, String> ARTIFACTS = artifacts();

    private Engines() {
    }

    private static Map<String, String> artifacts() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cpu", "org.senet4j:senet4j-cpu");
        m.put("reference", "org.senet4j:senet4j-core");
        m.put("cuda", "org.senet4j:senet4j-cuda");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The providers on the class path: senet4j's own in {@link #ARTIFACTS} order, then others by device name. */
    public static List<EngineProvider> providers() {
        List<EngineProvider> out = new ArrayList<>();
        ServiceLoader.load(EngineProvider.class, Engines.class.getClassLoader()).forEach(out::add);
        List<String> order = List.copyOf(ARTIFACTS.keySet());
        out.sort(Comparator.comparingInt((EngineProvider p) -> {
            int i = order.indexOf(p.device());
            return i < 0 ? order.size() : i;
        }).thenComparing(EngineProvider::device));
        return out;
    }

    /** The device names whose providers are on the class path. */
    public static List<String> devices() {
        return providers().stream().map(EngineProvider::device).toList();
    }

    /**
     * An engine for {@code device} ({@code cpu}, {@code reference}, {@code cuda}; {@code cuda:N} picks a GPU).
     *
     * @throws EngineUnavailableException when the device's artifact is not on the class path (naming it), or the
     *                                    device cannot run here (no GPU, missing native library), saying why
     * @throws IllegalArgumentException   for a device name no artifact provides
     */
    public static Engine create(String device, Graph graph, EngineOptions options) throws ModelException {
        String kind = device;
        int index = options.deviceIndex();
        int colon = device.indexOf(':');
        if (colon > 0) {
            kind = device.substring(0, colon);
            try {
                index = Integer.parseInt(device.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad device \"" + device + "\": expected NAME or NAME:INDEX");
            }
        }
        for (EngineProvider p : providers()) {
            if (p.device().equals(kind)) {
                String why = p.unavailableReason();
                if (why != null) {
                    throw new EngineUnavailableException("device " + kind + " is not available: " + why);
                }
                checkPrecision(p, options.precision());
                String notHere = p.precisionUnavailableReason(options.precision());
                if (notHere != null) {
                    throw new EngineUnavailableException("device " + kind + " cannot run " + options.precision()
                            .label() + " here: " + notHere);
                }
                return p.create(graph, new EngineOptions(options.threads(), options.precision(), index,
                        options.cudaGraphs()));
            }
        }
        String artifact = ARTIFACTS.get(kind);
        if (artifact != null) {
            throw new EngineUnavailableException("device " + kind + " is not on the class path: it comes with the "
                    + "artifact " + artifact + " (devices here: " + String.join(", ", devices()) + ")");
        }
        throw new IllegalArgumentException("unknown device \"" + device + "\"; devices here: "
                + String.join(", ", devices()) + absent());
    }

    /**
     * Refuses a precision the provider does not offer, naming the device and what it offers.
     *
     * @throws UnsupportedPrecisionException when {@code p} is not among {@link EngineProvider#precisions}
     */
    public static void checkPrecision(EngineProvider provider, Precision p) {
        java.util.Set<Precision> offered = provider.precisions();
        if (!offered.contains(p)) {
            throw new UnsupportedPrecisionException("device " + provider.device() + " does not run " + p.label()
                    + "; it runs " + String.join(", ", offered.stream().map(Precision::label).toList())
                    + (p == Precision.BF16 ? " (bf16 runs on the cpu device)" : p == Precision.TF32
                    || p == Precision.FP16 ? " (" + p.label() + " runs on the cuda device)" : ""));
        }
    }

    /** The senet4j devices whose artifacts are absent, for messages; empty when all are present. */
    private static String absent() {
        List<String> here = devices();
        List<String> missing = ARTIFACTS.entrySet().stream().filter(e -> !here.contains(e.getKey()))
                .map(e -> e.getKey() + " (" + e.getValue() + ")").toList();
        return missing.isEmpty() ? "" : "; not on the class path: " + String.join(", ", missing);
    }
}
