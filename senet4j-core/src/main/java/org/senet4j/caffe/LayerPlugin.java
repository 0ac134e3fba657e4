package org.senet4j.caffe;

import java.util.Map;
import org.senet4j.ir.op.CustomKernel;

/**
 * Adds Caffe layer types that senet4j does not know, found through {@link java.util.ServiceLoader} (list the
 * implementation in {@code META-INF/services/org.senet4j.caffe.LayerPlugin}). A converter maps a layer onto one of the
 * graph's ops, either a built-in one (a fork's renamed ReLU onto {@code ReLU}) or a {@link org.senet4j.ir.op.Custom}
 * op whose {@link CustomKernel} computes the layer in Java; the engines run it on the host. Built-in types win: a
 * plug-in cannot replace them.
 *
 * <p>A converter reads the layer's parameters from the fields caffe.proto defines (a fork layer that reuses BVLC's
 * parameter messages, or {@code python_param.param_str}); fields caffe.proto lacks are reported as unknown fields.
 */
public interface LayerPlugin {
    /** A short name for messages, e.g. the plug-in's artifact. */
    default String name() {
        return getClass().getName();
    }

    /** Converters by Caffe layer type. */
    Map<String, LayerConverter> converters();

    /**
     * Recreates a kernel of this plug-in from the name and attributes a native file stored, or returns null when the
     * name is not one of this plug-in's kernels.
     */
    default CustomKernel kernel(String name, Map<String, Object> attributes) {
        return null;
    }
}
