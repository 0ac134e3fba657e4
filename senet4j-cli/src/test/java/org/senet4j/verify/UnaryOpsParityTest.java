package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.verify.caffe.CaffeOracle;

/**
 * Caffe's element-wise layers ELU, AbsVal, Exp, Log, BNLL and Threshold (with their parameters varied) against real
 * Caffe: every blob, relative L-infinity error at most 1e-4, on the reference engine, the CPU engine and ONNX Runtime
 * running the export, at batch 1 and 2, with passes (ONNX folding) on and off. Clip and Swish, which Caffe 1.0 lacks,
 * are checked by hand-computed values in senet4j-core and against the reference engine in {@link #clipAndSwish}.
 */
class UnaryOpsParityTest {
    static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    static final String NET = """
            name: "unary"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 7 dim: 6 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "wide" type: "Power" bottom: "conv" top: "wide" power_param { scale: 8 } }
            layer { name: "huge" type: "Power" bottom: "conv" top: "huge" power_param { scale: 60 } }
            layer { name: "elu1" type: "ELU" bottom: "wide" top: "elu1" }
            layer { name: "elu05" type: "ELU" bottom: "wide" top: "elu05" elu_param { alpha: 0.5 } }
            layer { name: "abs" type: "AbsVal" bottom: "conv" top: "abs" }
            layer { name: "exp_e" type: "Exp" bottom: "conv" top: "exp_e" }
            layer { name: "exp_2" type: "Exp" bottom: "conv" top: "exp_2" exp_param { base: 2 scale: 1.5 shift: -0.5 } }
            layer { name: "exp_sc" type: "Exp" bottom: "conv" top: "exp_sc" exp_param { scale: -2 shift: 0.7 } }
            layer { name: "pos" type: "Power" bottom: "abs" top: "pos" power_param { shift: 0.05 } }
            layer { name: "log_e" type: "Log" bottom: "pos" top: "log_e" }
            layer { name: "log_10" type: "Log" bottom: "pos" top: "log_10" log_param { base: 10 scale: 3 shift: 0.2 } }
            layer { name: "log_e_sc" type: "Log" bottom: "pos" top: "log_e_sc" log_param { scale: 0.5 shift: 1 } }
            layer { name: "bnll" type: "BNLL" bottom: "wide" top: "bnll" }
            layer { name: "bnll_huge" type: "BNLL" bottom: "huge" top: "bnll_huge" }
            layer { name: "thr0" type: "Threshold" bottom: "data" top: "thr0" }
            layer { name: "thr3" type: "Threshold" bottom: "data" top: "thr3" threshold_param { threshold: 0.3 } }
            layer { name: "neg" type: "Power" bottom: "conv" top: "neg" power_param { scale: -3 shift: 0.5 } }
            layer { name: "elu_inplace" type: "ELU" bottom: "neg" top: "neg" elu_param { alpha: 0.5 } }
            layer { name: "mix" type: "Eltwise" bottom: "elu05" bottom: "log_10" bottom: "neg" top: "mix" }
            layer { name: "conv2" type: "Convolution" bottom: "mix" top: "conv2"
                    convolution_param { num_output: 3 kernel_size: 1 } }
            layer { name: "exp_out" type: "Exp" bottom: "conv2" top: "exp_out" exp_param { base: 2 } }
            """;

    @Test
    void everyBlobMatchesRealCaffe() throws Exception {
        Path proto = Files.writeString(dir.resolve("unary.prototxt"), NET);
        Path weights = null;
        BackendParity parity = new BackendParity(dir);
        for (int batch : new int[] {1, 2}) {
            CaffeOracle.ReferenceSet caffe = CaffeOracle.makeReference(proto, dir.resolve("ref" + batch), weights, 7,
                    batch, InputDistribution.UNIFORM, 11, 1, CaffeOracle.Options.defaults());
            weights = caffe.model();
            Graph g = CaffeImporter.load(proto, weights).graph();
            parity.check("unary b" + batch, g, new ReferenceSet(caffe.dir(), caffe.inputs(), caffe.blobs()), 21);
        }
        System.out.println("[unary-parity] worst relative errors: " + parity.worst());
    }

    /** Real Caffe refuses an in-place AbsVal; so does the importer, naming the field. */
    @Test
    void inPlaceAbsValIsRefusedAsCaffeRefusesIt() throws Exception {
        Path proto = Files.writeString(dir.resolve("abs.prototxt"), """
                name: "abs"
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 3 dim: 3 } } }
                layer { name: "abs" type: "AbsVal" bottom: "data" top: "data" }
                """);
        Exception caffe = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> CaffeOracle.writeRandomWeights(proto, dir.resolve("abs.caffemodel"), 1));
        assertTrue(caffe.getMessage().contains("in-place"), caffe.getMessage());
        org.senet4j.ModelException ours = org.junit.jupiter.api.Assertions.assertThrows(
                org.senet4j.ModelException.class, () -> CaffeImporter.load(proto, null));
        assertTrue(ours.getMessage().contains("layer \"abs\" (AbsVal): top:"), ours.getMessage());
    }

    static final String CLIP_SWISH = """
            name: "clip_swish"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 5 dim: 4 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "wide" type: "Power" bottom: "conv" top: "wide" power_param { scale: 6 } }
            layer { name: "clip" type: "Clip" bottom: "wide" top: "clip" clip_param { min: -1 max: 6 } }
            layer { name: "clip0" type: "Clip" bottom: "conv" top: "clip0" clip_param { min: 0 max: 0.25 } }
            layer { name: "swish" type: "Swish" bottom: "wide" top: "swish" }
            layer { name: "swish_b" type: "Swish" bottom: "conv" top: "swish_b" swish_param { beta: 2.5 } }
            layer { name: "swish_ip" type: "Swish" bottom: "clip0" top: "clip0" swish_param { beta: 0.5 } }
            layer { name: "sum" type: "Eltwise" bottom: "clip" bottom: "swish" bottom: "swish_b" bottom: "clip0"
                    top: "sum" }
            layer { name: "clip_out" type: "Clip" bottom: "sum" top: "clip_out" clip_param { min: -0.5 max: 2 } }
            """;

    /** Clip and Swish: the CPU engine (oneDNN clip and swish) and ONNX Runtime against the reference engine. */
    @Test
    void clipAndSwish() throws Exception {
        Path proto = Files.writeString(dir.resolve("cs.prototxt"), CLIP_SWISH);
        // real Caffe 1.0 cannot parse clip_param: seeded weights of the same kind as the oracle's
        Graph g = SeededWeights.fill(CaffeImporter.load(proto, null).graph(), 5);
        float[] x = new float[2 * 3 * 5 * 4];
        InputDistribution.UNIFORM.fill(3, x);
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(2, 3, 5, 4), x));
        List<String> blobs = List.of("conv", "wide", "clip", "swish", "swish_b", "clip0", "sum", "clip_out");
        BackendParity parity = new BackendParity(dir);
        parity.check("clip/swish", g, parity.fromReferenceEngine("cs-ref", g, in, blobs), blobs.size(),
                (label, e, r) -> assertEquals(blobs.size(), r.blobs().size(), label));
        System.out.println("[unary-parity] clip/swish worst relative errors: " + parity.worst());
    }
}
