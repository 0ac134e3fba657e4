package org.senet4j.cli;

import java.util.ArrayList;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.Precision;
import org.senet4j.ir.Graph;
import org.senet4j.passes.Passes;
import picocli.CommandLine.Option;

/** Engine choices shared by the commands that run a model. */
final class EngineOptionsMixin {

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE",
            completionCandidates = DeviceNames.class,
            description = "cpu (default), reference or cuda[:N]; on this class path: ${COMPLETION-CANDIDATES} "
                    + "(senet4j devices says which can run here).")
    String device;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "CPU threads (default: all cores).")
    int threads;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "P",
            description = "fp32 (default), bf16 (cpu, on processors with AVX512_BF16 or AMX), tf32 or fp16 (cuda).")
    String precision;

    @Option(names = "--cuda-graphs",
            description = "cuda: capture a run's launches as a CUDA graph after the first run and replay it.")
    boolean cudaGraphs;

    @Option(names = "--no-pass", paramLabel = "PASS",
            description = "Turn an inference pass off (repeatable): drop-identities, fold-batchnorm, "
                    + "fuse-activations, or all.")
    List<String> disabledPasses = new ArrayList<>();

    EngineOptions options() {
        return new EngineOptions(threads, Precision.parse(precision), 0, cudaGraphs);
    }

    /** The graph after the enabled passes. */
    Graph optimize(Graph g) throws ModelException {
        return Passes.optimize(g, disabledPasses);
    }

    Engine create(Graph g) throws ModelException {
        return createOptimized(optimize(g));
    }

    /** An engine for a graph the passes already ran on. */
    Engine createOptimized(Graph optimized) throws ModelException {
        return Engines.create(device, optimized, options());
    }

    /** The devices on the class path, looked up only when the help is shown. */
    static final class DeviceNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Engines.devices().iterator();
        }
    }
}
