package org.senet4j.caffe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.senet4j.caffe.proto.BlobProto;
import org.senet4j.caffe.proto.BlobShape;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;

/** Small Caffe models built in code, for reader tests. */
final class Fixtures {
    private Fixtures() {
    }

    static final String CONV_NET = """
            name: "tiny"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 5 dim: 5 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 3 kernel_size: 3 pad: 1 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 4 } }
            """;

    /** An Input layer {@code data} of these dimensions, as prototxt. */
    static String inputLayer(int... dims) {
        StringBuilder s = new StringBuilder("layer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape {");
        for (int d : dims) {
            s.append(" dim: ").append(d);
        }
        return s.append(" } } }\n").toString();
    }

    static Path write(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    static float[] values(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    static BlobProto blob(float[] data, long... dims) {
        BlobProto.Builder b = BlobProto.newBuilder().setShape(BlobShape.newBuilder().addAllDim(
                java.util.Arrays.stream(dims).boxed().toList()));
        for (float f : data) {
            b.addData(f);
        }
        return b.build();
    }

    static LayerParameter layer(String name, String type, BlobProto... blobs) {
        LayerParameter.Builder l = LayerParameter.newBuilder().setName(name).setType(type);
        for (BlobProto b : blobs) {
            l.addBlobs(b);
        }
        return l.build();
    }

    /** Weights for CONV_NET, plus a training-only data layer with a blob to be ignored. */
    static NetParameter convNetWeights() {
        return NetParameter.newBuilder().setName("tiny")
                .addLayer(layer("mnist", "Data"))
                .addLayer(layer("conv1", "Convolution", blob(values(54, 1), 3, 2, 3, 3), blob(values(3, 2), 3)))
                .addLayer(layer("fc", "InnerProduct", blob(values(300, 3), 4, 75), blob(values(4, 4), 4)))
                .addLayer(layer("loss_extra", "InnerProduct", blob(values(6, 5), 2, 3)))
                .build();
    }

    static Path writeBinary(Path dir, String name, NetParameter net) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, net.toByteArray());
        return p;
    }

    /** The node of {@code g} named {@code name}. */
    static Node node(Graph g, String name) {
        return g.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    /** {@code outs} of the reference engine's run of {@code g} on {@code x} as its input {@code data}. */
    static Map<String, HostTensor> run(Graph g, float[] x, String... outs) throws Exception {
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            return e.run(Map.of("data", new HostTensor(g.shape("data"), x.clone())), List.of(outs));
        }
    }

    /** 0, 1, ..., n - 1. */
    static float[] ramp(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        return x;
    }
}
