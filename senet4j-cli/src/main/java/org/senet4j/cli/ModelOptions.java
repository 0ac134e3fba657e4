package org.senet4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.CaffeModel;
import org.senet4j.io.FileStamp;
import org.senet4j.nativefmt.NativeReader;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The model arguments shared by the commands: {@code MODEL.prototxt [WEIGHTS.caffemodel]}, or a native file
 * ({@code .safetensors} / {@code .senet4j}) made by {@code convert}.
 */
final class ModelOptions {

    @Parameters(index = "0", paramLabel = "MODEL",
            description = "The net definition (.prototxt), or a native file (.safetensors, .senet4j).")
    Path model;

    @Parameters(index = "1", arity = "0..1", paramLabel = "WEIGHTS", description = "Its weights (.caffemodel).")
    Path weights;

    @Option(names = "--allow-unknown-fields",
            description = "Skip prototxt fields that caffe.proto does not define (each one is reported).")
    boolean allowUnknownFields;

    @Option(names = "--input-shape", paramLabel = "NAME=N,C,H,W",
            description = "Replace (or give) the shape of a net input, e.g. data=1,3,299,299 (repeatable).")
    List<String> inputShapes = new java.util.ArrayList<>();

    /** The --input-shape options as a map. */
    java.util.Map<String, org.senet4j.ir.Shape> inputShapes(CommandLine.Model.CommandSpec spec) {
        java.util.Map<String, org.senet4j.ir.Shape> m = new java.util.LinkedHashMap<>();
        for (String s : inputShapes) {
            int eq = s.indexOf('=');
            try {
                if (eq <= 0) {
                    throw new IllegalArgumentException("expected NAME=N,C,H,W");
                }
                String[] parts = s.substring(eq + 1).split(",");
                int[] dims = new int[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    dims[i] = Integer.parseInt(parts[i].trim());
                    if (dims[i] <= 0) {
                        throw new IllegalArgumentException("dimensions must be positive");
                    }
                }
                m.put(s.substring(0, eq), org.senet4j.ir.Shape.of(dims));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--input-shape " + s + ": "
                        + e.getMessage());
            }
        }
        return m;
    }

    LoadedModel load(CommandLine.Model.CommandSpec spec) throws IOException, ModelException {
        return load(spec, false);
    }

    /**
     * Loads the model; with {@code needWeights}, a model whose layers have learned weights must come with them (a
     * usage error otherwise).
     */
    LoadedModel load(CommandLine.Model.CommandSpec spec, boolean needWeights) throws IOException, ModelException {
        return load(spec, needWeights, false);
    }

    /**
     * {@link #load(CommandLine.Model.CommandSpec, boolean)}; with {@code lazy} a caffemodel's weights stay in the file,
     * read when written ({@code CaffeImporter.Options.lazyWeights}; a native file's are always views of its mapping),
     * for a conversion that verifies the returned stamps before committing its output.
     */
    LoadedModel load(CommandLine.Model.CommandSpec spec, boolean needWeights, boolean lazy)
            throws IOException, ModelException {
        requireFile(model);
        if (isNative()) {
            if (weights != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), model + " is a native file, which holds "
                        + "its weights: give no weights file");
            }
            if (!inputShapes.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--input-shape applies to prototxt models only");
            }
            FileStamp stamp = FileStamp.of(model);
            return new LoadedModel(NativeReader.read(model), null, List.of(stamp));
        }
        if (weights != null) {
            requireFile(weights);
        }
        CaffeImporter.Options options = new CaffeImporter.Options(allowUnknownFields, inputShapes(spec));
        FileStamp stamp = lazy && weights != null ? FileStamp.of(weights) : null;
        CaffeModel m = CaffeImporter.load(model, weights, lazy ? options.withLazyWeights() : options);
        for (String w : m.report().warnings()) {
            spec.commandLine().getErr().println("warning: " + w);
        }
        if (needWeights && !m.graph().hasWeights()) {
            throw new CommandLine.ParameterException(spec.commandLine(), model + " has layers with learned "
                    + "weights: give them too, MODEL.prototxt WEIGHTS.caffemodel");
        }
        return new LoadedModel(m.graph(), m.report(), stamp == null ? List.of() : List.of(stamp));
    }

    /** Whether MODEL is a native file rather than a prototxt. */
    boolean isNative() {
        return ConvertCommand.formatOf(model) == ConvertCommand.Format.NATIVE;
    }

    List<Path> files() {
        return weights == null ? List.of(model) : List.of(model, weights);
    }

    private static void requireFile(Path p) throws IOException {
        if (!Files.exists(p)) {
            throw new NoSuchFileException(p.toString());
        }
        if (Files.isDirectory(p)) {
            throw new IOException(p + " is a directory, not a model file");
        }
    }
}
