package org.senet4j.verify.caffe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.senet4j.io.Tsv;

/**
 * One layer of the net as real Caffe built it (after inserting {@code Split} layers), from {@code layers.tsv}.
 * Bottoms and tops are Caffe's blob names, so a bottom may be a {@code *_split_N} blob.
 *
 * @param name    layer name
 * @param type    layer type, e.g. {@code Convolution} or {@code Split}
 * @param bottoms input blob names, in order
 * @param tops    output blob names, in order
 */
public record LayerInfo(String name, String type, List<String> bottoms, List<String> tops) {

    public LayerInfo {
        bottoms = List.copyOf(bottoms);
        tops = List.copyOf(tops);
    }

    static final String HEADER = "#name\ttype\tbottoms\ttops";

    String toTsvLine() {
        return Tsv.escape(name) + '\t' + Tsv.escape(type) + '\t' + Tsv.list(bottoms) + '\t' + Tsv.list(tops);
    }

    /** Reads a {@code layers.tsv} written by the oracle's {@code forward} command. */
    public static List<LayerInfo> read(Path file) throws IOException {
        List<LayerInfo> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = Tsv.fields(line);
            if (f.length != 4) {
                throw new IOException(file + ":" + lineNo + ": malformed layers.tsv line: expected 4 fields, got "
                        + f.length);
            }
            out.add(new LayerInfo(Tsv.unescape(f[0]), Tsv.unescape(f[1]), Tsv.parseList(f[2]), Tsv.parseList(f[3])));
        }
        return out;
    }
}
