package org.senet4j.onnx;

import static org.senet4j.onnx.OnnxGraphBuilder.attr;
import static org.senet4j.onnx.OnnxGraphBuilder.ints;

import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.Dropout;
import org.senet4j.ir.op.InnerProduct;
import org.senet4j.ir.op.Pooling;
import org.senet4j.ir.op.ReLU;
import org.senet4j.ir.op.Sigmoid;
import org.senet4j.ir.op.Split;

/**
 * The R-CNN layers in ONNX. ROIPooling is ONNX's MaxRoiPool, whose reference kernel (ONNX Runtime's) rounds the
 * corners, sizes the bins and clips exactly as Fast R-CNN, but starts each bin's maximum at the smallest positive
 * float instead of -FLT_MAX: it agrees when the pooled map has no negative values, which the export proves from the
 * layer that computes the map (a ReLU or sigmoid, also fused into a convolution or inner product, or max pooling or dropout of one of them). PSROIPooling
 * and the proposal layer have no faithful standard form and are refused.
 */
final class RcnnExport {
    private RcnnExport() {
    }

    static void roiPooling(OnnxGraphBuilder b, Graph g, Node n, org.senet4j.ir.op.RoiPooling op)
            throws ModelException {
        if (!nonNegative(g, n.inputs().get(0), 0)) {
            throw ModelException.field("bottom[0]", "ONNX's MaxRoiPool (as ONNX Runtime computes it) starts each bin's "
                    + "maximum at the smallest positive float, so it agrees with Fast R-CNN's ROIPooling only on a map "
                    + "without negative values, and \"" + n.inputs().get(0) + "\" is not known to be one (it is not "
                    + "the output of a ReLU or sigmoid); export the net up to this layer's bottoms (convert "
                    + "--outputs " + String.join(",", n.inputs()) + ") and pool outside");
        }
        String rois = n.inputs().get(1);
        Shape rs = g.shape(rois);
        if (rs.rank() != 2) {
            String flat = n.name() + "/rois2d";
            b.node("Reshape", n.name() + "/rois", List.of(rois, b.int64s(n.name() + "/rois_shape", new long[] {-1, 5})),
                    List.of(flat));
            rois = flat;
        }
        b.node("MaxRoiPool", n.name(), List.of(n.inputs().get(0), rois), List.of(n.outputs().get(0)),
                ints("pooled_shape", op.pooledH(), op.pooledW()), attr("spatial_scale", op.spatialScale()));
    }

    /** Whether the value is provably non-negative from the ops that compute it (a few steps back). */
    static boolean nonNegative(Graph g, String value, int depth) {
        Node p = g.producer(value);
        if (p == null || depth > 8) {
            return false;
        }
        if (p.op() instanceof ReLU r) {
            return r.negativeSlope() == 0;
        }
        if (p.op() instanceof Sigmoid) {
            return true;
        }
        if (p.op() instanceof Convolution c) {
            return nonNegative(c.activation());
        }
        if (p.op() instanceof InnerProduct ip) {
            return nonNegative(ip.activation());
        }
        if (p.op() instanceof Pooling pl) {
            return pl.method() == Pooling.Method.MAX && nonNegative(g, p.inputs().get(0), depth + 1);
        }
        return (p.op() instanceof Dropout || p.op() instanceof Split) && nonNegative(g, p.inputs().get(0), depth + 1);
    }

    private static boolean nonNegative(Activation a) {
        return a.equals(Activation.RELU) || a.kind() == Activation.Kind.SIGMOID;
    }

    static void psRoiPooling(Node n) throws ModelException {
        throw ModelException.field(null, "position-sensitive ROI pooling (each bin averaging its own channel over a "
                + "region known only at run time) has no faithful form in standard ONNX operators; export the net up "
                + "to this layer's bottoms (convert --outputs " + String.join(",", n.inputs()) + ") and pool outside");
    }

    static void proposal(Node n) throws ModelException {
        throw ModelException.field(null, "py-faster-rcnn's proposal layer is not exported: its order of tied scores "
                + "(two stable sorts) and its NMS (areas with +1, suppression above the threshold, run on the "
                + "pre-NMS top-N in that order) have no faithful form in standard ONNX operators (NonMaxSuppression "
                + "has neither the +1 nor a defined order for ties); export the net up to this layer's bottoms "
                + "(convert --outputs " + String.join(",", n.inputs().subList(0, 2)) + ") and run the proposals "
                + "outside, or use the native format");
    }
}
