package org.senet4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.senet4j.caffe.ImportReport;
import org.senet4j.caffe.LoadReport;
import org.senet4j.caffe.UnsupportedModelException;
import org.senet4j.io.Json;
import org.senet4j.ir.GraphSummary;
import org.senet4j.ir.Shape;
import org.senet4j.svg.NetworkSvg;
import org.senet4j.svg.SeBlocks;
import org.senet4j.svg.Svg;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code senet4j inspect}: a row per layer with connections, shapes, parameters and MACs, totals last. */
@Command(name = "inspect", sortOptions = false,
        description = {"Show a model layer by layer: name, type, bottoms -> tops, output shape, learnable parameters "
                + "and multiply-accumulates, with totals. With weights, also which layers took weights and which "
                + "layers of the weights file were ignored."},
        footer = {"", "Examples:",
            "  senet4j inspect SE-ResNet-50.prototxt",
            "  senet4j inspect SE-ResNet-50.prototxt SE-ResNet-50.caffemodel --json",
            "  senet4j inspect SE-ResNet-50.prototxt --svg se-resnet-50.svg"})
final class InspectCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--json", description = "Print JSON: {\"supported\":true,\"layers\":[...],\"totals\":{...}}; for a "
            + "net that does not import, the report {\"supported\":false,\"unsupportedTypes\":{...},"
            + "\"unknownFields\":[...],\"shapesNeeded\":[...],\"leftOut\":[...]} (exit code 3).")
    boolean json;

    @Option(names = "--svg", paramLabel = "OUT.svg",
            description = "Also draw the network to OUT.svg: layers top to bottom in execution order, branches in "
                    + "columns, SE blocks framed.")
    Path svg;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        LoadedModel m;
        var out = spec.commandLine().getOut();
        try {
            m = model.load(spec);
        } catch (UnsupportedModelException e) {
            if (!json) {
                throw e;
            }
            // the same report as the error, as JSON for CI pipelines; the exit code still says the net fails
            out.println(Json.write(e.report().toJson()));
            out.flush();
            return ExitCode.BAD_MODEL;
        }
        GraphSummary s = GraphSummary.of(m.graph());
        if (svg != null) {
            Svg.write(svg, NetworkSvg.render(m.graph()));
            spec.commandLine().getErr().printf(Locale.ROOT, "wrote %s (%d layers, %d SE blocks)%n", svg,
                    m.graph().nodes().size(), SeBlocks.find(m.graph()).size());
            spec.commandLine().getErr().flush();
        }
        if (json) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("supported", true);
            root.putAll(toJson(s));
            if (m.report() != null && !m.report().leftOut().isEmpty()) {
                root.put("leftOut", ImportReport.toJson(m.report().leftOut()));
            }
            out.println(Json.write(root));
        } else {
            out.print(table(s));
            if (m.report() != null && !m.report().leftOut().isEmpty()) {
                out.println("Left out: " + String.join(", ", m.report().leftOut().stream()
                        .map(l -> l.layer() + " (" + l.type() + "): " + l.reason()).toList()));
            }
            if (m.report() != null && m.report().caffemodel() != null) {
                out.print(weightsReport(m.report()));
            }
        }
        out.flush();
        return ExitCode.OK;
    }

    static Map<String, Object> toJson(GraphSummary s) {
        List<Object> layers = new ArrayList<>();
        for (GraphSummary.Row r : s.rows()) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("name", r.name());
            l.put("type", r.type());
            l.put("bottoms", r.bottoms());
            l.put("tops", r.tops());
            l.put("outputShapes", r.outputShapes().stream().map(Shape::dims).toList());
            l.put("params", r.params());
            l.put("macs", r.macs());
            layers.add(l);
        }
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("params", s.params());
        totals.put("macs", s.macs());
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("layers", layers);
        root.put("totals", totals);
        return root;
    }

    static String table(GraphSummary s) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"name", "type", "bottoms -> tops", "output shape", "params", "MACs"});
        for (GraphSummary.Row r : s.rows()) {
            rows.add(new String[] {r.name(), r.type(),
                String.join(", ", r.bottoms()) + " -> " + String.join(", ", r.tops()),
                String.join(", ", r.outputShapes().stream().map(Shape::toString).toList()),
                count(r.params()), count(r.macs())});
        }
        rows.add(new String[] {"total", s.rows().size() + " layers", "", "", count(s.params()), count(s.macs())});
        int[] w = new int[6];
        for (String[] r : rows) {
            for (int i = 0; i < 6; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            String[] r = rows.get(k);
            if (k == rows.size() - 1) {
                sb.append("-".repeat(w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + 10)).append('\n');
            }
            sb.append(String.format(Locale.ROOT, "%-" + w[0] + "s  %-" + w[1] + "s  %-" + w[2] + "s  %-" + w[3]
                    + "s  %" + w[4] + "s  %" + w[5] + "s", (Object[]) r).stripTrailing()).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "%s parameters, %s multiply-accumulates%n", human(s.params()),
                human(s.macs())));
        return sb.toString();
    }

    static String weightsReport(LoadReport r) {
        StringBuilder sb = new StringBuilder();
        long blobs = r.loaded().stream().mapToLong(l -> l.blobs().size()).sum();
        sb.append(String.format(Locale.ROOT, "%nWeights from %s: %d layers took %d blobs (%s), loaded in %.2f s%n",
                r.caffemodel(), r.loaded().size(), blobs, bytes(r.weightBytes()), r.loadNanos() / 1e9));
        for (LoadReport.LayerBlobs l : r.loaded()) {
            sb.append("  ").append(l.layer()).append(" (").append(l.type()).append("): ")
                    .append(l.blobs()).append('\n');
        }
        if (r.ignored().isEmpty()) {
            sb.append("No layer of the weights file was ignored.\n");
        } else {
            sb.append("Ignored (not in the deploy net): ").append(r.ignored().size()).append(" layers\n");
            for (LoadReport.LayerBlobs l : r.ignored()) {
                sb.append("  ").append(l.layer()).append(" (").append(l.type()).append("): ")
                        .append(l.blobs()).append('\n');
            }
        }
        return sb.toString();
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String human(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f G", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        }
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String bytes(long n) {
        return String.format(Locale.ROOT, "%.1f MB", n / 1e6);
    }
}
