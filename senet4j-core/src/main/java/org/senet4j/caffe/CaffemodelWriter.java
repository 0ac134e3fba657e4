package org.senet4j.caffe;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.senet4j.caffe.proto.BlobProto;
import org.senet4j.caffe.proto.BlobShape;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.io.AtomicFiles;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Tensor;

/**
 * Writes a graph's weights as a binary {@code .caffemodel} that Caffe (and its forks, and OpenCV) load into the
 * prototxt the graph came from: one layer per weighted node, with the node's name and Caffe type and its weights as
 * blobs in Caffe's order and shapes. This is how seeded random weights ({@code verify.SeededWeights}) reach an oracle
 * that cannot make them itself, such as OpenCV dnn or a fork whose fillers leave BatchNorm statistics at 0.
 *
 * <p>Only ops whose weights are the layer's blobs as stored can be written: not the forks' {@code BN}, whose blobs
 * are folded into a per-channel affine at import. A repeated layer name ({@code NAME#2}) gets no weights from a
 * caffemodel in Caffe, so such nodes are left out.
 */
public final class CaffemodelWriter {
    private CaffemodelWriter() {
    }

    /**
     * @throws IllegalArgumentException when a weight has no values or a node's weights are not its layer's blobs
     */
    public static void write(Graph g, Path out) throws IOException {
        NetParameter.Builder net = NetParameter.newBuilder().setName(g.name());
        for (Node n : g.nodes()) {
            if (n.op().weights().isEmpty() || n.name().contains("#")) {
                continue;
            }
            if (n.type().equals("BN")) {
                throw new IllegalArgumentException("layer \"" + n.name() + "\" (BN): its blobs were folded into a "
                        + "per-channel scale and shift at import and cannot be written back");
            }
            LayerParameter.Builder l = LayerParameter.newBuilder().setName(n.name()).setType(n.type());
            for (var e : n.op().weights().entrySet()) {
                Tensor t = e.getValue();
                if (!t.hasData()) {
                    throw new IllegalArgumentException("layer \"" + n.name() + "\" (" + n.type() + "): weight "
                            + e.getKey() + " has no values");
                }
                BlobShape.Builder shape = BlobShape.newBuilder();
                for (int d : t.shape().dims()) {
                    shape.addDim(d);
                }
                BlobProto.Builder b = BlobProto.newBuilder().setShape(shape);
                for (float v : t.toArray()) {
                    b.addData(v);
                }
                l.addBlobs(b);
            }
            net.addLayer(l);
        }
        NetParameter built = net.build();
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        AtomicFiles.write(out, tmp -> {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                built.writeTo(os);
            }
        });
    }
}
