package org.senet4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.senet4j.engine.Engine;
import org.senet4j.engine.HostTensor;
import org.senet4j.io.AtomicFiles;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code senet4j run}: runs a model on .npy inputs and writes blobs as .npy files. */
@Command(name = "run", sortOptions = false,
        description = {"Run a model on .npy inputs and write the requested blobs (default: the net outputs) as .npy "
                + "files named after the blobs, listed in DIR/blobs.tsv."},
        footer = {"", "Examples:",
            "  senet4j run SE-ResNet-50.prototxt SE-ResNet-50.caffemodel --input image.npy --output out/",
            "  senet4j run net.prototxt net.caffemodel --input data=x.npy --blob pool5/7x7_s1 --blob prob -o out/"})
final class RunCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    EngineOptionsMixin engine;

    @Option(names = "--input", required = true, paramLabel = "[NAME=]FILE.npy",
            description = "Input tensor (N x C x H x W float32 .npy); NAME= picks the input of a multi-input net. "
                    + "The batch size follows the file.")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--blob", paramLabel = "NAME", description = "A blob to write (repeatable); default: outputs.")
    List<String> blobs = new ArrayList<>();

    @Option(names = {"--output", "-o"}, required = true, paramLabel = "DIR", description = "Output directory.")
    Path output;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        LoadedModel m = model.load(spec, true);
        Graph g = m.graph();
        Map<String, HostTensor> in = readInputs(spec, g, inputs);
        int batch = in.values().iterator().next().shape().dim(0);
        g = g.withBatchSize(batch);
        Map<String, HostTensor> out;
        try (Engine e = engine.create(g)) {
            for (String b : blobs) {
                e.graph().resolve(b);
            }
            out = e.run(in, blobs);
        } catch (IllegalArgumentException ex) {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }
        Files.createDirectories(output);
        StringBuilder tsv = new StringBuilder("#blob\tfile\tshape\n");
        List<String> lines = new ArrayList<>();
        // Every file goes to a temporary name first; all are moved into place only once all are complete, so a
        // failure midway (a full disk) leaves the folder as it was.
        Map<Path, Path> staged = new LinkedHashMap<>();
        boolean done = false;
        try {
            for (Map.Entry<String, HostTensor> o : out.entrySet()) {
                String file = Npy.fileNameFor(o.getKey());
                Path tmp = AtomicFiles.tempSibling(output.resolve(file));
                staged.put(tmp, output.resolve(file));
                Npy.write(tmp, o.getValue().shape().dims(), o.getValue().data());
                tsv.append(o.getKey()).append('\t').append(file).append('\t')
                        .append(o.getValue().shape().toString().replace('x', ',')).append('\n');
                lines.add(o.getKey() + " " + o.getValue().shape() + " -> " + output.resolve(file));
            }
            Path tmp = AtomicFiles.tempSibling(output.resolve("blobs.tsv"));
            staged.put(tmp, output.resolve("blobs.tsv"));
            Files.writeString(tmp, tsv, StandardCharsets.UTF_8);
            for (Map.Entry<Path, Path> e : staged.entrySet()) {
                AtomicFiles.moveIntoPlace(e.getKey(), e.getValue());
            }
            done = true;
        } finally {
            if (!done) {
                for (Path tmp : staged.keySet()) {
                    try {
                        Files.deleteIfExists(tmp);
                    } catch (IOException e) {
                        // the original error matters more
                    }
                }
            }
        }
        lines.forEach(spec.commandLine().getOut()::println);
        return ExitCode.OK;
    }

    /** Reads {@code [NAME=]FILE.npy} arguments into graph inputs, checking names and shapes. */
    static Map<String, HostTensor> readInputs(CommandLine.Model.CommandSpec spec, Graph g, List<String> args)
            throws java.io.IOException {
        Map<String, HostTensor> in = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            String name;
            Path file;
            if (eq > 0 && !Files.exists(Path.of(a))) {
                name = a.substring(0, eq);
                file = Path.of(a.substring(eq + 1));
                if (!g.inputs().contains(name)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "unknown input \"" + name
                            + "\"; the model's inputs are " + g.inputs());
                }
            } else {
                if (g.inputs().size() != 1) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "the model has inputs "
                            + g.inputs() + ": name each one, --input NAME=FILE.npy");
                }
                name = g.inputs().get(0);
                file = Path.of(a);
            }
            Npy.NpyArray arr = Npy.read(file);
            Shape s = Shape.of(arr.shape());
            Shape want = g.shape(name);
            if (s.rank() != want.rank() || !s.slice(1, s.rank()).equals(want.slice(1, want.rank()))) {
                throw new CommandLine.ParameterException(spec.commandLine(), file + " has shape " + s
                        + "; input \"" + name + "\" needs N x " + want.slice(1, want.rank()));
            }
            in.put(name, new HostTensor(s, arr.data()));
        }
        if (in.size() != g.inputs().size()) {
            List<String> missing = new ArrayList<>(g.inputs());
            missing.removeAll(in.keySet());
            throw new CommandLine.ParameterException(spec.commandLine(), "missing input(s) " + missing);
        }
        int n = -1;
        for (HostTensor t : in.values()) {
            if (n >= 0 && t.shape().dim(0) != n) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "all inputs must have the same batch size");
            }
            n = t.shape().dim(0);
        }
        return in;
    }
}
