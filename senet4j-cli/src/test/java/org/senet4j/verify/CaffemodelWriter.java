package org.senet4j.verify;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.senet4j.caffe.proto.BlobProto;
import org.senet4j.caffe.proto.BlobShape;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Tensor;

/**
 * Writes a graph's weights as a binary caffemodel that Caffe's {@code CopyTrainedLayersFrom} loads: one layer per
 * node with weights, named and typed as the node, its blobs in Caffe's order and shapes. Used to give a Caffe fork the
 * same seeded weights ({@link SeededWeights}) as senet4j for prototxts without fillers.
 */
public final class CaffemodelWriter {
    private CaffemodelWriter() {
    }

    public static void write(Graph g, Path file) throws IOException {
        NetParameter.Builder net = NetParameter.newBuilder().setName(g.name());
        for (Node n : g.nodes()) {
            Map<String, Tensor> w = n.op().weights();
            if (w.isEmpty()) {
                continue;
            }
            LayerParameter.Builder l = LayerParameter.newBuilder().setName(n.name()).setType(n.type());
            for (Tensor t : w.values()) {
                BlobShape.Builder s = BlobShape.newBuilder();
                for (int d : t.shape().dims()) {
                    s.addDim(d);
                }
                BlobProto.Builder b = BlobProto.newBuilder().setShape(s);
                for (float v : t.toArray()) {
                    b.addData(v);
                }
                l.addBlobs(b);
            }
            net.addLayer(l);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            net.build().writeTo(out);
        }
    }
}
