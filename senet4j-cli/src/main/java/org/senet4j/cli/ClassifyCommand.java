package org.senet4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.senet4j.api.Model;
import org.senet4j.api.Prediction;
import org.senet4j.api.Session;
import org.senet4j.io.Json;
import org.senet4j.labels.ClassLabels;
import org.senet4j.labels.ClassOrder;
import org.senet4j.labels.ImageNetClass;
import org.senet4j.labels.LabelFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code senet4j classify}: the top classes of images. */
@Command(name = "classify", sortOptions = false,
        description = {"Classify JPEG and PNG images (files, or directories of them): decode to BGR, resize the "
                + "shorter side, centre-crop, subtract the mean (the SENet release's 256 / 224 / BGR / 104,117,123, "
                + "or a native file's metadata, or the options below), run the model in batches and print the top K "
                + "classes with their probabilities. Output i of a SENet is ILSVRC2012 devkit class ID i+1; with "
                + "--labels the WordNet ID and name are printed too. An image that cannot be read is reported and "
                + "skipped; the exit code is then 4."},
        footer = {"", "Examples:",
            "  senet4j classify SE-ResNet-50.prototxt SE-ResNet-50.caffemodel cat.jpg --labels map_clsloc.txt",
            "  senet4j classify se-resnet-50.safetensors photos/ --top 1 --batch 16 --json",
            "  senet4j classify se-resnet-50.safetensors dog.png --labels synset_words.txt --labels label_map.csv"})
final class ClassifyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL",
            description = "The net definition (.prototxt), or a native file (.safetensors, .senet4j).")
    Path modelFile;

    @Parameters(index = "1..*", paramLabel = "[WEIGHTS] IMAGE_OR_DIR",
            description = "The weights (for a prototxt: the argument after it unless that is an image or a "
                    + "directory), then images or directories of images.")
    List<Path> rest = new ArrayList<>();

    @Option(names = "--top", defaultValue = "5", paramLabel = "K", description = "Classes per image (default 5).")
    int top;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N", description = "Images per run (default 8).")
    int batch;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Label file(s) naming the classes (repeatable; see the README for the formats).")
    List<Path> labelFiles = new ArrayList<>();

    @Option(names = "--class-order", defaultValue = "devkit", paramLabel = "ORDER",
            description = "How the model numbers its classes: devkit (the SENet release: output i is devkit ID "
                    + "i+1; default) or sorted (by WordNet ID, as Caffe's synset_words.txt).")
    String classOrder;

    @Option(names = "--json", description = "Print JSON: {\"images\":[{\"file\":..,\"top\":[..]}],\"errors\":[..]}.")
    boolean json;

    @Option(names = "--input-shape", paramLabel = "NAME=N,C,H,W",
            description = "Replace the shape of the net input (prototxt models), e.g. data=1,3,320,320.")
    List<String> inputShapes = new ArrayList<>();

    @Option(names = "--allow-unknown-fields",
            description = "Skip prototxt fields that caffe.proto does not define (each one is reported).")
    boolean allowUnknownFields;

    @Mixin
    ImageOptions image;

    @Mixin
    EngineOptionsMixin engine;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (top < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--top must be at least 1");
        }
        ModelOptions mo = new ModelOptions();
        mo.model = modelFile;
        mo.allowUnknownFields = allowUnknownFields;
        mo.inputShapes = inputShapes;
        List<Path> images = new ArrayList<>(rest);
        if (!mo.isNative() && !images.isEmpty() && java.nio.file.Files.isRegularFile(images.get(0))
                && !ImageFiles.isImageName(images.get(0))) {
            mo.weights = images.remove(0);
        }
        if (images.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "name at least one image or directory");
        }
        ClassOrder order;
        try {
            order = ClassOrder.parse(classOrder);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--class-order: " + e.getMessage());
        }
        boolean fromDirectory = images.stream().anyMatch(java.nio.file.Files::isDirectory);
        List<Path> files = ImageFiles.collect(images);
        if (files.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no image files in " + images
                    + " (looked for " + String.join(", ", ImageFiles.EXTENSIONS.stream().sorted().toList()) + ")");
        }
        ClassLabels labels = labelFiles.isEmpty() ? null : readLabels(labelFiles, order);
        Model model = ClassifySupport.model(mo, image, spec).withClassOrder(order);
        if (labels != null) {
            model = model.withLabels(labels);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Map<String, Object>> results = new ArrayList<>();
        List<String[]> errors = new ArrayList<>();
        try (Session session = ClassifySupport.session(model, engine, Math.min(batch, files.size()), spec)) {
            int classes = ClassifySupport.classes(session);
            if (labels != null && classes != ClassLabels.CLASSES) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--labels describes the 1000 ImageNet "
                        + "classes but the model has " + classes + " outputs");
            }
            boolean showId = order == ClassOrder.DEVKIT && classes == ClassLabels.CLASSES;
            int per = Math.toIntExact(model.inputShape().count(1, 4));
            Progress progress = fromDirectory ? Progress.items(err, "classifying") : Progress.items(null, "");
            int done = 0;
            try (ImagePipeline pipe = new ImagePipeline(files, batch, ClassifySupport.decodeThreads(),
                    session::preprocess)) {
                while (pipe.hasNext()) {
                    ImagePipeline.Batch b = pipe.next();
                    float[][] probs = b.count() == 0 ? new float[0][] : session.probabilities(b.joined(per), b.count());
                    int k = 0;
                    for (int i = 0; i < b.files().size(); i++) {
                        String file = b.files().get(i).toString();
                        if (b.tensors().get(i) == null) {
                            progress.done();
                            err.println("senet4j classify: " + b.errors().get(i));
                            err.flush();
                            errors.add(new String[] {file, b.errors().get(i)});
                            continue;
                        }
                        List<Prediction> preds = session.top(probs[k++], top);
                        if (json) {
                            results.add(jsonResult(file, preds, showId));
                        } else {
                            progress.done();
                            out.print(text(file, preds, showId));
                            out.flush();
                        }
                    }
                    done += b.files().size();
                    progress.update(done, files.size());
                }
            }
            progress.done();
        }
        if (json) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("model", modelFile.toString());
            root.put("preprocessing", Json.parse(model.preprocessing().toJson()));
            root.put("classOrder", order.label());
            root.put("labels", labels == null ? List.of() : labels.sources());
            root.put("images", results);
            root.put("errors", ClassifySupport.errorList(errors));
            out.println(Json.write(root));
            out.flush();
        }
        if (!errors.isEmpty()) {
            err.printf(Locale.ROOT, "senet4j classify: %d of %d images could not be read%n", errors.size(),
                    files.size());
            err.flush();
            return ExitCode.IO;
        }
        return ExitCode.OK;
    }

    private ClassLabels readLabels(List<Path> files, ClassOrder order) throws java.io.IOException {
        try {
            ClassLabels l = ClassLabels.read(files);
            l.require(order);
            return l;
        } catch (LabelFileException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--labels: " + e.getMessage());
        }
    }

    static String text(String file, List<Prediction> preds, boolean showId) {
        StringBuilder sb = new StringBuilder(file).append('\n');
        for (Prediction p : preds) {
            sb.append(String.format(Locale.ROOT, "  %.4f  ", p.probability()));
            ImageNetClass c = p.imageNetClass();
            if (c == null) {
                sb.append("index ").append(p.index());
                if (showId) {
                    sb.append(" (ILSVRC2012 ID ").append(p.index() + 1).append(')');
                }
            } else {
                sb.append(c.wnid());
                if (c.name() != null) {
                    sb.append("  ").append(c.name());
                }
                sb.append("  [index ").append(p.index());
                if (c.hasDevkitId()) {
                    sb.append(", ID ").append(c.devkitId());
                }
                sb.append(']');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static Map<String, Object> jsonResult(String file, List<Prediction> preds, boolean showId) {
        List<Object> top = new ArrayList<>();
        for (Prediction p : preds) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("index", p.index());
            o.put("probability", (double) p.probability());
            ImageNetClass c = p.imageNetClass();
            if (c != null && c.hasDevkitId()) {
                o.put("devkitId", c.devkitId());
            } else if (c == null && showId) {
                o.put("devkitId", p.index() + 1);
            }
            if (c != null) {
                o.put("wnid", c.wnid());
                o.put("sortedIndex", c.sortedIndex());
                if (c.name() != null) {
                    o.put("name", c.name());
                }
            }
            top.add(o);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("file", file);
        r.put("top", top);
        return r;
    }
}
