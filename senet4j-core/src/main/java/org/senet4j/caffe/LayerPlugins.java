package org.senet4j.caffe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.senet4j.ir.op.CustomKernel;

/** The {@link LayerPlugin}s on the class path, loaded once. */
public final class LayerPlugins {
    private static volatile List<LayerPlugin> plugins;
    private static volatile Map<String, LayerConverter> converters;

    private LayerPlugins() {
    }

    /** Every plug-in, in class-path order. */
    public static List<LayerPlugin> all() {
        List<LayerPlugin> p = plugins;
        if (p == null) {
            synchronized (LayerPlugins.class) {
                if (plugins == null) {
                    List<LayerPlugin> found = new ArrayList<>();
                    ServiceLoader.load(LayerPlugin.class, LayerPlugins.class.getClassLoader()).forEach(found::add);
                    Map<String, LayerConverter> c = new LinkedHashMap<>();
                    for (LayerPlugin plugin : found) {
                        plugin.converters().forEach(c::putIfAbsent);
                    }
                    converters = Collections.unmodifiableMap(c);
                    plugins = List.copyOf(found);
                }
                p = plugins;
            }
        }
        return p;
    }

    /** The plug-ins' converter for a layer type, or null (the first plug-in to name a type wins). */
    static LayerConverter converter(String type) {
        all();
        return converters.get(type);
    }

    /** The layer types the plug-ins add. */
    public static List<String> types() {
        all();
        return List.copyOf(converters.keySet());
    }

    /** The plug-ins' names, for messages. */
    public static List<String> names() {
        return all().stream().map(LayerPlugin::name).toList();
    }

    /** The kernel a plug-in recreates from a native file's name and attributes, or null when none knows it. */
    public static CustomKernel kernel(String name, Map<String, Object> attributes) {
        for (LayerPlugin p : all()) {
            CustomKernel k = p.kernel(name, attributes);
            if (k != null) {
                return k;
            }
        }
        return null;
    }
}
