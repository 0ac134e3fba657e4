package org.senet4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.CaffeModel;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The model arguments shared by the commands: {@code MODEL.prototxt [WEIGHTS.caffemodel]}. */
final class ModelOptions {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The net definition (.prototxt).")
    Path model;

    @Parameters(index = "1", arity = "0..1", paramLabel = "WEIGHTS", description = "Its weights (.caffemodel).")
    Path weights;

    @Option(names = "--allow-unknown-fields",
            description = "Skip prototxt fields that caffe.proto does not define (each one is reported).")
    boolean allowUnknownFields;

    LoadedModel load(CommandLine.Model.CommandSpec spec) throws IOException, ModelException {
        return load(spec, false);
    }

    /** Loads the model; {@code needWeights} makes a missing weights argument a usage error. */
    LoadedModel load(CommandLine.Model.CommandSpec spec, boolean needWeights) throws IOException, ModelException {
        requireFile(model);
        if (weights == null && needWeights) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "this command needs the weights: MODEL.prototxt WEIGHTS.caffemodel");
        }
        if (weights != null) {
            requireFile(weights);
        }
        CaffeModel m = CaffeImporter.load(model, weights, new CaffeImporter.Options(allowUnknownFields));
        for (String w : m.report().warnings()) {
            spec.commandLine().getErr().println("warning: " + w);
        }
        return new LoadedModel(m.graph(), m.report());
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
