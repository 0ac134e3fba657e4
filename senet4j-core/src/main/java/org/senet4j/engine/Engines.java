package org.senet4j.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;

/** Finds engine providers and creates engines by device name. */
public final class Engines {
    private Engines() {
    }

    public static List<EngineProvider> providers() {
        List<EngineProvider> out = new ArrayList<>();
        ServiceLoader.load(EngineProvider.class, Engines.class.getClassLoader()).forEach(out::add);
        return out;
    }

    public static List<String> devices() {
        return providers().stream().map(EngineProvider::device).toList();
    }

    /**
     * An engine for {@code device} ({@code cpu}, {@code cuda}; {@code cuda:N} picks a GPU).
     *
     * @throws EngineUnavailableException when no such device exists here, saying why
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
                return p.create(graph, new EngineOptions(options.threads(), options.precision(), index,
                        options.cudaGraphs()));
            }
        }
        throw new IllegalArgumentException("unknown device \"" + device + "\"; known devices: " + devices());
    }
}
