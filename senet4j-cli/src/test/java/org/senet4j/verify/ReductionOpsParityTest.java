package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.verify.caffe.CaffeOracle;

/**
 * ArgMax, Reduction and Tile against real Caffe, every blob at batch 1 and 2: the reference engine and the CPU engine
 * with passes on and off, and ONNX Runtime on the export (folding on and off). ArgMax with top_k above 1, with
 * out_max_val, with and without axis, and with ties (after a ReLU that zeroes about half the values, and on an input
 * of few distinct values, where Caffe ranks equal values from the larger index down); Reduction over a middle axis
 * with a coefficient in every operation; Tile on axes 1 and 2.
 */
class ReductionOpsParityTest {
    static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    private static final Map<String, Double> WORST = new TreeMap<>();

    static final String NET = """
            name: "reduction_ops"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 dim: 5 dim: 3 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 6 kernel_size: 1 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "relu" }
            layer { name: "am_top" type: "ArgMax" bottom: "conv" top: "am_top" argmax_param { top_k: 7 } }
            layer { name: "am_val" type: "ArgMax" bottom: "relu" top: "am_val"
                    argmax_param { top_k: 70 out_max_val: true } }
            layer { name: "am_c" type: "ArgMax" bottom: "relu" top: "am_c" argmax_param { top_k: 4 axis: 1 } }
            layer { name: "am_cv" type: "ArgMax" bottom: "relu" top: "am_cv"
                    argmax_param { top_k: 3 axis: 2 out_max_val: true } }
            layer { name: "am_last" type: "ArgMax" bottom: "relu" top: "am_last" argmax_param { top_k: 2 axis: -1 } }
            layer { name: "sum" type: "Reduction" bottom: "conv" top: "sum"
                    reduction_param { operation: SUM axis: 2 coeff: -1.5 } }
            layer { name: "asum" type: "Reduction" bottom: "conv" top: "asum"
                    reduction_param { operation: ASUM axis: 2 coeff: 0.5 } }
            layer { name: "sumsq" type: "Reduction" bottom: "conv" top: "sumsq"
                    reduction_param { operation: SUMSQ axis: 2 coeff: 0.25 } }
            layer { name: "mean" type: "Reduction" bottom: "conv" top: "mean"
                    reduction_param { operation: MEAN axis: 2 coeff: 3 } }
            layer { name: "mean1" type: "Reduction" bottom: "relu" top: "mean1"
                    reduction_param { operation: MEAN axis: 1 } }
            layer { name: "all" type: "Reduction" bottom: "conv" top: "all" }
            layer { name: "tile1" type: "Tile" bottom: "conv" top: "tile1" tile_param { tiles: 3 } }
            layer { name: "tile2" type: "Tile" bottom: "relu" top: "tile2" tile_param { axis: 2 tiles: 2 } }
            layer { name: "tiled_max" type: "ArgMax" bottom: "tile2" top: "tiled_max" argmax_param { top_k: 3 axis: 2 } }
            """;

    /** Fed an input of five distinct values, so nearly every ranking has ties. */
    static final String TIES = """
            name: "argmax_ties"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: N dim: 4 dim: 3 dim: 5 } } }
            layer { name: "all_k" type: "ArgMax" bottom: "data" top: "all_k" argmax_param { top_k: 60 out_max_val: true } }
            layer { name: "top5" type: "ArgMax" bottom: "data" top: "top5" argmax_param { top_k: 5 } }
            layer { name: "chan" type: "ArgMax" bottom: "data" top: "chan" argmax_param { top_k: 4 axis: 1 } }
            layer { name: "row" type: "ArgMax" bottom: "data" top: "row" argmax_param { top_k: 3 axis: 3 out_max_val: true } }
            layer { name: "relu" type: "ReLU" bottom: "data" top: "relu" }
            layer { name: "relu_k" type: "ArgMax" bottom: "relu" top: "relu_k" argmax_param { top_k: 40 } }
            layer { name: "relu_h" type: "ArgMax" bottom: "relu" top: "relu_h" argmax_param { top_k: 2 axis: 2 } }
            layer { name: "sq" type: "Reduction" bottom: "data" top: "sq" reduction_param { operation: SUMSQ axis: 1 coeff: 2 } }
            layer { name: "tile" type: "Tile" bottom: "relu" top: "tile" tile_param { axis: 1 tiles: 2 } }
            """;

    @AfterAll
    static void report() {
        System.out.println("ReductionOpsParityTest worst relative errors: " + WORST);
    }

    @Test
    void randomWeightsAndInputsMatchCaffeEverywhere() throws Exception {
        Path proto = Files.writeString(dir.resolve("ops.prototxt"), NET);
        CaffeOracle.ReferenceSet b1 = CaffeOracle.makeReference(proto, dir.resolve("b1"), null, 3, 1,
                InputDistribution.UNIFORM, 4, 1, CaffeOracle.Options.defaults());
        CaffeOracle.ReferenceSet b2 = CaffeOracle.makeReference(proto, dir.resolve("b2"), b1.model(), 3, 2,
                InputDistribution.UNIFORM, 5, 1, CaffeOracle.Options.defaults());
        Graph g = CaffeImporter.load(proto, b1.model()).graph();
        assertTies(b1.blobs().get("relu"));
        for (CaffeOracle.ReferenceSet r : List.of(b1, b2)) {
            check("random", g, new ReferenceSet(r.dir(), r.inputs(), r.blobs()), 17);
        }
    }

    @Test
    void tiesOrderedAsCaffeOrdersThem() throws Exception {
        for (int batch : new int[] {1, 2}) {
            Path proto = Files.writeString(dir.resolve("ties" + batch + ".prototxt"),
                    TIES.replace("dim: N", "dim: " + batch));
            Path weights = dir.resolve("ties" + batch + ".caffemodel");
            CaffeOracle.writeRandomWeights(proto, weights, 1);
            int[] shape = {batch, 4, 3, 5};
            float[] x = new float[batch * 60];
            InputDistribution.UNIFORM.fill(21 + batch, x);
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.round(x[i] * 2) / 2f;
            }
            Path input = dir.resolve("ties" + batch + ".npy");
            Npy.write(input, shape, x);
            Path out = dir.resolve("ties_out" + batch);
            Map<String, Path> blobs = CaffeOracle.forward(proto, weights, Map.of("data", input), out, null, 1);
            assertTies(blobs.get("data"));
            Graph g = CaffeImporter.load(proto, weights).graph();
            check("ties", g, new ReferenceSet(out, Map.of("data", input), blobs), 10);
        }
    }

    /** The blob holds repeated values (so ArgMax over it meets ties). */
    private static void assertTies(Path blob) throws Exception {
        float[] v = Npy.read(blob).data();
        Set<Float> distinct = new HashSet<>();
        for (float f : v) {
            distinct.add(f);
        }
        assertTrue(distinct.size() < v.length * 3 / 4, "few ties: " + distinct.size() + " distinct of " + v.length);
    }

    /** Every backend against {@code ref} ({@link BackendParity}); the worst errors go to the report. */
    private void check(String what, Graph g0, ReferenceSet ref, int minBlobs) throws Exception {
        BackendParity parity = new BackendParity(dir);
        try {
            parity.check(what, g0, ref, minBlobs);
        } finally {
            parity.worst().forEach((k, v) -> WORST.merge(k, v, Math::max));
        }
    }
}
