package org.senet4j.svg;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;

/**
 * Draws a graph as SVG: one box per layer, top to bottom in execution order, one row each; branches get columns of
 * their own (a layer continues in the column of an input it consumes last, otherwise takes the leftmost free column,
 * so the main path of a ResNet stays in the first column and each SE excitation runs beside it). Connections run down
 * the producer's column and turn into the consumer's column just above it. SE blocks ({@link SeBlocks}) are framed and
 * labelled, and their scaling layer is outlined. Each box has a tooltip with the layer's inputs and outputs.
 */
public final class NetworkSvg {
    private static final int COL_W = 250;
    private static final int BOX_W = 226;
    private static final int ROW_H = 38;
    private static final int BOX_H = 28;
    private static final int LEFT = 24;
    private static final int TOP = 96;
    private static final int LEGEND_W = 1010;

    private NetworkSvg() {
    }

    /** The picture of {@code g}. */
    public static String render(Graph g) {
        List<Node> nodes = g.nodes();
        Map<Node, Integer> col = new HashMap<>();
        Map<String, Integer> lane = new HashMap<>();
        int columns = layout(g, col, lane);
        Map<Node, Integer> row = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            row.put(nodes.get(i), i);
        }
        List<SeBlocks.Block> se = SeBlocks.find(g);
        int width = Math.max(LEFT * 2 + columns * COL_W, LEGEND_W);
        int height = TOP + nodes.size() * ROW_H + 30;

        StringBuilder s = new StringBuilder(nodes.size() * 900);
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n");
        s.append("<title>").append(Svg.esc(g.name())).append("</title>\n");
        s.append("<defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"6\" "
                + "markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#868e96\"/></marker>"
                + "</defs>\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append("<text x=\"").append(LEFT).append("\" y=\"28\" font-size=\"18\" font-weight=\"bold\">")
                .append(Svg.esc(g.name())).append("</text>\n");
        s.append("<text x=\"").append(LEFT).append("\" y=\"48\" font-size=\"12\" fill=\"#495057\">")
                .append(nodes.size()).append(" layers, ").append(se.size()).append(" SE blocks, input ")
                .append(Svg.esc(g.inputs().isEmpty() ? "" : g.shape(g.inputs().get(0)).toString()))
                .append(", outputs ").append(Svg.esc(String.join(", ", g.outputs()))).append("</text>\n");
        legend(s);

        // SE frames behind everything
        s.append("<g id=\"se-blocks\">\n");
        for (SeBlocks.Block b : se) {
            int c0 = Integer.MAX_VALUE;
            int c1 = 0;
            int r0 = Integer.MAX_VALUE;
            int r1 = 0;
            for (Node n : b.chain()) {
                c0 = Math.min(c0, col.get(n));
                c1 = Math.max(c1, col.get(n));
                r0 = Math.min(r0, row.get(n));
                r1 = Math.max(r1, row.get(n));
            }
            double x = LEFT + c0 * COL_W + (COL_W - BOX_W) / 2.0 - 8;
            double y = TOP + r0 * ROW_H - 14;
            double w = (c1 - c0) * COL_W + BOX_W + 16;
            double h = (r1 - r0) * ROW_H + BOX_H + 20;
            int sc = col.get(b.scale());
            int sr = row.get(b.scale());
            s.append("<g class=\"se-block\" data-name=\"").append(Svg.esc(b.name())).append("\">")
                    .append("<title>SE block ").append(Svg.esc(b.name())).append(": squeeze ")
                    .append(Svg.esc(b.squeeze().name())).append(", excitation ")
                    .append(b.chain().size() - 1).append(" layers, scale ").append(Svg.esc(b.scale().name()))
                    .append(" (").append(Svg.esc(b.scale().type())).append(") of ").append(Svg.esc(b.input()))
                    .append("</title>");
            s.append("<rect x=\"").append(Svg.n(x)).append("\" y=\"").append(Svg.n(y)).append("\" width=\"")
                    .append(Svg.n(w)).append("\" height=\"").append(Svg.n(h))
                    .append("\" rx=\"8\" fill=\"#fff0f6\" stroke=\"#d6336c\" stroke-dasharray=\"5,3\"/>");
            s.append("<text x=\"").append(Svg.n(x + 6)).append("\" y=\"").append(Svg.n(y + 10))
                    .append("\" font-size=\"9\" fill=\"#d6336c\" font-weight=\"bold\">SE ")
                    .append(Svg.esc(Svg.fit(b.name(), 30))).append("</text>");
            s.append("<rect x=\"").append(Svg.n(LEFT + sc * COL_W + (COL_W - BOX_W) / 2.0 - 4)).append("\" y=\"")
                    .append(Svg.n(TOP + sr * ROW_H - 4)).append("\" width=\"").append(BOX_W + 8)
                    .append("\" height=\"").append(BOX_H + 8)
                    .append("\" rx=\"6\" fill=\"none\" stroke=\"#d6336c\" stroke-width=\"2.5\"/>");
            s.append("</g>\n");
        }
        s.append("</g>\n");

        // connections
        s.append("<g id=\"edges\" fill=\"none\" stroke=\"#868e96\" stroke-width=\"1.2\">\n");
        for (Node n : nodes) {
            for (String v : new java.util.LinkedHashSet<>(n.inputs())) {
                Node p = g.producer(v);
                if (p == null) {
                    continue;
                }
                double ax = cx(col.get(p));
                double ay = TOP + row.get(p) * ROW_H + BOX_H;
                double lx = cx(lane.get(v));
                double dx = cx(col.get(n));
                double dy = TOP + row.get(n) * ROW_H;
                s.append("<path d=\"M").append(Svg.n(ax)).append(',').append(Svg.n(ay));
                if (lx != ax) {
                    s.append(" L").append(Svg.n(lx)).append(',').append(Svg.n(ay + 4));
                }
                if (lx != dx) {
                    s.append(" L").append(Svg.n(lx)).append(',').append(Svg.n(dy - 5));
                }
                s.append(" L").append(Svg.n(dx)).append(',').append(Svg.n(dy))
                        .append("\" marker-end=\"url(#arrow)\"/>\n");
            }
        }
        s.append("</g>\n");

        // boxes
        s.append("<g id=\"layers\">\n");
        for (Node n : nodes) {
            double x = LEFT + col.get(n) * COL_W + (COL_W - BOX_W) / 2.0;
            double y = TOP + row.get(n) * ROW_H;
            List<Shape> shapes = g.outputShapes(n);
            String shape = shapes.isEmpty() ? "" : shapes.get(0).toString();
            s.append("<g class=\"layer\" data-name=\"").append(Svg.esc(n.name())).append("\" data-type=\"")
                    .append(Svg.esc(n.type())).append("\"><title>").append(Svg.esc(n.name())).append(" (")
                    .append(Svg.esc(n.type())).append(")\n").append(Svg.esc(String.join(", ", n.inputs().stream()
                            .map(v -> g.value(v).blob()).toList()))).append(" -> ")
                    .append(Svg.esc(String.join(", ", g.blobsOf(n)))).append("\n")
                    .append(Svg.esc(String.join(", ", shapes.stream().map(Shape::toString).toList())))
                    .append("</title>");
            s.append("<rect x=\"").append(Svg.n(x)).append("\" y=\"").append(Svg.n(y)).append("\" width=\"")
                    .append(BOX_W).append("\" height=\"").append(BOX_H).append("\" rx=\"4\" fill=\"")
                    .append(colour(n)).append("\" stroke=\"#495057\" stroke-width=\"0.8\"/>");
            s.append("<text x=\"").append(Svg.n(x + 6)).append("\" y=\"").append(Svg.n(y + 12))
                    .append("\" font-size=\"10\" font-weight=\"bold\">").append(Svg.esc(Svg.fit(n.name(), 31)))
                    .append("</text>");
            s.append("<text x=\"").append(Svg.n(x + 6)).append("\" y=\"").append(Svg.n(y + 24))
                    .append("\" font-size=\"9\" fill=\"#495057\">")
                    .append(Svg.esc(Svg.fit(n.type() + "  " + shape, 38))).append("</text>");
            s.append("</g>\n");
        }
        s.append("</g>\n</svg>\n");
        return s.toString();
    }

    /**
     * Assigns each node a column and each value a lane (the column its connection runs down); returns the number of
     * columns used.
     */
    static int layout(Graph g, Map<Node, Integer> col, Map<String, Integer> lane) {
        Map<String, Integer> pending = new HashMap<>();
        for (Node n : g.nodes()) {
            for (String v : new java.util.LinkedHashSet<>(n.inputs())) {
                pending.merge(v, 1, Integer::sum);
            }
        }
        TreeSet<Integer> free = new TreeSet<>();
        int used = 0;
        for (Node n : g.nodes()) {
            List<String> ins = new ArrayList<>(new java.util.LinkedHashSet<>(n.inputs()));
            int chosen = -1;
            List<Integer> released = new ArrayList<>();
            for (String v : ins) {
                int left = pending.merge(v, -1, Integer::sum);
                if (left == 0 && lane.containsKey(v)) {
                    released.add(lane.get(v));
                }
            }
            if (!released.isEmpty()) {
                chosen = released.stream().min(Integer::compare).get();
                released.remove(Integer.valueOf(chosen));
            }
            free.addAll(released);
            if (chosen < 0) {
                chosen = free.isEmpty() ? used : free.first();
                free.remove(chosen);
            }
            used = Math.max(used, chosen + 1);
            col.put(n, chosen);
            boolean first = true;
            for (String o : n.outputs()) {
                int l;
                if (first) {
                    l = chosen;
                    first = false;
                } else {
                    l = free.isEmpty() ? used : free.first();
                    free.remove(l);
                    used = Math.max(used, l + 1);
                }
                lane.put(o, l);
                if (pending.getOrDefault(o, 0) == 0) {
                    free.add(l);
                }
            }
            if (n.outputs().isEmpty()) {
                free.add(chosen);
            }
        }
        return used;
    }

    private static double cx(int column) {
        return LEFT + column * COL_W + COL_W / 2.0;
    }

    private static final Map<String, String> COLOURS = new LinkedHashMap<>();

    static {
        COLOURS.put("Convolution", "#d0ebff");
        COLOURS.put("BatchNorm / Scale", "#e9ecef");
        COLOURS.put("Activation", "#d3f9d8");
        COLOURS.put("Pooling", "#ffe8cc");
        COLOURS.put("Axpy / SE scale", "#e5dbff");
        COLOURS.put("InnerProduct / Softmax", "#ffe3e3");
        COLOURS.put("Input", "#fff3bf");
        COLOURS.put("other", "#f8f9fa");
    }

    private static String colour(Node n) {
        String t = n.type();
        return switch (t) {
            case "Convolution", "Deconvolution", "DepthwiseConvolution", "ConvolutionDepthwise" ->
                    COLOURS.get("Convolution");
            case "BatchNorm", "Bias", "MVN", "LRN", "BN" -> COLOURS.get("BatchNorm / Scale");
            case "Scale" -> n.inputs().size() == 2 ? COLOURS.get("Axpy / SE scale") : COLOURS.get("BatchNorm / Scale");
            case "ReLU", "PReLU", "Sigmoid", "TanH", "Power", "ELU", "AbsVal", "Exp", "Log", "BNLL", "Threshold", "Clip",
                 "Swish", "ReLU6", "HardSwish", "HardSigmoid", "Mish" -> COLOURS.get("Activation");
            case "Pooling", "SPP" -> COLOURS.get("Pooling");
            case "Axpy", "Eltwise" -> COLOURS.get("Axpy / SE scale");
            case "InnerProduct", "Softmax" -> COLOURS.get("InnerProduct / Softmax");
            case "Input" -> COLOURS.get("Input");
            default -> COLOURS.get("other");
        };
    }

    private static void legend(StringBuilder s) {
        int x = LEFT;
        int y = 62;
        for (Map.Entry<String, String> e : COLOURS.entrySet()) {
            s.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"14\" height=\"12\" "
                    + "rx=\"2\" fill=\"").append(e.getValue()).append("\" stroke=\"#495057\" stroke-width=\"0.6\"/>");
            s.append("<text x=\"").append(x + 18).append("\" y=\"").append(y + 10).append("\" font-size=\"10\">")
                    .append(Svg.esc(e.getKey())).append("</text>\n");
            x += 24 + e.getKey().length() * 6;
        }
        s.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"14\" height=\"12\" rx=\"2\" "
                + "fill=\"#fff0f6\" stroke=\"#d6336c\" stroke-dasharray=\"3,2\"/>");
        s.append("<text x=\"").append(x + 18).append("\" y=\"").append(y + 10).append("\" font-size=\"10\">"
                + "SE block (squeeze, excitation; scaling outlined)</text>\n");
    }
}
