package org.senet4j.caffe;

/** Small R-CNN prototxts shared by the importer tests here and the oracle tests of senet4j-cli. */
public final class RcnnNets {
    private RcnnNets() {
    }

    /**
     * A tiny Faster R-CNN: stride-16 features of {@code channels} channels (a 4 x 4 convolution, ReLU), an RPN with
     * py-faster-rcnn's 9 anchors and its Python proposal layer ({@code tops} after {@code top: "rois"}, the given
     * {@code param_str}), ROI pooling 2 x 2 at 1/16, and a head (fc, ReLU, class scores and softmax, box deltas).
     */
    public static String rpn(int height, int width, int channels, String tops, String paramStr) {
        return """
            name: "tiny_rcnn"
            input: "data" input_shape { dim: 1 dim: 3 dim: %d dim: %d }
            input: "im_info" input_shape { dim: 1 dim: 3 }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: %d kernel_size: 4 stride: 16 } }
            layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
            layer { name: "rpn_cls_score" type: "Convolution" bottom: "conv" top: "rpn_cls_score"
                    convolution_param { num_output: 18 kernel_size: 1 } }
            layer { name: "rpn_bbox_pred" type: "Convolution" bottom: "conv" top: "rpn_bbox_pred"
                    convolution_param { num_output: 36 kernel_size: 1 } }
            layer { name: "rpn_cls_score_reshape" type: "Reshape" bottom: "rpn_cls_score" top: "rpn_cls_score_reshape"
                    reshape_param { shape { dim: 0 dim: 2 dim: -1 dim: 0 } } }
            layer { name: "rpn_cls_prob" type: "Softmax" bottom: "rpn_cls_score_reshape" top: "rpn_cls_prob" }
            layer { name: "rpn_cls_prob_reshape" type: "Reshape" bottom: "rpn_cls_prob" top: "rpn_cls_prob_reshape"
                    reshape_param { shape { dim: 0 dim: 18 dim: -1 dim: 0 } } }
            layer { name: "proposal" type: "Python" bottom: "rpn_cls_prob_reshape" bottom: "rpn_bbox_pred"
                    bottom: "im_info" top: "rois" %s
                    python_param { module: "rpn.proposal_layer" layer: "ProposalLayer" param_str: "%s" } }
            layer { name: "roi_pool" type: "ROIPooling" bottom: "conv" bottom: "rois" top: "pool"
                    roi_pooling_param { pooled_w: 2 pooled_h: 2 spatial_scale: 0.0625 } }
            layer { name: "fc" type: "InnerProduct" bottom: "pool" top: "fc" inner_product_param { num_output: 6 } }
            layer { name: "relu_fc" type: "ReLU" bottom: "fc" top: "fc" }
            layer { name: "cls_score" type: "InnerProduct" bottom: "fc" top: "cls_score"
                    inner_product_param { num_output: 3 } }
            layer { name: "cls_prob" type: "Softmax" bottom: "cls_score" top: "cls_prob" }
            layer { name: "bbox_pred" type: "InnerProduct" bottom: "fc" top: "bbox_pred"
                    inner_product_param { num_output: 12 } }
            """.formatted(height, width, channels, tops, paramStr);
    }
}
