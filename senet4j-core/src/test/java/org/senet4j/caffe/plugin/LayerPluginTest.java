package org.senet4j.caffe.plugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.LayerConverters;
import org.senet4j.caffe.LayerPlugins;
import org.senet4j.engine.Engine;
import org.senet4j.engine.EngineOptions;
import org.senet4j.engine.Engines;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Custom;
import org.senet4j.ir.op.ReLU;
import org.senet4j.nativefmt.NativeReader;
import org.senet4j.nativefmt.NativeWriter;
import org.senet4j.onnx.ExportOptions;
import org.senet4j.onnx.OnnxExporter;

/** A net with layer types only a plug-in knows loads, runs, round-trips through the native format and is refused by
 * the ONNX exporter with the layer's name. */
class LayerPluginTest {
    @TempDir
    Path dir;

    static final String NET = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 2 dim: 3 } } }
            layer { name: "leaky" type: "LeakyReLU" bottom: "data" top: "leaky" relu_param { negative_slope: 0.5 } }
            layer { name: "sqrt" type: "SignedSqrt" bottom: "leaky" top: "sqrt" power_param { shift: 0.0625 } }
            """;

    @Test
    void aPluginsLayersLoadAndRunEverywhereTheyCan() throws Exception {
        assertTrue(LayerPlugins.types().containsAll(List.of("SignedSqrt", "LeakyReLU")), LayerPlugins.types().toString());
        assertTrue(LayerConverters.forType("ReLU") != null && LayerConverters.forType("SignedSqrt") != null);
        Path p = Files.writeString(dir.resolve("net.prototxt"), NET);
        Graph g = CaffeImporter.load(p, null).graph();
        assertEquals(new ReLU(0.5f), g.node("leaky").op());
        assertTrue(g.node("sqrt").op() instanceof Custom c && c.kernel().name().equals("example.SignedSqrt"));
        assertEquals("SignedSqrt", g.node("sqrt").type());

        float[] x = {-8, -2, 0, 0.25f, 1, 4};
        float[] want = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float leaky = x[i] < 0 ? 0.5f * x[i] : x[i];
            want[i] = Math.signum(leaky) * (float) Math.sqrt(Math.abs(leaky) + 0.0625f);
        }
        assertArrayEquals(new float[] {-2.0155644f, -1.0307764f, 0, 0.5590170f, 1.0307764f, 2.0155644f}, want, 1e-6f);
        try (Engine e = Engines.create("reference", g, EngineOptions.DEFAULT)) {
            HostTensor out = e.run(Map.of("data", new HostTensor(Shape.of(1, 1, 2, 3), x))).get("sqrt");
            assertArrayEquals(want, out.data(), 1e-6f);
        }

        Path nat = dir.resolve("net.senet4j");
        NativeWriter.write(g, nat);
        Graph back = NativeReader.read(nat);
        assertEquals(g.node("sqrt").op(), back.node("sqrt").op());
        try (Engine e = Engines.create("reference", back, EngineOptions.DEFAULT)) {
            assertArrayEquals(want, e.run(Map.of("data", new HostTensor(Shape.of(1, 1, 2, 3), x))).get("sqrt")
                    .data(), 1e-6f);
        }

        ModelException onnx = assertThrows(ModelException.class,
                () -> OnnxExporter.toModel(g, ExportOptions.DEFAULT));
        assertTrue(onnx.getMessage().contains("layer \"sqrt\" (SignedSqrt)") && onnx.getMessage()
                .contains("example.SignedSqrt, which has no ONNX form"), onnx.getMessage());
    }
}
