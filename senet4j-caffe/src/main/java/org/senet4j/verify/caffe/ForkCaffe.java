package org.senet4j.verify.caffe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fork-caffe oracle: a CPU build of a Caffe fork that carries the SSD, YOLO and mobile layers real BVLC Caffe
 * lacks (PriorBox, DetectionOutput, Normalize, Permute, Upsample, Reorg, the YOLO outputs, ReLU6,
 * DepthwiseConvolution, Swish, ...), run through its {@code bin/caffe-run} driver as a child process, so that its
 * CHECK failures abort only the child. The build lives outside the project (../shared/fork-caffe; its README lists the
 * Debian runtime packages).
 */
public final class ForkCaffe {
    /** System property: the fork-caffe directory (holding {@code bin/caffe-run}). */
    public static final String HOME_PROPERTY = "senet4j.forkCaffe.home";

    private ForkCaffe() {
    }

    /**
     * The fork-caffe directory: {@link #HOME_PROPERTY} if set, else {@code ../shared/fork-caffe} beside the working
     * directory; empty when neither holds {@code bin/caffe-run}.
     */
    public static Optional<Path> home() {
        String p = System.getProperty(HOME_PROPERTY);
        Path dir = p != null ? Path.of(p) : Path.of("").toAbsolutePath().resolveSibling("shared").resolve("fork-caffe");
        return Files.isExecutable(dir.resolve("bin").resolve("caffe-run")) ? Optional.of(dir) : Optional.empty();
    }

    /**
     * A forward pass's results.
     *
     * @param dir     the output directory
     * @param weights the caffemodel the fork ran (the given one, or its seeded filler weights saved before Forward)
     * @param inputs  the input files, by blob name
     * @param blobs   every blob the fork wrote, in net order (Caffe's split copies included), by name
     */
    public record Result(Path dir, Path weights, Map<String, Path> inputs, Map<String, Path> blobs) {
        public Result {
            inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
            blobs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(blobs));
        }
    }

    /**
     * Runs {@code prototxt} (TEST phase) on the given inputs, each blob taking its file's shape, and writes every blob.
     *
     * @param weights a caffemodel, or null for the fork's filler weights from {@code seed}, saved as
     *                {@code dir/model.caffemodel} (so that senet4j loads the same weights)
     * @param inputs  {@code .npy} files (float32), by blob name
     * @throws CaffeOracleException when the fork aborts, fails, times out or its output cannot be read (the message
     *     names the prototxt and gives the fork's fatal message)
     */
    public static Result forward(Path home, Path prototxt, Path weights, long seed, Map<String, Path> inputs, Path dir,
                                 Duration timeout) throws CaffeOracleException {
        Path proto = prototxt.toAbsolutePath();
        Path out = dir.toAbsolutePath();
        Path model = weights != null ? weights.toAbsolutePath() : out.resolve("model.caffemodel");
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin").resolve("caffe-run").toString(),
                "--model", proto.toString(), "--out", out.toString()));
        if (weights != null) {
            cmd.addAll(List.of("--weights", model.toString()));
        } else {
            cmd.addAll(List.of("--seed", Long.toString(seed), "--save-weights", model.toString()));
        }
        inputs.forEach((name, file) -> cmd.add(name + "=" + file.toAbsolutePath()));
        try {
            Files.createDirectories(out);
            Files.deleteIfExists(out.resolve("blobs.tsv"));
            CaffeOracle.runProcess("fork-caffe", "caffe-run", runDir -> cmd, 1, timeout, proto);
            return new Result(out, model, inputs, readBlobs(out));
        } catch (IOException | RuntimeException e) {
            throw new CaffeOracleException("fork-caffe caffe-run for " + proto + ": cannot read its output: "
                    + e.getMessage(), "caffe-run", proto, null, null, null, e);
        }
    }

    /** {@code dir/blobs.tsv}: a header line, then name, file and shape (dimensions joined by commas) per blob. */
    static Map<String, Path> readBlobs(Path dir) throws IOException {
        Map<String, Path> blobs = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(dir.resolve("blobs.tsv"), StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length < 2) {
                throw new IOException("blobs.tsv: malformed line: " + line);
            }
            blobs.put(f[0], dir.resolve(f[1]));
        }
        return blobs;
    }
}
