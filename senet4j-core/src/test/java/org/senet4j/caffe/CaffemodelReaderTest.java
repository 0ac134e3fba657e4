package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.BlobProto;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.caffe.proto.V1LayerParameter;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.InnerProduct;

class CaffemodelReaderTest {
    @TempDir
    Path dir;

    @Test
    void weightsMatchByNameAndExtraLayersAreIgnored() throws Exception {
        Path proto = Fixtures.write(dir, "net.prototxt", Fixtures.CONV_NET);
        Path model = Fixtures.writeBinary(dir, "net.caffemodel", Fixtures.convNetWeights());
        CaffeModel m = CaffeImporter.load(proto, model);
        Graph g = m.graph();
        Convolution conv = (Convolution) g.node("conv1").op();
        assertArrayEquals(Fixtures.values(54, 1), conv.weight().toArray());
        assertArrayEquals(Fixtures.values(3, 2), conv.bias().toArray());
        InnerProduct fc = (InnerProduct) g.node("fc").op();
        assertEquals(Shape.of(4, 75), fc.weight().shape());
        assertArrayEquals(Fixtures.values(300, 3), fc.weight().toArray());
        assertEquals(2, m.report().loaded().size());
        assertEquals(1, m.report().ignored().size());
        assertEquals("loss_extra", m.report().ignored().get(0).layer());
        assertEquals(4L * (54 + 3 + 300 + 4), m.report().weightBytes());
    }

    @Test
    void readsAcrossSegmentBoundaries() throws Exception {
        Path model = Fixtures.writeBinary(dir, "net.caffemodel", Fixtures.convNetWeights());
        for (int seg : new int[] {8, 16, 64, 1024}) {
            try (CaffemodelFile f = CaffemodelFile.open(model, seg)) {
                CaffemodelFile.StoredLayer fc = f.layers().get(2);
                assertEquals("fc", fc.name());
                assertArrayEquals(Fixtures.values(300, 3), f.read(fc.blobs().get(0)), "segment " + seg);
            }
        }
    }

    @Test
    void legacyV1LayersAndFourDimensionalBlobsAreUpgraded() throws Exception {
        Path proto = Fixtures.write(dir, "v1.prototxt", """
                name: "v1"
                input: "data"
                input_dim: 1 input_dim: 3 input_dim: 1 input_dim: 1
                layers { name: "ip" type: INNER_PRODUCT bottom: "data" top: "ip"
                         inner_product_param { num_output: 2 } blobs_lr: 1 blobs_lr: 2 }
                layers { name: "prob" type: SOFTMAX bottom: "ip" top: "prob" }
                layers { name: "acc" type: ACCURACY bottom: "prob" top: "acc" include { phase: TRAIN } }
                """);
        float[] w = {1, 2, 3, 4, 5, 6};
        NetParameter weights = NetParameter.newBuilder().addLayers(V1LayerParameter.newBuilder().setName("ip")
                .setType(V1LayerParameter.LayerType.INNER_PRODUCT)
                .addBlobs(legacy(w, 1, 1, 2, 3))
                .addBlobs(BlobProto.newBuilder().setNum(1).setChannels(1).setHeight(1).setWidth(2)
                        .addDoubleData(0.5).addDoubleData(-0.25)))
                .build();
        Path model = Fixtures.writeBinary(dir, "v1.caffemodel", weights);
        Graph g = CaffeImporter.load(proto, model).graph();
        assertEquals("Input", g.nodes().get(0).type());
        assertEquals(Shape.of(1, 3, 1, 1), g.shape("data"));
        InnerProduct ip = (InnerProduct) g.node("ip").op();
        assertEquals(Shape.of(2, 3), ip.weight().shape());
        assertArrayEquals(w, ip.weight().toArray());
        assertArrayEquals(new float[] {0.5f, -0.25f}, ip.bias().toArray());
        assertFalse(g.nodes().stream().anyMatch(n -> n.name().equals("acc")), "TRAIN-only layer kept");
    }

    private static BlobProto legacy(float[] data, int n, int c, int h, int w) {
        BlobProto.Builder b = BlobProto.newBuilder().setNum(n).setChannels(c).setHeight(h).setWidth(w);
        for (float f : data) {
            b.addData(f);
        }
        return b.build();
    }

    @Test
    void missingWeightsNameTheLayer() throws Exception {
        Path proto = Fixtures.write(dir, "net.prototxt", Fixtures.CONV_NET);
        NetParameter w = Fixtures.convNetWeights().toBuilder().removeLayer(2).build();
        Path model = Fixtures.writeBinary(dir, "net.caffemodel", w);
        ModelException e = assertThrows(ModelException.class, () -> CaffeImporter.load(proto, model));
        assertTrue(e.getMessage().contains("layer \"fc\" (InnerProduct)"), e.getMessage());
        assertTrue(e.getMessage().contains("no weights"), e.getMessage());
        assertTrue(e.getMessage().contains("net.prototxt"), e.getMessage());
    }

    @Test
    void wrongBlobShapeNamesExpectedAndActual() throws Exception {
        Path proto = Fixtures.write(dir, "net.prototxt", Fixtures.CONV_NET);
        NetParameter w = Fixtures.convNetWeights().toBuilder().setLayer(1, Fixtures.layer("conv1", "Convolution",
                Fixtures.blob(Fixtures.values(72, 1), 4, 2, 3, 3), Fixtures.blob(Fixtures.values(3, 2), 3))).build();
        Path model = Fixtures.writeBinary(dir, "net.caffemodel", w);
        ModelException e = assertThrows(ModelException.class, () -> CaffeImporter.load(proto, model));
        assertEquals("conv1", e.layer());
        assertTrue(e.getMessage().contains("expected shape 3x2x3x3"), e.getMessage());
        assertTrue(e.getMessage().contains("4x2x3x3"), e.getMessage());
    }

    @Test
    void wrongBlobCountIsAnError() throws Exception {
        Path proto = Fixtures.write(dir, "net.prototxt", Fixtures.CONV_NET);
        NetParameter w = Fixtures.convNetWeights().toBuilder().setLayer(1, Fixtures.layer("conv1", "Convolution",
                Fixtures.blob(Fixtures.values(54, 1), 3, 2, 3, 3))).build();
        Path model = Fixtures.writeBinary(dir, "net.caffemodel", w);
        ModelException e = assertThrows(ModelException.class, () -> CaffeImporter.load(proto, model));
        assertTrue(e.getMessage().contains("expected 2 blobs"), e.getMessage());
    }

    @Test
    void truncationAtAnyOffsetIsAClearError() throws Exception {
        Path proto = Fixtures.write(dir, "net.prototxt", Fixtures.CONV_NET);
        byte[] full = Fixtures.convNetWeights().toByteArray();
        for (int cut = 0; cut < full.length; cut += 7) {
            Path model = dir.resolve("cut" + cut + ".caffemodel");
            Files.write(model, Arrays.copyOf(full, cut));
            ModelException e = assertThrows(ModelException.class, () -> CaffeImporter.load(proto, model),
                    "cut at " + cut);
            assertTrue(e.getMessage().contains(model.toString()), e.getMessage());
        }
    }

    @Test
    void lengthPastTheEndIsRejectedBeforeAllocating() throws Exception {
        // A layer that declares 2^40 bytes: must fail on the bound check, not allocate.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeTag(100, 2);
        out.writeUInt64NoTag(1L << 40);
        out.writeString(1, "conv1");
        out.flush();
        Path model = dir.resolve("lying.caffemodel");
        Files.write(model, bytes.toByteArray());
        ModelException e = assertThrows(ModelException.class, () -> CaffemodelFile.open(model));
        assertTrue(e.getMessage().contains("declares 1099511627776 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("lying.caffemodel"), e.getMessage());
    }

    @Test
    void blobDataLengthDisagreeingWithShapeIsAnError() throws Exception {
        NetParameter w = NetParameter.newBuilder().addLayer(Fixtures.layer("conv1", "Convolution",
                Fixtures.blob(Fixtures.values(10, 1), 3, 2, 3, 3))).build();
        Path model = Fixtures.writeBinary(dir, "bad.caffemodel", w);
        ModelException e = assertThrows(ModelException.class, () -> CaffemodelFile.open(model));
        assertTrue(e.getMessage().contains("holds 10 values, expected 54"), e.getMessage());
    }

    @Test
    void notACaffemodelIsAnError() throws Exception {
        Path model = dir.resolve("text.caffemodel");
        Files.writeString(model, "layer { name: \"x\" }\n");
        assertThrows(ModelException.class, () -> CaffemodelFile.open(model));
        Files.write(model, new byte[0]);
        ModelException e = assertThrows(ModelException.class, () -> CaffemodelFile.open(model));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    /**
     * A file over 2 GB (sparse, so it costs no disk): an ignored training layer holds a 2.1 GB blob of zeros, the
     * deploy layer's weights come after it.
     */
    @Test
    void filesOverTwoGigabytesWork() throws Exception {
        Path proto = Fixtures.write(dir, "net.prototxt", Fixtures.CONV_NET);
        long floats = 540_000_000L;
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(head);
        ByteArrayOutputStream shapeBytes = new ByteArrayOutputStream();
        CodedOutputStream so = CodedOutputStream.newInstance(shapeBytes);
        so.writeTag(1, 2);
        so.writeUInt32NoTag(CodedOutputStream.computeInt64SizeNoTag(floats));
        so.writeInt64NoTag(floats);
        so.flush();
        long blobLen = CodedOutputStream.computeTagSize(7) + CodedOutputStream.computeUInt32SizeNoTag(
                shapeBytes.size()) + shapeBytes.size() + CodedOutputStream.computeTagSize(5)
                + CodedOutputStream.computeUInt64SizeNoTag(floats * 4) + floats * 4;
        long layerLen = CodedOutputStream.computeStringSize(1, "huge") + CodedOutputStream.computeTagSize(7)
                + CodedOutputStream.computeUInt64SizeNoTag(blobLen) + blobLen;
        o.writeTag(100, 2);
        o.writeUInt64NoTag(layerLen);
        o.writeString(1, "huge");
        o.writeTag(7, 2);
        o.writeUInt64NoTag(blobLen);
        o.writeTag(7, 2);
        o.writeUInt32NoTag(shapeBytes.size());
        o.writeRawBytes(shapeBytes.toByteArray());
        o.writeTag(5, 2);
        o.writeUInt64NoTag(floats * 4);
        o.flush();
        byte[] tail = Fixtures.convNetWeights().toByteArray();
        Path model = dir.resolve("big.caffemodel");
        try (RandomAccessFile f = new RandomAccessFile(model.toFile(), "rw")) {
            f.write(head.toByteArray());
            f.seek(head.size() + floats * 4);
            f.write(tail);
        }
        assertTrue(Files.size(model) > (1L << 31), "file is " + Files.size(model));
        CaffeModel m = CaffeImporter.load(proto, model);
        Convolution conv = (Convolution) m.graph().node("conv1").op();
        assertArrayEquals(Fixtures.values(54, 1), conv.weight().toArray());
        assertTrue(m.report().ignored().stream().anyMatch(l -> l.layer().equals("huge")));
        Files.delete(model);
    }

    @Test
    void prototxtWithoutWeightsGivesPlaceholders() throws IOException, ModelException {
        Path proto = Fixtures.write(dir, "net.prototxt", Fixtures.CONV_NET);
        Graph g = CaffeImporter.load(proto, null).graph();
        assertFalse(g.hasWeights());
        assertEquals(54 + 3 + 300 + 4, g.parameterCount());
    }
}
