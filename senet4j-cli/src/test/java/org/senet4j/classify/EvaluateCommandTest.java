package org.senet4j.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.cli.CliRunner;
import org.senet4j.cli.ExitCode;
import org.senet4j.io.Json;

/** evaluate on a tiny generated validation folder whose top-1 and top-5 errors are known. */
class EvaluateCommandTest {
    @TempDir
    Path dir;

    /**
     * Eight images named like ImageNet's: six labelled with their colour's class, one red image labelled grey (the
     * second nearest colour: a top-1 error but no top-5 error) and one labelled 999 (an error in both).
     */
    private Path folder() throws Exception {
        Path val = Files.createDirectories(dir.resolve("val"));
        String[] colours = {"red", "blue", "green", "grey", "yellow", "black", "red", "white"};
        StringBuilder truth = new StringBuilder();
        for (int k = 1; k <= colours.length; k++) {
            String name = String.format(java.util.Locale.ROOT, "ILSVRC2012_val_%08d.JPEG", k);
            ColourNet.writeJpeg(ColourNet.rgb(colours[k - 1], 40 + k, 30 + 2 * k), val.resolve(name));
            int label = ColourNet.CLASS.get(colours[k - 1]);
            if (k == 7) {
                label = ColourNet.CLASS.get("grey");
            } else if (k == 8) {
                label = 999;
            }
            truth.append("/some/dir/").append(name).append(' ').append(label).append('\n');
        }
        Files.writeString(dir.resolve("ILSVRC2017_val.txt"), truth);
        return val;
    }

    private CliRunner.Result evaluate(Path val, String truth, String... more) throws Exception {
        Path[] net = ColourNet.write(dir);
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("evaluate", net[0].toString(),
                net[1].toString(), "--images", val.toString(), "--labels", truth, "--resize", "32", "--crop", "24",
                "--batch", "3"));
        args.addAll(java.util.List.of(more));
        return CliRunner.run(args.toArray(String[]::new));
    }

    @Test
    @SuppressWarnings("unchecked")
    void knownErrors() throws Exception {
        Path val = folder();
        CliRunner.Result r = evaluate(val, dir.resolve("ILSVRC2017_val.txt").toString(), "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> m = (Map<String, Object>) Json.parse(r.out());
        assertEquals(8, ((Number) m.get("images")).intValue());
        assertEquals(2, ((Number) m.get("top1Errors")).intValue());
        assertEquals(0.25, ((Number) m.get("top1Error")).doubleValue(), 1e-12);
        assertEquals(1, ((Number) m.get("top5Errors")).intValue());
        assertTrue(((Number) m.get("imagesPerSecond")).doubleValue() > 0);
        CliRunner.Result text = evaluate(val, dir.resolve("ILSVRC2017_val.txt").toString(), "--limit", "4");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("evaluated    4 images"), text.out());
        assertTrue(text.out().contains("top-1 error    0.00%"), text.out());
        assertTrue(text.out().contains("images/s"), text.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void devkitIdGroundTruthAndUnreadableImages() throws Exception {
        Path val = folder();
        StringBuilder ids = new StringBuilder();
        for (String line : Files.readAllLines(dir.resolve("ILSVRC2017_val.txt"))) {
            ids.append(Integer.parseInt(line.split(" ")[1]) + 1).append('\n');
        }
        Path devkit = Files.writeString(dir.resolve("ILSVRC2012_validation_ground_truth.txt"), ids);
        Files.write(val.resolve("ILSVRC2012_val_00000003.JPEG"), new byte[] {1, 2, 3});
        Files.write(val.resolve("unlisted.png"), new byte[] {1});
        CliRunner.Result r = evaluate(val, devkit.toString(), "--json");
        assertEquals(ExitCode.IO, r.code(), "an unreadable image: " + r.err());
        assertTrue(r.err().contains("ILSVRC2012_val_00000003.JPEG"), r.err());
        Map<String, Object> m = (Map<String, Object>) Json.parse(r.out());
        assertEquals(7, ((Number) m.get("images")).intValue());
        assertEquals(2, ((Number) m.get("top1Errors")).intValue());
        assertEquals(1, ((Number) m.get("notInGroundTruth")).intValue());
        assertEquals(1, ((java.util.List<Object>) m.get("errors")).size());
    }

    @Test
    void usageErrors() throws Exception {
        Path val = folder();
        Path wide = Files.writeString(dir.resolve("wide.txt"), "ILSVRC2012_val_00000001.JPEG 1000\n");
        CliRunner.Result big = evaluate(val, wide.toString());
        assertEquals(ExitCode.USAGE, big.code());
        assertTrue(big.err().contains("1000 outputs"), big.err());
        Path none = Files.writeString(dir.resolve("none.txt"), "other.JPEG 1\n");
        assertEquals(ExitCode.USAGE, evaluate(val, none.toString()).code());
        Path bad = Files.writeString(dir.resolve("bad.txt"), "a b c\n");
        CliRunner.Result badTruth = evaluate(val, bad.toString());
        assertEquals(ExitCode.USAGE, badTruth.code());
        assertTrue(badTruth.err().contains("bad.txt:1"), badTruth.err());
        assertEquals(ExitCode.IO, evaluate(dir.resolve("missing"), dir.resolve("ILSVRC2017_val.txt").toString())
                .code());
    }
}
