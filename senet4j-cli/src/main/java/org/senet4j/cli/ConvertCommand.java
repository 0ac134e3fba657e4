package org.senet4j.cli;

import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.senet4j.ir.Graph;
import org.senet4j.ir.GraphCut;
import org.senet4j.nativefmt.NativeWriter;
import org.senet4j.onnx.ExportOptions;
import org.senet4j.onnx.OnnxExporter;
import org.senet4j.preprocess.Preprocessing;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code senet4j convert}: a Caffe model to ONNX or to the native memory-mappable file. */
@Command(name = "convert", sortOptions = false,
        description = {"Convert a Caffe model to ONNX (.onnx) or to senet4j's native file (.safetensors or .senet4j: "
                + "the safetensors layout with the graph in its metadata, memory-mapped on load). The format follows "
                + "the extension. The output is written to a temporary file and renamed only when complete; an "
                + "existing output is replaced only with --force."},
        footer = {"", "Examples:",
            "  senet4j convert SE-ResNet-50.prototxt SE-ResNet-50.caffemodel -o se-resnet-50.onnx",
            "  senet4j convert SENet-154.prototxt SENet-154.caffemodel -o senet-154.safetensors",
            "  senet4j convert net.prototxt net.caffemodel -o net.onnx --opset 13 --no-fold --force",
            "  senet4j convert ssd.prototxt ssd.caffemodel -o heads.onnx --outputs mbox_loc,mbox_conf_flatten,mbox_priorbox"})
final class ConvertCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "Output file: .onnx, .safetensors or .senet4j.")
    Path output;

    @Option(names = "--opset", defaultValue = "17", paramLabel = "N",
            description = "ONNX opset, 13 to 21 (default 17).")
    int opset;

    @Option(names = "--no-fold", description = "ONNX: keep BatchNorm (as BatchNormalization) and Scale unfolded.")
    boolean noFold;

    @Option(names = "--force", description = "Replace an existing output file.")
    boolean force;

    @Option(names = "--outputs", split = ",", paramLabel = "NAME",
            description = "Cut the graph after these blobs (comma-separated): they become the outputs and only the "
                    + "layers they need are written; e.g. a detection net without its post-processing: --outputs "
                    + "mbox_loc,mbox_conf_flatten,mbox_priorbox.")
    java.util.List<String> outputs;

    @Option(names = "--preprocessing", paramLabel = "JSON",
            description = "Preprocessing to record in the metadata, default the SENet release's: "
                    + "{\"resize\":256,\"crop\":224,\"channel_order\":\"BGR\",\"mean\":[104,117,123],\"scale\":1}")
    String preprocessing;

    @Spec
    CommandLine.Model.CommandSpec spec;

    enum Format { ONNX, NATIVE }

    static Format formatOf(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".onnx")) {
            return Format.ONNX;
        }
        if (n.endsWith(".safetensors") || n.endsWith(".senet4j")) {
            return Format.NATIVE;
        }
        return null;
    }

    @Override
    public Integer call() throws Exception {
        Format format = formatOf(output);
        if (format == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot tell the format from " + output
                    + ": use .onnx, .safetensors or .senet4j");
        }
        if (opset < ExportOptions.MIN_OPSET || opset > ExportOptions.MAX_OPSET) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--opset must be " + ExportOptions.MIN_OPSET
                    + " to " + ExportOptions.MAX_OPSET + ", got " + opset);
        }
        Preprocessing pre;
        try {
            pre = preprocessing == null ? Preprocessing.SENET : Preprocessing.fromJson(preprocessing);
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--preprocessing: " + e.getMessage());
        }
        if (Files.isDirectory(output)) {
            throw new UserFacingException(ExitCode.IO, output + " is a directory");
        }
        if (Files.exists(output) && !force) {
            throw new FileAlreadyExistsException(output.toString(), null, "use --force to replace it");
        }
        long t0 = System.nanoTime();
        LoadedModel m = model.load(spec, true, true);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(Preprocessing.METADATA_KEY, pre.toJson());
        meta.put("converter", "senet4j " + OnnxExporter.producerVersion());
        Graph g = m.graph().withMetadata(meta);
        if (outputs != null) {
            try {
                g = GraphCut.upTo(g, outputs);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--outputs: " + e.getMessage());
            }
        }
        Progress progress = Progress.forTerminal(spec.commandLine().getErr(), "writing " + output.getFileName());
        if (format == Format.ONNX) {
            OnnxExporter.write(g, ExportOptions.defaults().withOpset(opset).withFold(!noFold)
                    .withDocString("Converted from " + String.join(" + ", model.files().stream()
                            .map(p -> p.getFileName().toString()).toList()) + " by senet4j"), output, m.sources());
        } else {
            NativeWriter.write(g, output, progress::update, m.sources());
        }
        progress.done();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "wrote %s (%s, %.1f MB) in %.2f s%n", output, format == Format.ONNX
                ? "ONNX opset " + opset : "native", Files.size(output) / 1e6, (System.nanoTime() - t0) / 1e9);
        out.flush();
        return ExitCode.OK;
    }
}
