package org.senet4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.senet4j.api.Model;
import org.senet4j.api.Session;
import org.senet4j.labels.GroundTruth;
import org.senet4j.labels.LabelFileException;
import org.senet4j.io.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code senet4j evaluate}: top-1 and top-5 error over a validation folder. */
@Command(name = "evaluate", sortOptions = false,
        description = {"Top-1 and top-5 error of a classifier over an ImageNet-style validation folder, with the "
                + "preprocessing of classify. The ground truth is \"IMAGE LABEL\" per line with labels in the model's "
                + "output order (the SENet release's ILSVRC2017_val.txt), or the devkit's one class ID per line "
                + "(ILSVRC2012_validation_ground_truth.txt, for devkit-order models). The images evaluated are those "
                + "of DIR that the ground truth lists, in file-name order. Unreadable images are reported, left out "
                + "of the counts, and make the exit code 4."},
        footer = {"", "Examples:",
            "  senet4j evaluate SE-ResNet-50.prototxt SE-ResNet-50.caffemodel --images val/ --labels ILSVRC2017_val.txt",
            "  senet4j evaluate se-resnet-50.safetensors --images val/ --labels ILSVRC2017_val.txt --limit 1000 --json"})
final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "The validation images.")
    Path images;

    @Option(names = "--labels", required = true, paramLabel = "FILE",
            description = "The ground truth: IMAGE LABEL per line, or one devkit class ID per line.")
    Path labels;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "Evaluate the first N images only (default: all).")
    int limit;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N", description = "Images per run (default 8).")
    int batch;

    @Option(names = "--json", description = "Print JSON: {\"images\":N,\"top1Errors\":N,\"top1Error\":x,...}.")
    boolean json;

    @Mixin
    ImageOptions image;

    @Mixin
    EngineOptionsMixin engine;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (limit < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit must not be negative");
        }
        if (!Files.isDirectory(images)) {
            throw Files.exists(images) ? new UserFacingException(ExitCode.IO, images + " is not a directory")
                    : new java.nio.file.NoSuchFileException(images.toString());
        }
        GroundTruth truth;
        try {
            truth = GroundTruth.read(labels);
        } catch (LabelFileException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--labels: " + e.getMessage());
        }
        List<Path> files = new ArrayList<>();
        int unlisted = 0;
        for (Path p : ImageFiles.list(images)) {
            if (truth.label(p.getFileName().toString()) == null) {
                unlisted++;
            } else if (limit == 0 || files.size() < limit) {
                files.add(p);
            }
        }
        if (files.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no image of " + images + " is listed in "
                    + labels);
        }
        Model m = ClassifySupport.model(model, image, spec);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long top1 = 0;
        long top5 = 0;
        long n = 0;
        List<String[]> errors = new ArrayList<>();
        long t0;
        long t1;
        String device;
        try (Session session = ClassifySupport.session(m, engine, Math.min(batch, files.size()), spec)) {
            device = session.device();
            int classes = ClassifySupport.classes(session);
            if (truth.maxLabel() >= classes) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--labels: " + labels + " has label "
                        + truth.maxLabel() + " but the model has " + classes + " outputs");
            }
            int per = Math.toIntExact(m.inputShape().count(1, 4));
            Progress progress = Progress.items(err, "evaluating");
            t0 = System.nanoTime();
            try (ImagePipeline pipe = new ImagePipeline(files, batch, ClassifySupport.decodeThreads(),
                    session::preprocess)) {
                int done = 0;
                while (pipe.hasNext()) {
                    ImagePipeline.Batch b = pipe.next();
                    float[][] probs = b.count() == 0 ? new float[0][] : session.probabilities(b.joined(per), b.count());
                    int k = 0;
                    for (int i = 0; i < b.files().size(); i++) {
                        if (b.tensors().get(i) == null) {
                            progress.done();
                            err.println("senet4j evaluate: " + b.errors().get(i));
                            err.flush();
                            errors.add(new String[] {b.files().get(i).toString(), b.errors().get(i)});
                            continue;
                        }
                        int want = truth.label(b.files().get(i).getFileName().toString());
                        int[] best = Session.topIndices(probs[k++], 5);
                        n++;
                        if (best[0] != want) {
                            top1++;
                        }
                        boolean in5 = false;
                        for (int c : best) {
                            in5 |= c == want;
                        }
                        if (!in5) {
                            top5++;
                        }
                    }
                    done += b.files().size();
                    progress.update(done, files.size());
                }
            }
            t1 = System.nanoTime();
            progress.done();
        }
        double seconds = (t1 - t0) / 1e9;
        double rate = (n + errors.size()) / Math.max(seconds, 1e-9);
        int missing = limit == 0 ? truth.labels().size() - files.size() : 0;
        if (json) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("images", n);
            root.put("top1Errors", top1);
            root.put("top1Error", n == 0 ? null : (double) top1 / n);
            root.put("top5Errors", top5);
            root.put("top5Error", n == 0 ? null : (double) top5 / n);
            root.put("imagesPerSecond", rate);
            root.put("seconds", seconds);
            root.put("device", device);
            root.put("batch", batch);
            root.put("notInGroundTruth", unlisted);
            root.put("groundTruthNotFound", missing);
            root.put("errors", ClassifySupport.errorList(errors));
            out.println(Json.write(root));
        } else {
            out.printf(Locale.ROOT, "evaluated    %,d images of %s (ground truth %s)%n", n, images, labels);
            out.printf(Locale.ROOT, "top-1 error  %6.2f%%  (%,d wrong)%n", n == 0 ? Double.NaN : 100.0 * top1 / n,
                    top1);
            out.printf(Locale.ROOT, "top-5 error  %6.2f%%  (%,d wrong)%n", n == 0 ? Double.NaN : 100.0 * top5 / n,
                    top5);
            out.printf(Locale.ROOT, "speed        %.1f images/s (%s, batch %d; reading, decoding and "
                    + "preprocessing included; %.1f s)%n", rate, device, batch, seconds);
            if (unlisted > 0) {
                out.printf(Locale.ROOT, "skipped      %,d images of %s that the ground truth does not list%n",
                        unlisted, images);
            }
            if (missing > 0) {
                out.printf(Locale.ROOT, "note         %,d images of the ground truth are not in %s%n", missing,
                        images);
            }
            if (!errors.isEmpty()) {
                out.printf(Locale.ROOT, "unreadable   %,d images (not counted)%n", errors.size());
            }
        }
        out.flush();
        return errors.isEmpty() ? ExitCode.OK : ExitCode.IO;
    }
}
