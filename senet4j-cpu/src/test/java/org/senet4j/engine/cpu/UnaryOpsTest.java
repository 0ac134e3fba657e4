package org.senet4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.global.dnnl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Unary;
import org.senet4j.verify.BlobResult;

/**
 * The Unary ops on the CPU engine: which run as oneDNN eltwise primitives, and every kind against the reference
 * engine over inputs from -100 to 100 (BNLL and ELU far out, Exp and Log on moderate and positive values).
 */
class UnaryOpsTest {
    @TempDir
    Path dir;

    @Test
    void oneDnnWhereItsFormulaIsCaffes() {
        assertEquals(dnnl.algorithm.eltwise_elu, Plan.eltwise(Unary.elu(0.5f)));
        assertEquals(dnnl.algorithm.eltwise_abs, Plan.eltwise(Unary.abs()));
        assertEquals(dnnl.algorithm.eltwise_soft_relu, Plan.eltwise(Unary.bnll()));
        assertEquals(dnnl.algorithm.eltwise_clip, Plan.eltwise(Unary.clip(-1f, 6f)));
        assertEquals(dnnl.algorithm.eltwise_swish, Plan.eltwise(Unary.swish(2f)));
        assertEquals(dnnl.algorithm.eltwise_exp, Plan.eltwise(Unary.exp(-1f, 1f, 0f)));
        assertEquals(dnnl.algorithm.eltwise_log, Plan.eltwise(Unary.log(-1f, 1f, 0f)));
        assertNull(Plan.eltwise(Unary.exp(2f, 1f, 0f)));
        assertNull(Plan.eltwise(Unary.exp(-1f, 1f, 0.5f)));
        assertNull(Plan.eltwise(Unary.log(10f, 1f, 0f)));
        assertNull(Plan.eltwise(Unary.log(-1f, 2f, 0f)));
        assertNull(Plan.eltwise(Unary.threshold(0.3f)));
    }

    @Test
    void everyKindMatchesTheReferenceEngine() throws Exception {
        Path p = Files.writeString(dir.resolve("net.prototxt"), """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 10 dim: 10 } } }
                layer { name: "small" type: "Power" bottom: "data" top: "small" power_param { scale: 0.04 } }
                layer { name: "abs" type: "AbsVal" bottom: "data" top: "abs" }
                layer { name: "elu" type: "ELU" bottom: "data" top: "elu" }
                layer { name: "elu05" type: "ELU" bottom: "data" top: "elu05" elu_param { alpha: 0.5 } }
                layer { name: "exp" type: "Exp" bottom: "small" top: "exp" }
                layer { name: "exp2" type: "Exp" bottom: "small" top: "exp2" exp_param { base: 2 scale: 3 shift: -1 } }
                layer { name: "pos" type: "Power" bottom: "abs" top: "pos" power_param { shift: 0.01 } }
                layer { name: "log" type: "Log" bottom: "pos" top: "log" }
                layer { name: "log10" type: "Log" bottom: "pos" top: "log10" log_param { base: 10 scale: 2 shift: 0.5 } }
                layer { name: "bnll" type: "BNLL" bottom: "data" top: "bnll" }
                layer { name: "thr" type: "Threshold" bottom: "data" top: "thr" threshold_param { threshold: 0.3 } }
                layer { name: "clip" type: "Clip" bottom: "data" top: "clip" clip_param { min: -1 max: 6 } }
                layer { name: "swish" type: "Swish" bottom: "data" top: "swish" }
                layer { name: "swish_b" type: "Swish" bottom: "small" top: "swish_b" swish_param { beta: 3 } }
                layer { name: "elu_ip" type: "ELU" bottom: "swish_b" top: "swish_b" elu_param { alpha: 0.5 } }
                """);
        Graph g = CaffeImporter.load(p, null).graph();
        float[] x = new float[600];
        for (int i = 0; i < x.length; i++) {
            x[i] = -100f + 200f * i / (x.length - 1);
        }
        x[7] = 0f;
        x[8] = 0.3f;
        x[9] = -0f;
        Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(2, 3, 10, 10), x));
        List<String> outs = g.nodes().stream().filter(n -> n.op() instanceof Unary).map(Node::outputs)
                .map(o -> o.get(0)).distinct().toList();
        assertEquals(13, outs.size(), outs.toString());
        Map<String, HostTensor> ref;
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            ref = e.run(in, outs);
        }
        try (Engine e = Engines.create("cpu", g, EngineOptions.DEFAULT.withThreads(2))) {
            Map<String, HostTensor> cpu = e.run(in, outs);
            for (String o : outs) {
                BlobResult c = BlobResult.compare(o, ref.get(o).shape(), cpu.get(o).data(), ref.get(o).data(), 1e-5);
                assertTrue(c.pass(), c.toString());
            }
        }
    }
}
