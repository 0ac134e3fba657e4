package org.senet4j.caffe.plugin;

import java.util.List;
import java.util.Map;
import org.senet4j.caffe.LayerConverter;
import org.senet4j.caffe.LayerPlugin;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;
import org.senet4j.ir.op.Custom;
import org.senet4j.ir.op.CustomKernel;
import org.senet4j.ir.op.ReLU;

/**
 * The README's plug-in example: a fork's "SignedSqrt" layer (y = sign(x) sqrt(|x| + eps), eps from
 * {@code power_param.shift}) in Java, and a fork's "LeakyReLU" layer mapped onto the graph's own ReLU.
 */
public final class SignedSqrtPlugin implements LayerPlugin {

    /** The kernel: immutable, its parameters in {@link #attributes()}. */
    public record SignedSqrt(float eps) implements CustomKernel {
        @Override
        public String name() {
            return "example.SignedSqrt";
        }

        @Override
        public Map<String, Object> attributes() {
            return Map.of("eps", (double) eps);
        }

        @Override
        public List<Shape> outputShapes(List<Shape> inputs, Map<String, Tensor> weights) {
            return List.of(inputs.get(0));
        }

        @Override
        public void compute(Map<String, Tensor> weights, List<Shape> inShapes, List<float[]> in,
                            List<Shape> outShapes, List<float[]> out) {
            float[] x = in.get(0);
            float[] y = out.get(0);
            for (int i = 0; i < x.length; i++) {
                y[i] = Math.signum(x[i]) * (float) Math.sqrt(Math.abs(x[i]) + eps);
            }
        }
    }

    @Override
    public Map<String, LayerConverter> converters() {
        return Map.of(
                "SignedSqrt", c -> new Custom(new SignedSqrt(c.layer().getPowerParam().getShift()), Map.of()),
                "LeakyReLU", c -> new ReLU(c.layer().getReluParam().getNegativeSlope()));
    }

    @Override
    public CustomKernel kernel(String name, Map<String, Object> attributes) {
        return name.equals("example.SignedSqrt") ? new SignedSqrt(((Number) attributes.get("eps")).floatValue())
                : null;
    }
}
