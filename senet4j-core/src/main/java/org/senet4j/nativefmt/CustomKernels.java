package org.senet4j.nativefmt;

import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.caffe.LayerPlugins;
import org.senet4j.io.Json;
import org.senet4j.ir.op.Custom;
import org.senet4j.ir.op.CustomKernel;

/** Reads a {@link Custom} op back: the plug-in named by its kernel recreates the kernel from its attributes. */
final class CustomKernels {
    private CustomKernels() {
    }

    static Custom recreate(OpReader r) throws ModelException {
        String name = r.string("kernel");
        Object attrs;
        try {
            attrs = Json.parse(r.string("attributes"));
        } catch (IllegalArgumentException e) {
            throw ModelException.field("attrs.attributes", "malformed JSON: " + e.getMessage());
        }
        if (!(attrs instanceof Map<?, ?> m)) {
            throw ModelException.field("attrs.attributes", "expected a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> attributes = (Map<String, Object>) m;
        CustomKernel k = LayerPlugins.kernel(name, attributes);
        if (k == null) {
            throw ModelException.field("attrs.kernel", "the plug-in kernel " + name + " is not on the class path "
                    + "(plug-ins found: " + LayerPlugins.names() + ")");
        }
        return new Custom(k, r.allWeights());
    }
}
