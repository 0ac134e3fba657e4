package org.senet4j.engine.cuda;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.HostTensor;
import org.senet4j.engine.Precision;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.nativefmt.NativeReader;
import org.senet4j.passes.Passes;

/**
 * Diagnostics for a GPU session: the device and libraries as the engine sees them, the plan of a model (every step
 * with what runs it and its time alone, host fallbacks, memory, CUDA graph state) and the device time of a whole run
 * with and without a CUDA graph.
 *
 * <p>Usage: {@code CudaDiagnostics MODEL(.senet4j|.prototxt [.caffemodel]) PRECISION BATCH [ITERATIONS]}.
 */
public final class CudaDiagnostics {
    private CudaDiagnostics() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: CudaDiagnostics MODEL.senet4j|MODEL.prototxt [WEIGHTS.caffemodel] PRECISION "
                    + "BATCH [ITERATIONS]");
            System.exit(2);
        }
        String why = CudaAvailability.reason();
        if (why != null) {
            System.err.println("cuda unavailable: " + why);
            System.exit(5);
        }
        int i = 0;
        Path model = Path.of(args[i++]);
        Graph g;
        if (model.toString().endsWith(".prototxt")) {
            g = CaffeImporter.load(model, Path.of(args[i++])).graph();
        } else {
            g = NativeReader.read(model);
        }
        Precision p = Precision.parse(args[i++]);
        int batch = Integer.parseInt(args[i++]);
        int iterations = i < args.length ? Integer.parseInt(args[i]) : 5;
        Graph opt = Passes.optimize(g, List.of()).withBatchSize(batch);
        Map<String, HostTensor> in = new LinkedHashMap<>();
        SplittableRandom r = new SplittableRandom(1);
        for (String name : opt.inputs()) {
            Shape s = opt.shape(name);
            float[] x = new float[Math.toIntExact(s.count())];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) r.nextGaussian();
            }
            in.put(name, new HostTensor(s, x));
        }
        for (boolean graphs : new boolean[] {false, true}) {
            long t0 = System.nanoTime();
            try (CudaEngine e = new CudaEngine(opt, new EngineOptions(0, p, 0, graphs))) {
                long created = System.nanoTime();
                e.run(in);
                long first = System.nanoTime();
                double[] ms = e.timeDevice(batch, 3, Math.max(5, iterations * 4));
                Arrays.sort(ms);
                double median = ms[ms.length / 2];
                System.out.printf(Locale.ROOT, "%s %s batch %d, CUDA graphs %s: engine created in %.2f s, first run "
                        + "%.1f ms, device time median %.3f ms (min %.3f) = %.0f img/s%n", g.name(), p, batch, graphs,
                        (created - t0) / 1e9, (first - created) / 1e6, median, ms[0], 1000.0 * batch / median);
                System.out.println("  " + e.describe(batch));
                if (!graphs) {
                    List<String> fallbacks = e.hostFallbacks(batch);
                    System.out.println("  host fallbacks: " + (fallbacks.isEmpty() ? "none" : fallbacks));
                    System.out.println("  steps, mean time of each alone over " + iterations + " runs:");
                    e.profile(batch, iterations).forEach(l -> System.out.println("  " + l));
                }
            }
        }
    }
}
