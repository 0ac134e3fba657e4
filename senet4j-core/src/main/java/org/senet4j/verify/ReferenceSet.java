package org.senet4j.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.senet4j.io.Tsv;

/**
 * A reference set on disk, as {@code tools/caffe-reference} writes it: {@code inputs.tsv} with the input files, and
 * {@code blobs/blobs.tsv} with one {@code .npy} per blob real Caffe computed from those inputs.
 */
public record ReferenceSet(Path dir, Map<String, Path> inputs, Map<String, Path> blobs) {

    public static ReferenceSet read(Path dir) throws IOException {
        Path inputsTsv = dir.resolve("inputs.tsv");
        Path blobsDir = dir.resolve("blobs");
        if (!Files.exists(inputsTsv) || !Files.exists(blobsDir.resolve("blobs.tsv"))) {
            throw new NoSuchFileException(dir.toString(), null,
                    "not a reference set: expected inputs.tsv and blobs/blobs.tsv (made by tools/caffe-reference)");
        }
        Map<String, Path> inputs = new LinkedHashMap<>();
        for (String line : Files.readAllLines(inputsTsv, StandardCharsets.UTF_8)) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length < 2) {
                throw new IOException(inputsTsv + ": malformed line \"" + line + "\"");
            }
            inputs.put(f[0], dir.resolve(f[1]));
        }
        return new ReferenceSet(dir, inputs, readBlobs(blobsDir));
    }

    /** Reads {@code dir/blobs.tsv} written by {@code forward}: blob name to {@code .npy} file, in net order. */
    public static Map<String, Path> readBlobs(Path dir) throws IOException {
        Path tsv = dir.resolve("blobs.tsv");
        Map<String, Path> out = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = Tsv.fields(line);
            if (f.length != 3) {
                throw new IOException(tsv + ":" + lineNo + ": expected 3 fields, got " + f.length);
            }
            out.put(Tsv.unescape(f[0]), dir.resolve(f[1]));
        }
        return out;
    }
}
