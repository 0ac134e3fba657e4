package org.senet4j.ir.op;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.senet4j.ModelException;
import org.senet4j.ir.Shape;
import org.senet4j.ir.Tensor;

/**
 * A layer type senet4j does not implement itself, computed by a plug-in's {@link CustomKernel} on the host. The
 * reference, CPU and CUDA engines run it (the CUDA engine through its host path); ONNX export refuses it, naming the
 * layer; native files store the kernel's name and attributes and need the plug-in again to load.
 *
 * @param weights the layer's learned blobs, in Caffe's order
 */
public record Custom(CustomKernel kernel, Map<String, Tensor> weights) implements Op {
    public Custom {
        Objects.requireNonNull(kernel, "kernel");
        weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }

    @Override
    public List<Shape> outputShapes(List<Shape> inputs) throws ModelException {
        return List.copyOf(kernel.outputShapes(inputs, weights));
    }

    @Override
    public Map<String, Tensor> weights() {
        return weights;
    }

    @Override
    public Op withWeights(Map<String, Tensor> w) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            out.put(e.getKey(), Checks.replace(w, e.getKey(), e.getValue()));
        }
        return new Custom(kernel, out);
    }
}
