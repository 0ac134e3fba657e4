package org.senet4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtSession;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.senet4j.ModelException;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.ir.Graph;
import org.senet4j.onnx.proto.ModelProto;
import org.senet4j.onnx.proto.NodeProto;
import org.senet4j.onnx.proto.StringStringEntryProto;
import org.senet4j.onnx.proto.TensorProto;
import org.senet4j.onnx.proto.TensorShapeProto;
import org.senet4j.onnx.proto.ValueInfoProto;
import org.senet4j.passes.Passes;

/** Options, model fields, names, batch dimensions and the atomic file write. */
class OnnxExporterTest {
    @TempDir
    Path dir;

    private Graph mini() throws Exception {
        return OrtSupport.randomWeights(CaffeImporter.load(TestData.testdata().resolve("se_resnet_mini.prototxt"),
                null).graph(), 5, 1f);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 7, 12, 22, 100})
    void opsetsOutsideTheRangeAreRejected(int opset) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExportOptions.DEFAULT.withOpset(opset));
        assertTrue(e.getMessage().contains("opset " + opset) && e.getMessage().contains("13 to 21"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {13, 14, 15, 16, 17, 18, 19, 20, 21})
    void everyOpsetRunsInOnnxRuntime(int opset) throws Exception {
        Graph g = mini();
        ExportOptions o = ExportOptions.DEFAULT.withOpset(opset);
        ModelProto m = ModelProto.parseFrom(OnnxExporter.export(g, o));
        assertEquals(opset, m.getOpsetImport(0).getVersion());
        assertEquals("", m.getOpsetImport(0).getDomain());
        assertEquals(o.irVersion(), m.getIrVersion());
        assertEquals(opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10, m.getIrVersion());
        Parity.check(g, 40 + opset, 1, 2);
        // a Slice of the batch axis into equal parts: Split without sizes (num_outputs from opset 18)
        Graph s = OrtSupport.load(dir, """
                name: "batch_split"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 } } }
                layer { name: "halves" type: "Slice" bottom: "data" top: "a" top: "b" slice_param { axis: 0 } }
                layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "sum" }
                """, 1, 1f);
        byte[] model = OnnxExporter.export(s, o);
        try (OrtSession session = OrtSupport.session(model, 1)) {
            for (int n : new int[] {2, 4}) {
                Graph sb = s.withBatchSize(n);
                float[] x = OrtSupport.uniform(3L * n, n);
                float[] y = OrtSupport.run(session, Map.of("data", x), Map.of("data", sb.shape("data")), null)
                        .values().get("sum");
                OrtSupport.assertClose(y, CaffeReference.run(sb, Map.of("data", x)).get("sum"), 1e-6, "batch " + n);
            }
        }
    }

    @Test
    void modelFieldsAndMetadata() throws Exception {
        Graph g = mini();
        ExportOptions o = ExportOptions.DEFAULT.withDocString("SE-ResNet mini for tests")
                .withMetadata(Map.of("preprocessing", "BGR, mean 104 117 123", "converter.version", "x"))
                .withMetadata(Map.of("converter.version", "0.1"));
        ModelProto m = ModelProto.parseFrom(OnnxExporter.export(g, o));
        assertEquals("senet4j", m.getProducerName());
        assertFalse(m.getProducerVersion().isEmpty());
        assertEquals("SE-ResNet mini for tests", m.getDocString());
        Map<String, String> meta = m.getMetadataPropsList().stream().collect(Collectors.toMap(
                StringStringEntryProto::getKey, StringStringEntryProto::getValue));
        assertEquals("se_resnet_mini.prototxt", meta.get("source.prototxt"));
        assertEquals("BGR, mean 104 117 123", meta.get("preprocessing"));
        assertEquals("0.1", meta.get("converter.version"));
        assertEquals(g.name(), m.getGraph().getName());
    }

    @Test
    void namesFollowCaffe() throws Exception {
        Graph g = mini();
        // every value exposed: no BatchNorm joins its Scale, so every layer and value appears
        ModelProto m = ModelProto.parseFrom(OnnxExporter.export(g, ExportOptions.DEFAULT.withFold(false)
                .withExposeAll(true)));
        Set<String> nodes = m.getGraph().getNodeList().stream().map(NodeProto::getName).collect(Collectors.toSet());
        Set<String> tensors = m.getGraph().getNodeList().stream().flatMap(n -> n.getOutputList().stream())
                .collect(Collectors.toSet());
        Set<String> inits = m.getGraph().getInitializerList().stream().map(TensorProto::getName)
                .collect(Collectors.toSet());
        for (var n : g.nodes()) {
            if (!n.type().equals("Input")) {
                assertTrue(nodes.contains(n.name()), "node " + n.name());
            }
            for (String v : n.outputs()) {
                assertTrue(tensors.contains(v) || g.inputs().contains(v), "value " + v);
            }
            for (String w : n.op().weights().keySet()) {
                if (!n.type().equals("BatchNorm")) { // the statistics are stored divided by the scale factor
                    assertTrue(inits.contains(n.name() + "/" + w), "initializer " + n.name() + "/" + w);
                }
            }
        }
        assertTrue(inits.contains("conv1/weight"), inits.toString());
        NodeProto conv1 = m.getGraph().getNodeList().stream().filter(n -> n.getName().equals("conv1")).findFirst()
                .orElseThrow();
        assertEquals("Conv", conv1.getOpType());
        assertEquals("Caffe layer conv1 (Convolution)", conv1.getDocString());
        assertTrue(tensors.stream().anyMatch(t -> t.contains("@")), "in-place versions keep their names");
    }

    @Test
    void batchDimensionIsSymbolic() throws Exception {
        Graph g = mini();
        ModelProto m = ModelProto.parseFrom(OnnxExporter.export(g, ExportOptions.DEFAULT.withExposeAll(true)));
        ValueInfoProto in = m.getGraph().getInput(0);
        assertEquals("data", in.getName());
        List<TensorShapeProto.Dimension> d = in.getType().getTensorType().getShape().getDimList();
        assertEquals("N", d.get(0).getDimParam());
        assertEquals(g.shape("data").dim(1), d.get(1).getDimValue());
        for (ValueInfoProto out : m.getGraph().getOutputList()) {
            assertEquals("N", out.getType().getTensorType().getShape().getDim(0).getDimParam(), out.getName());
        }
        assertEquals(Passes.optimize(g, List.of()).values().size() - 1, m.getGraph().getOutputCount());
    }

    @Test
    void aGraphThatCannotChangeItsBatchKeepsItFixed() throws Exception {
        Graph g = OrtSupport.load(dir, """
                name: "fixed"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 3 } } }
                layer { name: "r" type: "Reshape" bottom: "data" top: "r" reshape_param { shape { dim: 1 dim: -1 } } }
                layer { name: "ip" type: "InnerProduct" bottom: "r" top: "ip" inner_product_param { num_output: 2 } }
                """, 1, 1f);
        ModelProto m = ModelProto.parseFrom(OnnxExporter.export(g, ExportOptions.DEFAULT));
        assertEquals(1, m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimValue());
        assertEquals(1, m.getGraph().getOutput(0).getType().getTensorType().getShape().getDim(0).getDimValue());
        Parity.check(g, 3, 1);
    }

    @Test
    void extraOutputsByBlobName() throws Exception {
        Graph g = mini();
        ModelProto m = ModelProto.parseFrom(OnnxExporter.export(g, ExportOptions.DEFAULT
                .withExtraOutputs(List.of("pool1", "conv1"))));
        List<String> outs = m.getGraph().getOutputList().stream().map(ValueInfoProto::getName).toList();
        assertEquals(List.of(g.outputs().get(0), "pool1", "conv1"), outs);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExporter.export(g,
                ExportOptions.DEFAULT.withExtraOutputs(List.of("no_such_blob"))));
        assertTrue(e.getMessage().contains("no_such_blob"), e.getMessage());
    }

    @Test
    void weightsAreRequired() throws Exception {
        Graph g = CaffeImporter.load(TestData.testdata().resolve("se_resnet_mini.prototxt"), null).graph();
        ModelException e = assertThrows(ModelException.class, () -> OnnxExporter.export(g, ExportOptions.DEFAULT));
        assertEquals("conv1", e.layer());
        assertTrue(e.getMessage().contains("without a caffemodel"), e.getMessage());
    }

    @Test
    void writeProducesTheModelAndNoTemporaryFile() throws Exception {
        Graph g = mini();
        Path target = dir.resolve("model.onnx");
        Files.writeString(target, "old");
        OnnxExporter.write(g, ExportOptions.DEFAULT, target);
        assertArrayEquals(OnnxExporter.export(g, ExportOptions.DEFAULT), Files.readAllBytes(target));
        assertEquals(List.of(target), list(dir));
        String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(target));
        assertTrue(perms.startsWith("rw-"), perms);
    }

    @Test
    void failureMidwayLeavesNothingAndKeepsTheOldFile() throws Exception {
        ModelProto model = OnnxExporter.toModel(mini(), ExportOptions.DEFAULT);
        Path target = dir.resolve("model.onnx");
        Files.writeString(target, "old");
        IOException e = assertThrows(IOException.class, () -> OnnxExporter.write(model, target,
                out -> new FailingStream(out, 1000)));
        assertEquals("disk full (test)", e.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(target), list(dir));
        RuntimeException r = assertThrows(RuntimeException.class, () -> OnnxExporter.write(model,
                dir.resolve("other.onnx"), out -> {
                    throw new IllegalStateException("boom");
                }));
        assertEquals("boom", r.getMessage());
        assertEquals(List.of(target), list(dir));
    }

    @Test
    void unwritableTargetsLeaveNothing() throws Exception {
        Graph g = mini();
        assertThrows(IOException.class, () -> OnnxExporter.write(g, ExportOptions.DEFAULT,
                dir.resolve("missing/model.onnx")));
        Path occupied = Files.createDirectories(dir.resolve("occupied.onnx"));
        Files.writeString(occupied.resolve("keep"), "x");
        assertThrows(IOException.class, () -> OnnxExporter.write(g, ExportOptions.DEFAULT, occupied));
        assertEquals(List.of(occupied), list(dir));
        ModelException e = assertThrows(ModelException.class, () -> OnnxExporter.write(
                CaffeImporter.load(TestData.testdata().resolve("se_resnet_mini.prototxt"), null).graph(),
                ExportOptions.DEFAULT, dir.resolve("noweights.onnx")));
        assertEquals("conv1", e.layer());
        assertEquals(List.of(occupied), list(dir));
    }

    @Test
    void readOnlyFolderLeavesNothing() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root ignores folder permissions");
        Path ro = Files.createDirectories(dir.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assertThrows(IOException.class, () -> OnnxExporter.write(mini(), ExportOptions.DEFAULT,
                    ro.resolve("model.onnx")));
            assertEquals(List.of(), list(ro));
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void foldedAndUnfoldedModelsAgreeOnTheBundledNets() throws Exception {
        Graph g = mini();
        byte[] folded = OnnxExporter.export(g, ExportOptions.DEFAULT);
        byte[] unfolded = OnnxExporter.export(g, ExportOptions.DEFAULT.withFold(false));
        assertTrue(countOps(folded, "BatchNormalization") == 0 && countOps(unfolded, "BatchNormalization") > 0);
        Map<String, float[]> in = new LinkedHashMap<>();
        in.put("data", OrtSupport.uniform(g.shape("data").count(), 9));
        Map<String, org.senet4j.ir.Shape> shapes = Map.of("data", g.shape("data"));
        try (OrtSession a = OrtSupport.session(folded, 2); OrtSession b = OrtSupport.session(unfolded, 2)) {
            String out = g.outputs().get(0);
            OrtSupport.assertClose(OrtSupport.run(a, in, shapes, null).values().get(out),
                    OrtSupport.run(b, in, shapes, null).values().get(out), 1e-5, out);
        }
    }

    private static long countOps(byte[] model, String op) throws IOException {
        return ModelProto.parseFrom(model).getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(op))
                .count();
    }

    private static List<Path> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    /** Fails with an IOException after {@code limit} bytes. */
    private static final class FailingStream extends FilterOutputStream {
        private long left;

        FailingStream(OutputStream out, long limit) {
            super(out);
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > left) {
                out.write(b, off, (int) left);
                left = 0;
                throw new IOException("disk full (test)");
            }
            left -= len;
            out.write(b, off, len);
        }
    }
}
