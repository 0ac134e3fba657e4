package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.verify.caffe.CaffeOracle;

/**
 * Embed, Parameter, SPP, Im2col and BatchReindex against real Caffe, every blob at batch 1 and 2: the reference
 * engine and the CPU engine with passes on and off, and ONNX Runtime on the export (folding on and off).
 *
 * <p>The lookup net feeds integer-valued indices (some with a fractional part, which Caffe truncates) of several
 * shapes: Embed with and without bias on N x 4, N x 2 x 3 and on an ArgMax's output (a 5-D top), BatchReindex with
 * repeated and reordered indices into a Parameter, into a Tile and into the batch itself, and Parameters feeding
 * Eltwise (SUM with coefficients, PROD) and a two-input Bias (a scalar Parameter). A Parameter shaped like the data
 * fixes the batch, so that net is written once per batch size. The windows net runs SPP with pyramid heights 1 to 3,
 * MAX and AVE, on 13 x 7 and on 6 x 6 (where the last window of level 2 hangs over the padded edge), and Im2col with
 * a rectangular dilated kernel, stride and pad, the N-D path, one and three spatial axes and channel axis 2.
 */
class MiscOpsParityTest {
    @TempDir
    Path dir;

    private static final Map<String, Double> WORST = new TreeMap<>();

    static final String LOOKUP = """
            name: "misc_lookup"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: N dim: 3 dim: 6 dim: 5 } } }
            layer { name: "idx" type: "Input" top: "idx" input_param { shape { dim: N dim: 4 } } }
            layer { name: "idx3" type: "Input" top: "idx3" input_param { shape { dim: N dim: 2 dim: 3 } } }
            layer { name: "order" type: "Input" top: "order" input_param { shape { dim: N } } }
            layer { name: "emb" type: "Embed" bottom: "idx" top: "emb" embed_param { num_output: 6 input_dim: 7 } }
            layer { name: "emb_nb" type: "Embed" bottom: "idx3" top: "emb_nb"
                    embed_param { num_output: 4 input_dim: 5 bias_term: false } }
            layer { name: "emb_ip" type: "InnerProduct" bottom: "emb" top: "emb_ip"
                    inner_product_param { num_output: 3 axis: 2 } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 5 kernel_size: 1 } }
            layer { name: "am" type: "ArgMax" bottom: "conv" top: "am" argmax_param { axis: 1 } }
            layer { name: "emb_am" type: "Embed" bottom: "am" top: "emb_am" embed_param { num_output: 3 input_dim: 5 } }
            layer { name: "flat" type: "Reshape" bottom: "idx" top: "flat" reshape_param { shape { dim: -1 } } }
            layer { name: "table" type: "Parameter" top: "table" parameter_param { shape { dim: 7 dim: 3 dim: 6 dim: 5 } } }
            layer { name: "re_p" type: "BatchReindex" bottom: "table" bottom: "flat" top: "re_p" }
            layer { name: "tiled" type: "Tile" bottom: "data" top: "tiled" tile_param { axis: 0 tiles: 7 } }
            layer { name: "re_t" type: "BatchReindex" bottom: "tiled" bottom: "flat" top: "re_t" }
            layer { name: "re_sum" type: "Eltwise" bottom: "re_p" bottom: "re_t" top: "re_sum" }
            layer { name: "re_d" type: "BatchReindex" bottom: "data" bottom: "order" top: "re_d" }
            layer { name: "like" type: "Parameter" top: "like" parameter_param { shape { dim: N dim: 3 dim: 6 dim: 5 } } }
            layer { name: "sum" type: "Eltwise" bottom: "data" bottom: "like" top: "sum"
                    eltwise_param { coeff: 1 coeff: -2 } }
            layer { name: "relu" type: "ReLU" bottom: "sum" top: "sum" }
            layer { name: "prod" type: "Eltwise" bottom: "sum" bottom: "like" top: "prod"
                    eltwise_param { operation: PROD } }
            layer { name: "shift" type: "Parameter" top: "shift" }
            layer { name: "shifted" type: "Bias" bottom: "prod" bottom: "shift" top: "shifted" }
            """;

    static final String WINDOWS = """
            name: "misc_windows"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 13 dim: 7 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 4 kernel_size: 1 } }
            layer { name: "spp1" type: "SPP" bottom: "conv" top: "spp1" spp_param { pyramid_height: 1 } }
            layer { name: "spp1a" type: "SPP" bottom: "conv" top: "spp1a" spp_param { pyramid_height: 1 pool: AVE } }
            layer { name: "spp2" type: "SPP" bottom: "conv" top: "spp2" spp_param { pyramid_height: 2 } }
            layer { name: "spp2a" type: "SPP" bottom: "conv" top: "spp2a" spp_param { pyramid_height: 2 pool: AVE } }
            layer { name: "spp3" type: "SPP" bottom: "conv" top: "spp3" spp_param { pyramid_height: 3 } }
            layer { name: "spp3a" type: "SPP" bottom: "conv" top: "spp3a" spp_param { pyramid_height: 3 pool: AVE } }
            layer { name: "spp_ip" type: "InnerProduct" bottom: "spp3" top: "spp_ip" inner_product_param { num_output: 5 } }
            layer { name: "edge" type: "Convolution" bottom: "data" top: "edge"
                    convolution_param { num_output: 2 kernel_h: 8 kernel_w: 2 } }
            layer { name: "spp_edge" type: "SPP" bottom: "edge" top: "spp_edge" spp_param { pyramid_height: 3 pool: AVE } }
            layer { name: "spp_edge_max" type: "SPP" bottom: "edge" top: "spp_edge_max" spp_param { pyramid_height: 3 } }
            layer { name: "i2c_rect" type: "Im2col" bottom: "data" top: "i2c_rect"
                    convolution_param { kernel_h: 2 kernel_w: 3 stride_h: 2 stride_w: 1 pad_h: 1 dilation: 2 } }
            layer { name: "i2c_sq" type: "Im2col" bottom: "data" top: "i2c_sq"
                    convolution_param { kernel_size: 3 stride: 2 pad: 1 } }
            layer { name: "i2c_nd" type: "Im2col" bottom: "data" top: "i2c_nd"
                    convolution_param { kernel_size: 3 kernel_size: 2 dilation: 1 dilation: 2 pad: 2 pad: 1
                                        stride: 1 stride: 2 force_nd_im2col: true } }
            layer { name: "row" type: "Reshape" bottom: "data" top: "row" reshape_param { shape { dim: 0 dim: 3 dim: -1 } } }
            layer { name: "i2c_1d" type: "Im2col" bottom: "row" top: "i2c_1d"
                    convolution_param { kernel_size: 5 stride: 3 pad: 2 dilation: 2 } }
            layer { name: "i2c_ax" type: "Im2col" bottom: "data" top: "i2c_ax" convolution_param { kernel_size: 3 axis: 2 } }
            layer { name: "vol" type: "Reshape" bottom: "conv" top: "vol"
                    reshape_param { shape { dim: 0 dim: 2 dim: 2 dim: 13 dim: 7 } } }
            layer { name: "i2c_3d" type: "Im2col" bottom: "vol" top: "i2c_3d"
                    convolution_param { kernel_size: 2 kernel_size: 3 kernel_size: 2 pad: 1 stride: 1 stride: 2 stride: 2 } }
            layer { name: "cols" type: "Convolution" bottom: "i2c_rect" top: "cols"
                    convolution_param { num_output: 2 kernel_size: 1 } }
            """;

    @AfterAll
    static void report() {
        System.out.println("MiscOpsParityTest worst relative errors: " + WORST);
    }

    @Test
    void lookupsAndParametersMatchCaffe() throws Exception {
        for (int batch : new int[] {1, 2}) {
            Path proto = Files.writeString(dir.resolve("lookup" + batch + ".prototxt"),
                    LOOKUP.replace("dim: N", "dim: " + batch));
            Path weights = dir.resolve("lookup" + batch + ".caffemodel");
            CaffeOracle.writeRandomWeights(proto, weights, 3 + batch);
            Map<String, Path> inputs = new LinkedHashMap<>();
            SplittableRandom r = new SplittableRandom(40 + batch);
            float[] data = new float[batch * 90];
            InputDistribution.UNIFORM.fill(7 + batch, data);
            inputs.put("data", write("data" + batch, new int[] {batch, 3, 6, 5}, data));
            float[] idx = indices(r, batch * 4, 7);
            idx[0] = 5; // a repeat out of order: 5, 2, 5
            idx[1] = 2;
            idx[2] = 5;
            inputs.put("idx", write("idx" + batch, new int[] {batch, 4}, idx));
            inputs.put("idx3", write("idx3" + batch, new int[] {batch, 2, 3}, indices(r, batch * 6, 5)));
            float[] order = new float[batch];
            for (int i = 0; i < batch; i++) {
                order[i] = batch - 1 - i + 0.5f; // reversed; Caffe truncates N - 1/2 to N - 1
            }
            inputs.put("order", write("order" + batch, new int[] {batch}, order));
            Path out = dir.resolve("lookup_out" + batch);
            Map<String, Path> blobs = CaffeOracle.forward(proto, weights, inputs, out, null, 1);
            Graph g = CaffeImporter.load(proto, weights).graph();
            assertRepeatsAndReorders(blobs.get("flat"), Npy.read(blobs.get("order")).data());
            check("lookup", g, new ReferenceSet(out, inputs, blobs), 18);
        }
    }

    @Test
    void pyramidsAndPatchesMatchCaffe() throws Exception {
        Path proto = Files.writeString(dir.resolve("windows.prototxt"), WINDOWS);
        CaffeOracle.ReferenceSet b1 = CaffeOracle.makeReference(proto, dir.resolve("b1"), null, 5, 1,
                InputDistribution.UNIFORM, 8, 1, CaffeOracle.Options.defaults());
        CaffeOracle.ReferenceSet b2 = CaffeOracle.makeReference(proto, dir.resolve("b2"), b1.model(), 5, 2,
                InputDistribution.UNIFORM, 9, 1, CaffeOracle.Options.defaults());
        Graph g = CaffeImporter.load(proto, b1.model()).graph();
        for (CaffeOracle.ReferenceSet r : List.of(b1, b2)) {
            check("windows", g, new ReferenceSet(r.dir(), r.inputs(), r.blobs()), 20);
        }
    }

    /** Integer values in [0, bound), every fourth with a fraction of 1/2 (Caffe's static_cast truncates it). */
    private static float[] indices(SplittableRandom r, int count, int bound) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = r.nextInt(bound) + (i % 4 == 3 ? 0.5f : 0f);
        }
        return v;
    }

    private Path write(String name, int[] shape, float[] values) throws Exception {
        Path p = dir.resolve(name + ".npy");
        Npy.write(p, shape, values);
        return p;
    }

    /** The flattened indices repeat a value and are not sorted; the batch order is reversed at batch 2. */
    private static void assertRepeatsAndReorders(Path flat, float[] order) throws Exception {
        float[] v = Npy.read(flat).data();
        Set<Integer> seen = new HashSet<>();
        boolean repeated = false;
        boolean unsorted = false;
        for (int i = 0; i < v.length; i++) {
            repeated |= !seen.add((int) v[i]);
            unsorted |= i > 0 && (int) v[i] < (int) v[i - 1];
        }
        assertTrue(repeated && unsorted, "indices " + java.util.Arrays.toString(v));
        assertTrue(order.length == 1 || (int) order[0] == order.length - 1, java.util.Arrays.toString(order));
    }

    private void check(String what, Graph g, ReferenceSet ref, int minBlobs) throws Exception {
        BackendParity parity = new BackendParity(dir);
        parity.check(what, g, ref, minBlobs,
                (label, e, r) -> assertTrue(comparedEveryNewLayer(g, r), label + ": " + r.blobs()));
        parity.worst().forEach((k, v) -> WORST.merge(k, v, Math::max));
    }

    private static boolean comparedEveryNewLayer(Graph g, VerifyReport r) {
        Set<String> compared = new HashSet<>();
        r.blobs().forEach(b -> compared.add(b.name()));
        for (Node n : g.nodes()) {
            if (List.of("Embed", "Parameter", "SPP", "Im2col", "BatchReindex").contains(n.type())
                    && !compared.contains(g.value(n.outputs().get(0)).blob())) {
                return false;
            }
        }
        return true;
    }
}
