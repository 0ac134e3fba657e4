package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.MaxUnpool;
import org.senet4j.ir.op.Op;

/**
 * Copies of a segmentation net that an oracle lacking its fork layers can run, blob for blob:
 * <ul>
 *   <li>every {@code BN} becomes the Caffe Scale (with bias) senet4j lowers it to, holding the same values;</li>
 *   <li>every SegNet unpooling by 2 ({@code Upsample} with two bottoms, output twice the input) becomes BVLC layers
 *       computing the same thing: values and mask enlarged by a ones-kernel 2x2 stride-2 Deconvolution per channel
 *       (nearest), the mask minus a Parameter holding each output position's index {@code r Wo + c} (Bias on axis
 *       2), AbsVal, Threshold 0.5 and Power {@code 1 - t}: 1 exactly where the position is its window's recorded
 *       maximum; the product with the enlarged values is the unpooling (each position lies in one 2x2 window),
 *       written to the Upsample's top.</li>
 *   <li>ENet's Python spatial dropout becomes the Power layer its test-time forward is (multiply by
 *       {@code 1 / (1 - p)}, computed here from the {@code param_str} on its own).</li>
 * </ul>
 */
final class SegOracleNets {
    private SegOracleNets() {
    }

    /** {@code text} with each top-level layer block that {@code change} maps to non-null replaced by it. */
    static String replaceLayers(String text, Function<String, String> change) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        Matcher m = Pattern.compile("(?m)^layers?\\s*\\{").matcher(text);
        while (m.find(at)) {
            int start = m.start();
            int depth = 0;
            int end = text.length();
            for (int i = m.end() - 1; i < text.length(); i++) {
                char ch = text.charAt(i);
                if (ch == '{') {
                    depth++;
                } else if (ch == '}' && --depth == 0) {
                    end = i + 1;
                    break;
                }
            }
            String block = text.substring(start, end);
            String replaced = change.apply(block);
            out.append(text, at, start).append(replaced == null ? block : replaced);
            at = end;
        }
        return out.append(text.substring(at)).toString();
    }

    /** The {@code index}-th value of the layer's own (not a nested message's) string field {@code name}. */
    static String field(String block, String name, int index) {
        Matcher m = Pattern.compile("\\b" + name + "\\s*:\\s*\"([^\"]*)\"").matcher(block);
        int found = 0;
        while (m.find()) {
            int depth = 0;
            for (int i = 0; i < m.start(); i++) {
                depth += block.charAt(i) == '{' ? 1 : block.charAt(i) == '}' ? -1 : 0;
            }
            if (depth == 1 && found++ == index) {
                return m.group(1);
            }
        }
        throw new AssertionError(name + " " + index + " not in " + block);
    }

    private static boolean isType(String block, String type) {
        return Pattern.compile("\\btype\\s*:\\s*\"" + type + "\"").matcher(block).find()
                && type.equals(field(block, "type", 0));
    }

    /** Every BN as a Scale with bias. */
    static String bnAsScale(String text) {
        return replaceLayers(text, b -> !isType(b, "BN") ? null : "layer {\n  name: \"" + field(b, "name", 0)
                + "\"\n  type: \"Scale\"\n  bottom: \"" + field(b, "bottom", 0) + "\"\n  top: \"" + field(b, "top", 0)
                + "\"\n  scale_param { bias_term: true }\n}");
    }

    /** Every Python spatial dropout (ENet) as a Power layer with scale {@code 1 / (1 - p)}. */
    static String spatialDropoutAsPower(String text) {
        return replaceLayers(text, b -> {
            if (!isType(b, "Python") || !b.contains("module: \"spatial_dropout\"")) {
                return null;
            }
            Matcher p = Pattern.compile("\\\\?'p\\\\?'\\s*:\\s*\\\\?'([^'\\\\]+)").matcher(b);
            assertTrue(p.find(), b);
            float scale = (float) (1 / (1 - Double.parseDouble(p.group(1))));
            return "layer {\n  name: \"" + field(b, "name", 0) + "\"\n  type: \"Power\"\n  bottom: \""
                    + field(b, "bottom", 0) + "\"\n  top: \"" + field(b, "top", 0) + "\"\n  power_param { scale: "
                    + scale + " }\n}";
        });
    }

    /** Every two-bottom Upsample of {@code g} (which must enlarge by exactly 2) as the BVLC layers above. */
    static String unpoolAsBvlc(String text, Graph g) {
        return replaceLayers(text, b -> {
            if (!isType(b, "Upsample")) {
                return null;
            }
            String name = field(b, "name", 0);
            Node n = g.node(name);
            if (!(n.op() instanceof MaxUnpool)) {
                return null;
            }
            Shape in = g.shape(n.inputs().get(0));
            Shape out = g.shape(n.outputs().get(0));
            assertTrue(out.dim(2) == 2 * in.dim(2) && out.dim(3) == 2 * in.dim(3), name + ": not an unpooling by 2");
            String v = field(b, "bottom", 0);
            String mask = field(b, "bottom", 1);
            String top = field(b, "top", 0);
            int c = in.dim(1);
            String deconv = " type: \"Deconvolution\" convolution_param { num_output: " + c + " group: " + c
                    + " kernel_size: 2 stride: 2 bias_term: false weight_filler { type: \"constant\" value: 1 } } }\n";
            return "layer { name: \"" + name + "_upv\" bottom: \"" + v + "\" top: \"" + name + "_upv\"" + deconv
                    + "layer { name: \"" + name + "_upm\" bottom: \"" + mask + "\" top: \"" + name + "_upm\"" + deconv
                    + "layer { name: \"" + name + "_negpos\" type: \"Parameter\" top: \"" + name + "_negpos\" "
                    + "parameter_param { shape { dim: " + out.dim(2) + " dim: " + out.dim(3) + " } } }\n"
                    + "layer { name: \"" + name + "_diff\" type: \"Bias\" bottom: \"" + name + "_upm\" bottom: \""
                    + name + "_negpos\" top: \"" + name + "_diff\" bias_param { axis: 2 } }\n"
                    + "layer { name: \"" + name + "_abs\" type: \"AbsVal\" bottom: \"" + name + "_diff\" top: \""
                    + name + "_abs\" }\n"
                    + "layer { name: \"" + name + "_other\" type: \"Threshold\" bottom: \"" + name + "_abs\" top: \""
                    + name + "_other\" threshold_param { threshold: 0.5 } }\n"
                    + "layer { name: \"" + name + "_hit\" type: \"Power\" bottom: \"" + name + "_other\" top: \""
                    + name + "_hit\" power_param { scale: -1 shift: 1 } }\n"
                    + "layer { name: \"" + name + "\" type: \"Eltwise\" bottom: \"" + name + "_upv\" bottom: \""
                    + name + "_hit\" top: \"" + top + "\" eltwise_param { operation: PROD } }";
        });
    }

    /**
     * The oracle copy's weights: each layer the seeded net also has keeps that net's values; the unpooling helpers
     * get their ones-kernels and position indices.
     */
    static Graph weights(Graph oracle, Graph seeded) throws ModelException {
        Graph.Builder b = Graph.builder(oracle.name()).metadata(oracle.metadata());
        for (Node n : oracle.nodes()) {
            Op op = n.op();
            Map<String, Tensor> w = op.weights();
            if (!w.isEmpty()) {
                Map<String, Tensor> filled = new LinkedHashMap<>();
                Node same = seeded.nodes().stream().filter(s -> s.name().equals(n.name())).findFirst().orElse(null);
                for (Map.Entry<String, Tensor> e : w.entrySet()) {
                    Shape s = e.getValue().shape();
                    float[] values = new float[Math.toIntExact(s.count())];
                    if (same != null) {
                        values = same.op().weights().get(e.getKey()).toArray();
                    } else if (n.name().endsWith("_upv") || n.name().endsWith("_upm")) {
                        java.util.Arrays.fill(values, 1f);
                    } else if (n.name().endsWith("_negpos")) {
                        for (int i = 0; i < values.length; i++) {
                            values[i] = -i;
                        }
                    } else {
                        throw new IllegalStateException("no weights for " + n.name());
                    }
                    filled.put(e.getKey(), Tensor.of(s, values));
                }
                op = op.withWeights(filled);
            }
            b.add(n.withOp(op), oracle.blobsOf(n));
        }
        return b.outputs(oracle.outputs()).build();
    }
}
