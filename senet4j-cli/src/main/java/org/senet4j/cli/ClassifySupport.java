package org.senet4j.cli;

import java.io.IOException;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.api.Model;
import org.senet4j.api.Session;
import org.senet4j.api.SessionOptions;
import org.senet4j.engine.Precision;
import org.senet4j.ir.Shape;
import org.senet4j.preprocess.Preprocessing;
import picocli.CommandLine;

/** What classify and evaluate share: the model with its preprocessing, checked, and the session options. */
final class ClassifySupport {
    private ClassifySupport() {
    }

    /** The loaded model with the preprocessing options applied, checked against the model's input. */
    static Model model(ModelOptions mo, ImageOptions io, CommandLine.Model.CommandSpec spec)
            throws IOException, ModelException {
        LoadedModel m = mo.load(spec, true);
        Model model;
        try {
            model = Model.of(m.graph());
        } catch (IllegalArgumentException e) {
            throw new ModelException(mo.model, null, null, "metadata." + Preprocessing.METADATA_KEY, e.getMessage(),
                    e);
        }
        model = model.withPreprocessing(io.apply(model.preprocessing(), spec));
        if (model.inputs().size() != 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the model has inputs " + model.inputs()
                    + "; classifying images needs a model with one image input");
        }
        Shape in = model.inputShape();
        if (in.rank() != 4 || in.dim(1) != 3) {
            throw new CommandLine.ParameterException(spec.commandLine(), "input \"" + model.inputs().get(0)
                    + "\" is " + in + "; classifying images needs N x 3 x H x W");
        }
        int crop = model.preprocessing().crop();
        if (crop > 0 && (crop != in.dim(2) || crop != in.dim(3))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the crop is " + crop + "x" + crop
                    + " but input \"" + model.inputs().get(0) + "\" is " + in.dim(3) + "x" + in.dim(2)
                    + ": set --crop (and --resize) to fit the model, or give the model another input size with "
                    + "--input-shape");
        }
        return model;
    }

    /** A session with the engine options and batch size. */
    static Session session(Model model, EngineOptionsMixin eo, int batch, CommandLine.Model.CommandSpec spec)
            throws ModelException {
        if (batch < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be positive, got " + batch);
        }
        try {
            return model.newSession(new SessionOptions(eo.device, Precision.parse(eo.precision), eo.threads,
                    eo.disabledPasses, batch));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Threads for decoding: the cores, at most 8. */
    static int decodeThreads() {
        return Math.min(8, Runtime.getRuntime().availableProcessors());
    }

    /** The number of values per output row of the class output of the session's graph. */
    static int classes(Session s) {
        Shape out = s.model().graph().shape(s.model().graph().resolve(s.classOutput()));
        return Math.toIntExact(out.count(1, out.rank()));
    }

    static List<Object> errorList(List<String[]> errors) {
        return errors.stream().map(e -> (Object) java.util.Map.of("file", e[0], "error", e[1])).toList();
    }
}
