package org.senet4j.engine.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.List;
import org.bytedeco.dnnl.inner_product_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.InnerProduct;

/**
 * InnerProduct with {@code axis 1} as a oneDNN inner product. A 4-D input keeps its logical C x H x W flattening
 * because the weights are given to oneDNN with the same logical dims; transposed weights are transposed once.
 */
final class InnerProductStep extends AbstractStep {
    private final InnerProduct op;
    private final Buf in;
    private final Buf out;

    InnerProductStep(String name, InnerProduct op, Buf in, Buf out) {
        super(name, List.of(in), List.of(out));
        this.op = op;
        this.in = in;
        this.out = out;
    }

    static boolean supported(InnerProduct op, Shape in) {
        return op.axis() == 1 && (in.rank() == 2 || in.rank() == 4);
    }

    @Override
    public void bind(Dnnl d) {
        int n = op.numOutput();
        int k = op.inputSize();
        float[] w = op.weightRows();
        Shape wShape = in.shape.rank() == 4 ? Shape.of(n, in.shape.dim(1), in.shape.dim(2), in.shape.dim(3))
                : Shape.of(n, k);
        memory.desc wAny = d.keep(new memory.desc(Dnnl.dims(wShape), in.isBf16() ? Dnnl.BF16 : Dnnl.F32,
                memory.format_tag.any));
        memory.desc bDesc = d.desc(Shape.of(n));
        inner_product_forward.primitive_desc pd = d.keep(new inner_product_forward.primitive_desc(d.engine,
                dnnl.prop_kind.forward_inference, d.desc(in), wAny, bDesc, d.desc(out),
                d.attr(op.activation()), false));
        memory weights = ConvStep.reorderOnce(d, w, d.desc(wShape, Dnnl.tag(wShape.rank(), false)),
                pd.weights_desc());
        float[] bias = op.bias() == null ? new float[n] : op.bias().toArray();
        memory b = d.allocate(bDesc);
        new FloatPointer(b.get_data_handle()).capacity(n).put(bias);
        prim = d.keep(new inner_product_forward(pd));
        args = d.args(DNNL_ARG_SRC, in.mem(d), DNNL_ARG_WEIGHTS, weights, DNNL_ARG_BIAS, b, DNNL_ARG_DST,
                out.mem(d));
    }

    @Override
    public String describe() {
        return name + " [inner product" + (in.isBf16() ? " bf16" : "") + "]";
    }
}
