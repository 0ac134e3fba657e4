package org.senet4j.verify.caffe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.nativefmt.NativeWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.senet4j.verify.SeededWeights;
import org.senet4j.verify.InputDistribution;
import org.senet4j.verify.ManifestEntry;

/**
 * Rebuilds, without Caffe, the model and input of a reference set made by {@code tools/caffe-reference} with random
 * weights: the seeded weights as a native model file (checked blob by blob against real Caffe's
 * {@code model.manifest.tsv} when given) and the seeded input as {@code .npy} (checked against a CRC-32 when given).
 * For machines that cannot run Caffe or receive large files (the GPU machine; see tools/gpu-check.sh).
 *
 * <p>Exit status: 0 written (and matching), 1 a mismatch or error, 2 usage.
 */
@Command(name = "seeded-weights", mixinStandardHelpOptions = true,
        description = "Write the oracle's seeded random weights as a native model, and optionally its seeded input.")
public final class SeededWeightsMain implements Callable<Integer> {
    @Option(names = "--prototxt", required = true, paramLabel = "P") Path prototxt;
    @Option(names = "--seed", required = true, paramLabel = "S", description = "weight seed") long seed;
    @Option(names = "--out", paramLabel = "MODEL.senet4j", description = "native model to write") Path out;
    @Option(names = "--manifest", paramLabel = "M.tsv", description = "real Caffe's manifest to check against")
    Path manifest;
    @Option(names = "--input-out", paramLabel = "X.npy", description = "write the seeded input here") Path inputOut;
    @Option(names = "--batch", defaultValue = "0", paramLabel = "N", description = "input batch (default: prototxt)")
    int batch;
    @Option(names = "--input-dist", defaultValue = "normal", paramLabel = "uniform|normal") String inputDist;
    @Option(names = "--input-seed", defaultValue = "1", paramLabel = "S") long inputSeed;
    @Option(names = "--input-crc", paramLabel = "CRC32", description = "expected CRC-32 of the input values")
    Long inputCrc;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SeededWeightsMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        Graph g = CaffeImporter.load(prototxt, null).graph();
        if (out != null || manifest != null) {
            Graph filled = SeededWeights.fill(g, seed);
            if (manifest != null) {
                List<ManifestEntry> want = ManifestEntry.read(manifest);
                List<ManifestEntry> ours = SeededWeights.manifest(filled);
                if (want.size() != ours.size()) {
                    System.err.printf("seeded-weights: %d blobs, real Caffe's manifest has %d%n", ours.size(),
                            want.size());
                    return 1;
                }
                for (int i = 0; i < want.size(); i++) {
                    if (!want.get(i).equals(ours.get(i))) {
                        System.err.println("seeded-weights: blob differs from real Caffe's: ours " + ours.get(i)
                                + ", Caffe's " + want.get(i));
                        return 1;
                    }
                }
            }
            if (out != null) {
                Files.deleteIfExists(out);
                NativeWriter.write(filled, out);
            }
            System.out.printf(Locale.ROOT, "%s: seed %d, %d weight blobs%s%s (%.1f s)%n", prototxt.getFileName(), seed,
                    SeededWeights.manifest(filled).size(), manifest != null ? ", equal to real Caffe's manifest" : "",
                    out != null ? ", written to " + out : "", (System.nanoTime() - t0) / 1e9);
        }
        if (inputOut != null) {
            if (g.inputs().size() != 1) {
                System.err.println("seeded-weights: --input-out supports nets with one input, this one has "
                        + g.inputs());
                return 2;
            }
            Shape s = g.shape(g.inputs().get(0));
            if (batch > 0) {
                s = s.with(0, batch);
            }
            InputDistribution d = InputDistribution.valueOf(inputDist.toUpperCase(Locale.ROOT));
            float[] x = SeededWeights.input(s, d, inputSeed);
            long crc = ManifestEntry.crc32(x);
            if (inputCrc != null && crc != inputCrc) {
                System.err.printf("seeded-weights: input CRC-32 %d, expected %d%n", crc, inputCrc);
                return 1;
            }
            Files.createDirectories(inputOut.toAbsolutePath().getParent());
            Npy.write(inputOut, s.dims(), x);
            System.out.printf(Locale.ROOT, "input %s %s, %s seed %d, crc32 %d%s%n", inputOut, s, d.name().toLowerCase(
                    Locale.ROOT), inputSeed, crc, inputCrc != null ? " (as expected)" : "");
        }
        return 0;
    }
}
