package org.senet4j.verify.caffe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.proto.BlobProto;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.caffe.proto.V0LayerParameter;
import org.senet4j.caffe.proto.V1LayerParameter;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.verify.BlobResult;
import org.senet4j.verify.InputDistribution;
import org.senet4j.verify.ManifestEntry;
import org.senet4j.verify.SeededWeights;
import org.senet4j.verify.Verifier;
import org.senet4j.verify.VerifyReport;

/**
 * A pre-2014 (V0) net, {@code testdata/v0_net.prototxt}, which real Caffe 1.0 upgrades itself when it loads it:
 * senet4j's upgrade gives the same layers, blob shapes and (with the oracle's seeded weights) the same blobs, and a
 * V0 caffemodel is read alike by both.
 */
class V0NetOracleTest {
    static final long SEED = 7;
    static final int BATCH = 2;
    static final double TOLERANCE = 1e-4;

    @TempDir
    static Path dir;

    static Path proto;
    static CaffeOracle.ReferenceSet ref;

    @BeforeAll
    static void makeReference() throws Exception {
        proto = TestData.testdata().resolve("v0_net.prototxt");
        ref = CaffeOracle.makeReference(proto, dir.resolve("ref"), null, SEED, BATCH, InputDistribution.NORMAL, SEED,
                1, CaffeOracle.Options.defaults());
    }

    @Test
    void senet4jUpgradesTheV0NetAsRealCaffeDoes() throws Exception {
        Graph placeholders = CaffeImporter.load(proto, null).graph();

        // the same layers, padding layers folded away (Caffe adds its own Split for a blob read twice)
        List<String> caffeLayers = new ArrayList<>();
        for (LayerInfo l : ref.layers()) {
            if (!l.type().equals("Split")) {
                caffeLayers.add(l.name() + "/" + l.type());
            }
        }
        assertEquals(caffeLayers, placeholders.nodes().stream().map(n -> n.name() + "/" + n.type()).toList());
        assertFalse(caffeLayers.stream().anyMatch(l -> l.startsWith("pad")), caffeLayers.toString());

        // every blob of Caffe's but its split copies, with Caffe's shape
        Graph g = SeededWeights.fill(placeholders.withBatchSize(BATCH), SEED);
        int shared = 0;
        for (Map.Entry<String, Path> e : ref.blobs().entrySet()) {
            if (e.getKey().contains("_split_")) {
                continue;
            }
            assertTrue(g.blobNames().contains(e.getKey()), "blob " + e.getKey() + " in " + g.blobNames());
            assertEquals(Shape.of(Npy.read(e.getValue()).shape()), g.shape(g.resolve(e.getKey())), e.getKey());
            shared++;
        }
        assertEquals(13, shared);
        assertEquals(Shape.of(BATCH, 8, 16, 16), g.shape(g.resolve("conv1")), "pad1 became conv1's pad");
        assertEquals(Shape.of(BATCH, 12, 5, 5), g.shape(g.resolve("pool2")), "pad4 became pool2's pad");

        // the seeded weights are the ones real Caffe held, and the reference engine computes Caffe's blobs
        assertEquals(ManifestEntry.read(ref.dir().resolve("model.manifest.tsv")), SeededWeights.manifest(g));
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            VerifyReport r = Verifier.verify(e, org.senet4j.verify.ReferenceSet.read(ref.dir()), TOLERANCE);
            assertTrue(r.pass(), r.blobs().stream().filter(b -> !b.pass()).map(BlobResult::toString).toList()
                    .toString());
            assertEquals(shared, r.blobs().size(), "compared " + r.blobs());
            System.out.printf("v0_net: %d blobs within %.0e of real Caffe, worst relative error %.2e%n",
                    r.blobs().size(), TOLERANCE, r.worstRelError());
        }
    }

    @Test
    void aV0CaffemodelReadsAlikeInRealCaffeAndSenet4j() throws Exception {
        NetParameter modern;
        try (InputStream in = Files.newInputStream(ref.model())) {
            modern = NetParameter.parseFrom(in);
        }
        Path v0Model = dir.resolve("v0.caffemodel");
        Files.write(v0Model, toV0(modern).toByteArray());

        // real Caffe upgrades the V0 weights and computes exactly the blobs it computed with its own caffemodel
        Map<String, Path> blobs = CaffeOracle.forward(proto, v0Model, ref.inputs(), dir.resolve("v0-fwd"), null, 1);
        assertEquals(ref.blobs().keySet(), blobs.keySet());
        for (Map.Entry<String, Path> e : ref.blobs().entrySet()) {
            assertArrayEquals(Npy.read(e.getValue()).data(), Npy.read(blobs.get(e.getKey())).data(), e.getKey());
        }

        // senet4j loads the same values from it
        Graph g = CaffeImporter.load(proto, v0Model).graph();
        assertEquals(ManifestEntry.read(ref.dir().resolve("model.manifest.tsv")), SeededWeights.manifest(g));
        assertTrue(g.nodes().stream().map(Node::name).noneMatch(n -> n.startsWith("pad")));
    }

    /**
     * The weights as a V0 caffemodel: each weighted layer as {@code layers { layer { name type blobs } }} with 4-D
     * legacy blob dimensions, and a padding layer among them, as pre-2014 Caffe wrote them.
     */
    static NetParameter toV0(NetParameter modern) {
        NetParameter.Builder b = NetParameter.newBuilder().setName(modern.getName());
        b.addLayers(V1LayerParameter.newBuilder().setLayer(V0LayerParameter.newBuilder().setName("pad1")
                .setType("padding").setPad(1)));
        for (LayerParameter l : modern.getLayerList()) {
            if (l.getBlobsCount() == 0) {
                continue;
            }
            String type = switch (l.getType()) {
                case "Convolution" -> "conv";
                case "InnerProduct" -> "innerproduct";
                default -> throw new AssertionError("no V0 type for " + l.getType());
            };
            V0LayerParameter.Builder v0 = V0LayerParameter.newBuilder().setName(l.getName()).setType(type);
            for (BlobProto blob : l.getBlobsList()) {
                List<Long> dims = new ArrayList<>(blob.getShape().getDimList());
                while (dims.size() < 4) {
                    dims.add(0, 1L);
                }
                v0.addBlobs(BlobProto.newBuilder().setNum(dims.get(0).intValue()).setChannels(dims.get(1).intValue())
                        .setHeight(dims.get(2).intValue()).setWidth(dims.get(3).intValue())
                        .addAllData(blob.getDataList()));
            }
            b.addLayers(V1LayerParameter.newBuilder().setLayer(v0));
        }
        return b.build();
    }
}
