package org.senet4j.verify.caffe;

import org.senet4j.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.caffe.Caffe;
import org.bytedeco.caffe.FloatBlob;
import org.bytedeco.caffe.FloatBlobSharedVector;
import org.bytedeco.caffe.FloatLayer;
import org.bytedeco.caffe.FloatLayerSharedVector;
import org.bytedeco.caffe.FloatNet;
import org.bytedeco.caffe.NetParameter;
import org.bytedeco.caffe.StringVector;
import org.bytedeco.caffe.global.caffe;
import org.bytedeco.javacpp.IntPointer;
import org.senet4j.verify.RandomWeights;
import org.senet4j.verify.ManifestEntry;

/**
 * A real Caffe net (JavaCPP {@code FloatNet}, CPU, TEST phase). Only the oracle's child process uses this class:
 * any Caffe CHECK failure aborts the process that runs it.
 */
final class CaffeNet implements AutoCloseable {

    private final FloatNet net;

    private CaffeNet(FloatNet net) {
        this.net = net;
    }

    /** Loads {@code prototxt} in TEST phase on the CPU. */
    static CaffeNet load(Path prototxt) {
        Caffe.set_mode(Caffe.CPU);
        return new CaffeNet(new FloatNet(prototxt.toString(), caffe.TEST));
    }

    /** Copies weights by layer name from a {@code .caffemodel} (layers the net lacks are skipped by Caffe). */
    void copyTrainedLayersFrom(Path caffemodel) {
        net.CopyTrainedLayersFrom(caffemodel.toString());
    }

    /** Names of the net's input blobs (the tops of its Input layers), in order. */
    List<String> inputNames() {
        int n = net.num_inputs();
        IntPointer idx = net.input_blob_indices();
        StringVector names = net.blob_names();
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(names.get(idx.get(i)).getString());
        }
        return out;
    }

    /** Every blob name in net order (including Caffe's {@code *_split_N} blobs). */
    List<String> blobNames() {
        StringVector names = net.blob_names();
        List<String> out = new ArrayList<>((int) names.size());
        for (long i = 0; i < names.size(); i++) {
            out.add(names.get(i).getString());
        }
        return out;
    }

    boolean hasBlob(String name) {
        return net.has_blob(name);
    }

    int[] shape(String blob) {
        return shapeOf(net.blob_by_name(blob));
    }

    private static int[] shapeOf(FloatBlob b) {
        int[] s = new int[b.num_axes()];
        for (int i = 0; i < s.length; i++) {
            s[i] = b.shape(i);
        }
        return s;
    }

    /** The layers as Caffe built them, with bottoms and tops as Caffe's blob names. */
    List<LayerInfo> layers() {
        FloatLayerSharedVector layers = net.layers();
        StringVector layerNames = net.layer_names();
        StringVector blobNames = net.blob_names();
        List<LayerInfo> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            long nb = net.bottom_vecs().get(i).size();
            long nt = net.top_vecs().get(i).size();
            List<String> bottoms = new ArrayList<>();
            List<String> tops = new ArrayList<>();
            IntPointer b = net.bottom_ids(i);
            for (int j = 0; j < nb; j++) {
                bottoms.add(blobNames.get(b.get(j)).getString());
            }
            IntPointer t = net.top_ids(i);
            for (int j = 0; j < nt; j++) {
                tops.add(blobNames.get(t.get(j)).getString());
            }
            out.add(new LayerInfo(layerNames.get(i).getString(), layers.get(i).type().getString(), bottoms, tops));
        }
        return out;
    }

    /**
     * Fills every blob of every layer with {@link RandomWeights} values, one blob at a time (so the Java heap holds
     * at most one blob's values).
     */
    void fillRandom(long seed) {
        RandomWeights rw = new RandomWeights(seed);
        FloatLayerSharedVector layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            FloatLayer layer = layers.get(i);
            String type = layer.type().getString();
            FloatBlobSharedVector blobs = layer.blobs();
            for (int j = 0; j < blobs.size(); j++) {
                FloatBlob blob = blobs.get(j);
                int[] shape = shapeOf(blob);
                float[] values = new float[blob.count()];
                rw.fill(type, j, fanIn(layer, type, j, shape, values.length), values);
                blob.mutable_cpu_data().put(values);
            }
        }
    }

    private static long fanIn(FloatLayer layer, String type, int blobIndex, int[] shape, long count) {
        if (blobIndex != 0 || shape.length == 0) {
            return 1;
        }
        if (RandomWeights.isConvolution(type)) {
            return shape[0] == 0 ? 1 : count / shape[0];
        }
        if (type.equals("InnerProduct")) {
            int numOutput = layer.layer_param().inner_product_param().num_output();
            return numOutput > 0 ? count / numOutput : count / Math.max(1, shape[0]);
        }
        return 1;
    }

    /** One manifest entry per blob of every layer, read back from Caffe's memory. */
    List<ManifestEntry> manifest() {
        List<ManifestEntry> out = new ArrayList<>();
        FloatLayerSharedVector layers = net.layers();
        StringVector layerNames = net.layer_names();
        for (int i = 0; i < layers.size(); i++) {
            FloatLayer layer = layers.get(i);
            String name = layerNames.get(i).getString();
            String type = layer.type().getString();
            FloatBlobSharedVector blobs = layer.blobs();
            for (int j = 0; j < blobs.size(); j++) {
                FloatBlob blob = blobs.get(j);
                float[] values = new float[blob.count()];
                blob.cpu_data().get(values);
                out.add(ManifestEntry.of(name, type, j, shapeOf(blob), values));
            }
        }
        return out;
    }

    /** Writes the net and its weights as a binary {@code .caffemodel} (temporary file, then rename). */
    void save(Path caffemodel) throws IOException {
        AtomicFiles.write(caffemodel, tmp -> {
            try (NetParameter np = new NetParameter()) {
                net.ToProto(np, false);
                caffe.WriteProtoToBinaryFile(np, tmp.toString());
            }
            if (Files.size(tmp) == 0) {
                throw new IOException("Caffe wrote an empty file for " + caffemodel);
            }
        });
    }

    /** Reshapes input blob {@code name} to {@code shape} and copies {@code data} into it; call {@link #reshape()}. */
    void setInput(String name, int[] shape, float[] data) {
        FloatBlob b = net.blob_by_name(name);
        b.Reshape(shape);
        if (b.count() != data.length) {
            throw new IllegalArgumentException("input " + name + ": " + data.length + " values for "
                    + b.count() + " elements");
        }
        b.mutable_cpu_data().put(data);
    }

    /** Propagates input shapes through the net ({@code Net::Reshape}). */
    void reshape() {
        net.Reshape();
    }

    void forward() {
        net.Forward();
    }

    /** A copy of blob {@code name}'s values. */
    float[] data(String name) {
        FloatBlob b = net.blob_by_name(name);
        float[] values = new float[b.count()];
        b.cpu_data().get(values);
        return values;
    }

    /** Shapes of the input blobs, in order. */
    Map<String, int[]> inputShapes() {
        Map<String, int[]> out = new LinkedHashMap<>();
        for (String n : inputNames()) {
            out.put(n, shape(n));
        }
        return out;
    }

    @Override
    public void close() {
        net.close();
    }
}
