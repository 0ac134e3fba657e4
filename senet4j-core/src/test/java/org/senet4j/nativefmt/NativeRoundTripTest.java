package org.senet4j.nativefmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.senet4j.nativefmt.NativeFixtures.assertSameGraph;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.senet4j.ModelException;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.Op;
import org.senet4j.passes.Passes;

/** write(g) then read gives g exactly, and writing what was read gives the same bytes. */
class NativeRoundTripTest {
    @TempDir
    Path dir;

    /** Writes, reads back, compares, writes the result again and compares the bytes. */
    private Graph roundTrip(Graph g, String name) throws Exception {
        Path f1 = dir.resolve(name + ".senet4j");
        Path f2 = dir.resolve(name + "-again.senet4j");
        NativeWriter.write(g, f1);
        Graph back = NativeReader.read(f1);
        assertSameGraph(g, back);
        NativeWriter.write(back, f2);
        assertEquals(-1L, Files.mismatch(f1, f2), "write(read(write(g))) differs from write(g)");
        Graph again = NativeReader.read(f2);
        assertSameGraph(g, again);
        return back;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ops_zoo", "se_resnet_mini", "se_resnext_mini", "se_inception_mini"})
    void testdataModelsRoundTrip(String model) throws Exception {
        Graph g = NativeFixtures.withRandomWeights(
                CaffeImporter.load(TestData.testdata().resolve(model + ".prototxt"), null).graph(), 42);
        roundTrip(g, model);
        Graph folded = Passes.optimize(g, List.of());
        Graph back = roundTrip(folded, model + "-optimized");
        assertTrue(back.nodes().size() <= g.nodes().size());
    }

    @Test
    void foldedGraphsKeepFusedActivations() throws Exception {
        Graph g = NativeFixtures.withRandomWeights(
                CaffeImporter.load(TestData.testdata().resolve("se_resnet_mini.prototxt"), null).graph(), 1);
        Graph folded = Passes.optimize(g, List.of());
        long fused = folded.nodes().stream().filter(n -> n.op() instanceof Convolution c
                && c.activation().kind() == Activation.Kind.RELU).count();
        assertTrue(fused > 0, "the mini SE-ResNet should have fused ReLUs");
        Graph back = roundTrip(folded, "fused");
        assertEquals(fused, back.nodes().stream().filter(n -> n.op() instanceof Convolution c
                && c.activation().kind() == Activation.Kind.RELU).count());
    }

    @Test
    void everyOpAndVariantRoundTripsBitForBit() throws Exception {
        Graph g = NativeFixtures.allOps();
        Set<String> ops = new TreeSet<>();
        for (Node n : g.nodes()) {
            ops.add(n.op().opName());
        }
        assertEquals(Op.class.getPermittedSubclasses().length, ops.size(), "the fixture should use every op: " + ops);
        roundTrip(g, "all-ops");
    }

    /** A file written before LSTM's implied_cont attribute existed reads as BVLC's LSTM (with its cont bottom). */
    @Test
    void lstmWithoutImpliedContAttributeIsBvlcsLstm() throws Exception {
        org.senet4j.ir.op.LSTM implied = new org.senet4j.ir.op.LSTM(1, false,
                org.senet4j.ir.Tensor.of(org.senet4j.ir.Shape.of(4, 2), new float[8]),
                org.senet4j.ir.Tensor.of(org.senet4j.ir.Shape.of(4), new float[4]), null,
                org.senet4j.ir.Tensor.of(org.senet4j.ir.Shape.of(4, 1), new float[4]), true);
        OpCodecs.Codec<?> codec = OpCodecs.of(implied);
        java.util.Map<String, Object> attrs = new java.util.HashMap<>(codec.encode(implied));
        assertEquals(Boolean.TRUE, attrs.get("implied_cont"));
        assertEquals(implied, codec.decoder().decode(new OpReader(attrs, implied.weights(), 1)));
        attrs.remove("implied_cont");
        org.senet4j.ir.op.LSTM old = (org.senet4j.ir.op.LSTM) codec.decoder().decode(new OpReader(attrs,
                implied.weights(), 1));
        assertTrue(!old.impliedCont());
    }

    @Test
    void codecTableCoversEverySealedOp() {
        List<String> permitted = new ArrayList<>();
        for (Class<?> c : Op.class.getPermittedSubclasses()) {
            permitted.add(c.getSimpleName());
            assertTrue(OpCodecs.types().contains(c), "no codec for " + c.getName());
        }
        assertEquals(new TreeSet<>(permitted), new TreeSet<>(OpCodecs.names()));
    }

    @Test
    void floatAttributesSurviveBitForBit() throws Exception {
        for (float f : NativeFixtures.SPECIAL_FLOATS) {
            Object json = AttrWriter.real(f);
            Object back = org.senet4j.io.Json.parse(org.senet4j.io.Json.write(json));
            assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits(OpReader.real(back, "x")),
                    "float " + f + " written as " + json);
        }
        assertEquals(0.1f, AttrWriter.real(0.1f));
        assertEquals("-0x0.0p0", AttrWriter.real(-0.0f));
    }

    @Test
    void smallMappingWindowsGiveTheSameGraph() throws Exception {
        Graph g = NativeFixtures.allOps();
        Path f = dir.resolve("windows.senet4j");
        NativeWriter.write(g, f);
        for (int window : new int[] {1, 64, 4096, 1 << 20}) {
            assertSameGraph(g, NativeReader.open(f, window).graph());
        }
    }

    @Test
    void openReturnsTheHeader() throws Exception {
        Graph g = NativeFixtures.allOps();
        Path f = dir.resolve("header.senet4j");
        NativeWriter.write(g, f);
        NativeModel m = NativeReader.open(f);
        assertEquals("1", m.formatVersion());
        assertEquals(Files.size(f), m.header().fileSize());
        assertEquals(0, m.header().dataStart() % 8);
        assertEquals("senet4j", m.header().metadata().get("format"));
        assertEquals(g.metadata(), m.graph().metadata());
        long weights = g.nodes().stream().mapToLong(n -> n.op().weights().size()).sum();
        assertEquals(weights, m.header().tensors().size());
        assertEquals(Shape.of(8, 4, 3, 3), m.header().tensor("conv1/weight").shape());
        assertEquals("F32", m.header().tensor("conv1/weight").dtype());
    }

    @Test
    void progressIsMonotoneAndEndsAtTheFileSize() throws Exception {
        Graph g = NativeFixtures.withRandomWeights(
                CaffeImporter.load(TestData.testdata().resolve("se_resnext_mini.prototxt"), null).graph(), 3);
        Path f = dir.resolve("progress.senet4j");
        List<long[]> calls = new ArrayList<>();
        NativeWriter.write(g, f, (written, total) -> calls.add(new long[] {written, total}));
        assertTrue(calls.size() >= 2);
        long last = -1;
        for (long[] c : calls) {
            assertTrue(c[0] >= last && c[0] <= c[1]);
            assertEquals(Files.size(f), c[1]);
            last = c[0];
        }
        assertEquals(Files.size(f), last);
    }

    @Test
    void reservedMetadataKeysAreRefused() throws Exception {
        Graph g = NativeFixtures.allOps().withMetadata(Map.of("graph", "mine"));
        ModelException e = assertThrows(ModelException.class, () -> NativeWriter.write(g,
                dir.resolve("r.senet4j")));
        assertTrue(e.getMessage().contains("metadata.graph"), e.getMessage());
        assertEquals(0, Files.list(dir).count());
    }

    /** The seven official SENet prototxts (../shared), with random weights, as imported and after the passes. */
    @ParameterizedTest
    @ValueSource(strings = {"SE-ResNet-50", "SE-ResNet-101", "SE-ResNet-152", "SE-ResNeXt-50", "SE-ResNeXt-101",
        "SE-BN-Inception", "SENet-154"})
    void officialSenetsRoundTrip(String name) throws Exception {
        Path proto = TestData.requireShared("senet-models/" + name + ".prototxt");
        Graph g = NativeFixtures.withRandomWeights(CaffeImporter.load(proto, null).graph(), name.hashCode());
        roundTrip(g, name);
        Graph folded = Passes.optimize(g, List.of());
        roundTrip(folded, name + "-optimized");
        for (Path p : Files.list(dir).toList()) {
            Files.delete(p);
        }
    }
}
