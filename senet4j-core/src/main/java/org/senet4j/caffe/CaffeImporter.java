package org.senet4j.caffe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.senet4j.ModelException;
import org.senet4j.caffe.CaffemodelFile.StoredBlob;
import org.senet4j.caffe.CaffemodelFile.StoredLayer;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.caffe.proto.Phase;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.Op;

/**
 * Loads a Caffe model into a {@link Graph}: reads the prototxt, upgrades legacy forms, keeps the TEST-phase layers,
 * converts each layer through {@link LayerConverters}, and takes weights from the caffemodel by layer name (extra
 * layers of a training net are ignored; a layer that needs weights and finds none, a wrong blob count or a wrong shape
 * is an error).
 *
 * <p>A layer that works in place writes a new version of its blob; see {@link org.senet4j.ir.Value} for how versions
 * are named. When some layer types are not supported, loading goes on far enough to list all of them in one error.
 */
public final class CaffeImporter {

    /**
     * Loading options.
     *
     * @param allowUnknownFields skip prototxt fields caffe.proto lacks, with a warning
     * @param inputShapes        shapes that replace those the prototxt gives its inputs (or gives none for), by
     *                           input blob name
     */
    public record Options(boolean allowUnknownFields, Map<String, Shape> inputShapes) {
        public static final Options DEFAULT = new Options(false, Map.of());

        public Options {
            inputShapes = Map.copyOf(inputShapes);
        }

        public Options(boolean allowUnknownFields) {
            this(allowUnknownFields, Map.of());
        }
    }

    private CaffeImporter() {
    }

    public static CaffeModel load(Path prototxt, Path caffemodel) throws IOException, ModelException {
        return load(prototxt, caffemodel, Options.DEFAULT);
    }

    /**
     * @param caffemodel the weights, or null to load the structure only (weights become shape-only placeholders)
     */
    public static CaffeModel load(Path prototxt, Path caffemodel, Options options) throws IOException, ModelException {
        long t0 = System.nanoTime();
        List<String> warnings = new ArrayList<>();
        NetParameter net = NetUpgrader.upgrade(PrototxtReader.read(prototxt, options.allowUnknownFields(),
                warnings::add), prototxt);
        List<LayerParameter> layers = NetUpgrader.filter(net, Phase.TEST, prototxt);
        if (caffemodel == null) {
            Result r = new Importer(prototxt, null, layers, options.inputShapes()).run(net.getName());
            return new CaffeModel(r.graph, new LoadReport(prototxt, null, warnings, List.of(), List.of(), 0,
                    System.nanoTime() - t0));
        }
        try (CaffemodelFile weights = CaffemodelFile.open(caffemodel)) {
            Result r = new Importer(prototxt, weights, layers, options.inputShapes()).run(net.getName());
            return new CaffeModel(r.graph, new LoadReport(prototxt, caffemodel, warnings, r.loaded, r.ignored,
                    r.weightBytes, System.nanoTime() - t0));
        }
    }

    private record Result(Graph graph, List<LoadReport.LayerBlobs> loaded, List<LoadReport.LayerBlobs> ignored,
                          long weightBytes) {
    }

    /** One import run: the state of walking the layers in order. */
    private static final class Importer {
        private final Path prototxt;
        private final CaffemodelFile weights;
        private final List<LayerParameter> layers;
        private final Map<String, Shape> inputShapes;
        private final Map<String, StoredLayer> stored = new LinkedHashMap<>();
        private final Set<String> usedStored = new HashSet<>();
        private final Map<String, Integer> lastWriter = new HashMap<>();
        private final Map<String, String> current = new HashMap<>();
        private final Set<String> poisoned = new HashSet<>();
        private final Map<String, List<String>> unsupported = new LinkedHashMap<>();
        private final List<LoadReport.LayerBlobs> loaded = new ArrayList<>();
        private long weightBytes;

        Importer(Path prototxt, CaffemodelFile weights, List<LayerParameter> layers, Map<String, Shape> inputShapes) {
            this.prototxt = prototxt;
            this.inputShapes = inputShapes;
            this.weights = weights;
            this.layers = layers;
            if (weights != null) {
                for (StoredLayer l : weights.layers()) {
                    stored.put(l.name(), l);
                }
            }
            for (int i = 0; i < layers.size(); i++) {
                for (String top : layers.get(i).getTopList()) {
                    lastWriter.put(top, i);
                }
            }
        }

        Result run(String netName) throws ModelException {
            checkInputShapeNames();
            Graph.Builder g = Graph.builder(netName.isEmpty() ? fileStem(prototxt) : netName);
            g.metadata("source.prototxt", prototxt.getFileName().toString());
            if (weights != null) {
                g.metadata("source.caffemodel", weights.path().getFileName().toString());
            }
            for (int i = 0; i < layers.size(); i++) {
                convert(g, i, layers.get(i));
            }
            if (!unsupported.isEmpty()) {
                StringBuilder sb = new StringBuilder("unsupported layer type");
                sb.append(unsupported.size() == 1 ? ": " : "s: ");
                int k = 0;
                for (Map.Entry<String, List<String>> e : unsupported.entrySet()) {
                    if (k++ > 0) {
                        sb.append("; ");
                    }
                    List<String> names = e.getValue();
                    sb.append(e.getKey()).append(" (").append(names.size()).append(names.size() == 1 ? " layer: "
                            : " layers: ").append(String.join(", ", names.stream().limit(10).toList()));
                    if (names.size() > 10) {
                        sb.append(", ...");
                    }
                    sb.append(')');
                }
                sb.append(". Supported types: ").append(String.join(", ", LayerConverters.supportedTypes()));
                throw new ModelException(prototxt, null, null, null, sb.toString(), null);
            }
            List<LoadReport.LayerBlobs> ignored = new ArrayList<>();
            for (StoredLayer l : stored.values()) {
                if (!usedStored.contains(l.name()) && !l.blobs().isEmpty()) {
                    ignored.add(new LoadReport.LayerBlobs(l.name(), l.type(),
                            l.blobs().stream().map(StoredBlob::shape).toList()));
                }
            }
            try {
                return new Result(g.build(), loaded, ignored, weightBytes);
            } catch (ModelException e) {
                throw e.inFile(prototxt);
            }
        }

        private void convert(Graph.Builder g, int index, LayerParameter layer) throws ModelException {
            String name = layer.getName();
            String type = layer.getType();
            List<String> inputs = new ArrayList<>();
            boolean blocked = false;
            for (int b = 0; b < layer.getBottomCount(); b++) {
                String blob = layer.getBottom(b);
                if (poisoned.contains(blob)) {
                    blocked = true;
                    continue;
                }
                String v = current.get(blob);
                if (v == null) {
                    throw missingBottom(index, layer, b);
                }
                inputs.add(v);
            }
            List<String> outputs = new ArrayList<>();
            for (int t = 0; t < layer.getTopCount(); t++) {
                String top = layer.getTop(t);
                boolean inPlace = t < layer.getBottomCount() && layer.getBottom(t).equals(top);
                if ((current.containsKey(top) || poisoned.contains(top)) && !inPlace) {
                    throw new ModelException(prototxt, name, type, "top[" + t + "]", "blob \"" + top
                            + "\" is already produced by an earlier layer; only a layer working in place (top " + t
                            + " equal to bottom " + t + ") may write it again", null);
                }
                outputs.add(lastWriter.get(top) == index ? top : top + "@" + name);
            }
            LayerConverter converter = LayerConverters.forType(type);
            if (converter == null) {
                unsupported.computeIfAbsent(type.isEmpty() ? "(no type)" : type, k -> new ArrayList<>()).add(name);
            }
            if (converter == null || blocked) {
                poisoned.addAll(layer.getTopList());
                layer.getTopList().forEach(current::remove);
                return;
            }
            List<Shape> shapes = inputs.stream().map(g::shape).toList();
            StoredLayer s = stored.get(name);
            boolean[] took = {false};
            LayerContext ctx = new LayerContext(layer, shapes, expected -> {
                took[0] = true;
                return take(layer, s, expected);
            });
            Op op;
            try {
                op = convertWithInputShapes(converter, ctx, layer);
                if (s != null && !took[0] && !s.blobs().isEmpty()) {
                    throw ModelException.field("blobs", weights.path() + " holds " + s.blobs().size()
                            + " blobs for this layer, which takes none");
                }
                g.add(new Node(name, type, op, inputs, outputs), layer.getTopList());
            } catch (ModelException e) {
                throw e.inLayer(name, type).inFile(prototxt);
            } catch (IllegalArgumentException | ArithmeticException e) {
                // an op's own argument checks, reached by parameters that no converter check catches first
                throw new ModelException(prototxt, name, type, null, "invalid parameters: " + e.getMessage(), e);
            }
            if (s != null) {
                usedStored.add(name);
            }
            for (int t = 0; t < layer.getTopCount(); t++) {
                current.put(layer.getTop(t), outputs.get(t));
            }
        }

        /** Every shape in the options must name a top of a layer without bottoms (known before converting). */
        private void checkInputShapeNames() throws ModelException {
            Set<String> tops = new HashSet<>();
            for (LayerParameter l : layers) {
                if (l.getBottomCount() == 0) {
                    tops.addAll(l.getTopList());
                }
            }
            for (String name : inputShapes.keySet()) {
                if (!tops.contains(name)) {
                    throw new ModelException(prototxt, null, null, null, "an input shape was given for \"" + name
                            + "\", which is not an input of the net (its inputs: " + tops.stream().sorted().toList()
                            + ")", null);
                }
            }
        }

        /** Converts a layer; for input layers, the shapes given in the options replace the prototxt's. */
        private Op convertWithInputShapes(LayerConverter converter, LayerContext ctx, LayerParameter layer)
                throws ModelException {
            boolean isInput = layer.getBottomCount() == 0 && layer.getTopList().stream()
                    .anyMatch(inputShapes::containsKey);
            if (!isInput) {
                return converter.convert(ctx);
            }
            List<Shape> shapes = new ArrayList<>();
            String source = layer.getType();
            if (layer.getTopList().stream().allMatch(inputShapes::containsKey)) {
                layer.getTopList().forEach(t -> shapes.add(inputShapes.get(t)));
            } else if (converter.convert(ctx) instanceof Input in) {
                for (int i = 0; i < layer.getTopCount(); i++) {
                    shapes.add(inputShapes.getOrDefault(layer.getTop(i), in.shapes().get(i)));
                }
            } else {
                throw ModelException.field("top", "input shapes apply to input layers only");
            }
            return new Input(shapes, source);
        }

        private List<Tensor> take(LayerParameter layer, StoredLayer s, List<Shape> expected) throws ModelException {
            if (weights == null) {
                return expected.stream().map(Tensor::placeholder).toList();
            }
            if (s == null) {
                throw ModelException.field("blobs", "no weights for this layer in " + weights.path() + " (it needs "
                        + expected.size() + " blob" + (expected.size() == 1 ? "" : "s") + ": " + expected + ")");
            }
            if (s.blobs().size() != expected.size()) {
                throw ModelException.field("blobs", "expected " + expected.size() + " blobs " + expected + ", "
                        + weights.path() + " has " + s.blobs().size() + " "
                        + s.blobs().stream().map(StoredBlob::shape).toList());
            }
            List<Tensor> out = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                StoredBlob b = s.blobs().get(i);
                Shape want = expected.get(i);
                if (!b.shape().equals(want) && !(b.legacy() && legacyEquals(want, b.shape()))) {
                    throw ModelException.field("blobs[" + i + "]", "expected shape " + want + ", " + weights.path()
                            + " has " + b.shape() + (b.legacy() ? " (legacy 4-D dimensions)" : ""));
                }
                out.add(Tensor.of(want, weights.read(b)));
                weightBytes += 4 * b.count();
            }
            loaded.add(new LoadReport.LayerBlobs(layer.getName(), layer.getType(), expected));
            return out;
        }

        /** Caffe's rule for legacy blobs: the expected shape, left-padded with 1s to 4 axes, equals num/c/h/w. */
        private static boolean legacyEquals(Shape want, Shape legacy4) {
            if (want.rank() > 4) {
                return false;
            }
            for (int i = 0; i < 4; i++) {
                int j = want.rank() - 4 + i;
                int d = j < 0 ? 1 : want.dim(j);
                if (d != legacy4.dim(i)) {
                    return false;
                }
            }
            return true;
        }

        private ModelException missingBottom(int index, LayerParameter layer, int b) {
            String blob = layer.getBottom(b);
            List<Integer> later = new ArrayList<>();
            for (int j = index; j < layers.size(); j++) {
                if (layers.get(j).getTopList().contains(blob)) {
                    later.add(j);
                }
            }
            String field = "bottom[" + b + "]";
            if (later.isEmpty()) {
                return new ModelException(prototxt, layer.getName(), layer.getType(), field, "blob \"" + blob
                        + "\" is not produced by any layer (nor is it a net input)", null);
            }
            List<String> cycle = findCycle(index);
            if (cycle != null) {
                return new ModelException(prototxt, layer.getName(), layer.getType(), field, "blob \"" + blob
                        + "\" comes from a cycle: " + String.join(" -> ", cycle), null);
            }
            return new ModelException(prototxt, layer.getName(), layer.getType(), field, "blob \"" + blob
                    + "\" is produced only by the later layer \"" + layers.get(later.get(0)).getName()
                    + "\"; Caffe runs layers in the order they are listed", null);
        }

        /**
         * A cycle through layer {@code start} in data-flow order (its first layer repeated last), or null. Layer X
         * depends on layer Y when Y produces one of X's bottoms, wherever Y is listed.
         */
        private List<String> findCycle(int start) {
            Map<String, List<Integer>> producers = new HashMap<>();
            for (int j = 0; j < layers.size(); j++) {
                for (String t : layers.get(j).getTopList()) {
                    producers.computeIfAbsent(t, k -> new ArrayList<>()).add(j);
                }
            }
            Map<Integer, Integer> dependent = new HashMap<>();
            Deque<Integer> stack = new ArrayDeque<>();
            stack.push(start);
            while (!stack.isEmpty()) {
                int cur = stack.pop();
                for (String bottom : layers.get(cur).getBottomList()) {
                    for (int p : producers.getOrDefault(bottom, List.of())) {
                        if (p == cur) {
                            continue;
                        }
                        if (p == start) {
                            List<String> path = new ArrayList<>();
                            path.add(layers.get(start).getName());
                            for (int x = cur; x != start; x = dependent.get(x)) {
                                path.add(layers.get(x).getName());
                            }
                            path.add(layers.get(start).getName());
                            return path;
                        }
                        if (!dependent.containsKey(p)) {
                            dependent.put(p, cur);
                            stack.push(p);
                        }
                    }
                }
            }
            return null;
        }

        private static String fileStem(Path p) {
            String n = p.getFileName().toString();
            int dot = n.lastIndexOf('.');
            return dot > 0 ? n.substring(0, dot) : n;
        }
    }
}
