package org.senet4j.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.senet4j.engine.EngineProvider;
import org.senet4j.engine.Engines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code senet4j devices}: the devices on the class path, whether each can run here, and the artifacts of others. */
@Command(name = "devices",
        description = {"List the devices that --device takes: those whose engine modules are on the class path, "
                + "whether each can run on this machine (and why not), and the artifacts that bring the others."},
        footer = {"", "Example:", "  senet4j devices"})
final class DevicesCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        List<EngineProvider> here = Engines.providers();
        for (EngineProvider p : here) {
            String why = p.unavailableReason();
            out.printf("%-10s %-26s %s%n", p.device(), Engines.ARTIFACTS.getOrDefault(p.device(), "(plug-in)"),
                    why == null ? "available; precisions " + precisions(p) : "not available: " + why);
        }
        for (Map.Entry<String, String> e : Engines.ARTIFACTS.entrySet()) {
            if (here.stream().noneMatch(p -> p.device().equals(e.getKey()))) {
                out.printf("%-10s %-26s %s%n", e.getKey(), e.getValue(), "not on the class path");
            }
        }
        out.flush();
        return 0;
    }

    /** The device's precisions, each that cannot run on this machine marked with why. */
    private static String precisions(EngineProvider p) {
        List<String> s = new java.util.ArrayList<>();
        for (org.senet4j.engine.Precision x : p.precisions()) {
            String why = p.precisionUnavailableReason(x);
            s.add(why == null ? x.label() : x.label() + " (not here: " + why + ")");
        }
        return String.join(", ", s);
    }
}
