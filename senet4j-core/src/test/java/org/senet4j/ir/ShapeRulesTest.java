package org.senet4j.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.senet4j.ModelException;
import org.senet4j.ir.op.Activation;
import org.senet4j.ir.op.Axpy;
import org.senet4j.ir.op.Concat;
import org.senet4j.ir.op.Convolution;
import org.senet4j.ir.op.Eltwise;
import org.senet4j.ir.op.Flatten;
import org.senet4j.ir.op.InnerProduct;
import org.senet4j.ir.op.Pooling;
import org.senet4j.ir.op.Reshape;
import org.senet4j.ir.op.Scale;
import org.senet4j.ir.op.Slice;

/** Caffe's shape rules, case by case (each expected value worked out from Caffe's formulas). */
class ShapeRulesTest {

    private static Pooling pool(Pooling.Method m, int k, int s, int p, boolean ceil) {
        return new Pooling(m, k, k, s, s, p, p, false, ceil);
    }

    @Test
    void poolingRoundsUpLikeCaffe() throws ModelException {
        // SE-ResNet pool1: 112x112, k3 s2 p0 -> ceil(109/2)+1 = 56 (floor would give 55)
        assertEquals(Shape.of(1, 64, 56, 56), pool(Pooling.Method.MAX, 3, 2, 0, true)
                .outputShapes(List.of(Shape.of(1, 64, 112, 112))).get(0));
        assertEquals(Shape.of(1, 64, 55, 55), pool(Pooling.Method.MAX, 3, 2, 0, false)
                .outputShapes(List.of(Shape.of(1, 64, 112, 112))).get(0));
    }

    @Test
    void poolingDropsWindowStartingInPadding() throws ModelException {
        // H=4, k2 s2 p1: ceil((4+2-2)/2)+1 = 3; last window starts at 2*2-1 = 3 < 4+1 -> kept
        assertEquals(3, Pooling.pooledSize(4, 2, 2, 1, true, true));
        // H=5, k2 s2 p1: ceil(5/2)+1 = 4; (4-1)*2 = 6 >= 5+1 -> dropped -> 3
        assertEquals(3, Pooling.pooledSize(5, 2, 2, 1, true, true));
        // without any padding the clip rule does not apply: H=5, k2 s2 -> ceil(3/2)+1 = 3
        assertEquals(3, Pooling.pooledSize(5, 2, 2, 0, true, false));
    }

    @Test
    void globalPoolingGivesOneByOne() throws ModelException {
        Pooling g = new Pooling(Pooling.Method.AVE, 0, 0, 1, 1, 0, 0, true, true);
        assertEquals(Shape.of(2, 256, 1, 1), g.outputShapes(List.of(Shape.of(2, 256, 7, 9))).get(0));
    }

    @Test
    void poolingKernelLargerThanInputFollowsCaffe() throws Exception {
        // Caffe's size rule, not a stricter one: OpenPose's 1x1 placeholder input through 2x2/2 pooling gives 1x1
        assertEquals(Shape.of(1, 3, 1, 1), pool(Pooling.Method.MAX, 2, 2, 0, true).outputShapes(
                List.of(Shape.of(1, 3, 1, 1))).get(0));
        assertEquals(Shape.of(1, 3, 1, 1), pool(Pooling.Method.AVE, 3, 2, 0, true).outputShapes(
                List.of(Shape.of(1, 3, 2, 2))).get(0));
        ModelException e = assertThrows(ModelException.class,
                () -> pool(Pooling.Method.MAX, 5, 1, 0, true).outputShapes(List.of(Shape.of(1, 1, 3, 3))));
        assertTrue(e.getMessage().contains("gives an empty -1x-1 output"), e.getMessage());
    }

    @Test
    void convolutionWithGroupsDilationAndRectangularKernel() throws ModelException {
        Convolution c = new Convolution(12, 4, 5, 2, 3, 1, 2, 2, 1, 3, Tensor.placeholder(Shape.of(12, 2, 4, 5)),
                null, Activation.NONE);
        // H: (75 + 2 - (2*3+1)) / 2 + 1 = 36; W: (113 + 4 - 5) / 3 + 1 = 38
        assertEquals(Shape.of(2, 12, 36, 38), c.outputShapes(List.of(Shape.of(2, 6, 75, 113))).get(0));
        ModelException e = assertThrows(ModelException.class,
                () -> c.outputShapes(List.of(Shape.of(2, 7, 75, 113))));
        assertTrue(e.getMessage().contains("group"), e.getMessage());
    }

    @Test
    void innerProductFlattensFromAxis() throws ModelException {
        InnerProduct ip = new InnerProduct(1000, 1, false, Tensor.placeholder(Shape.of(1000, 2048)), null,
                Activation.NONE);
        assertEquals(Shape.of(4, 1000), ip.outputShapes(List.of(Shape.of(4, 2048, 1, 1))).get(0));
        InnerProduct ax3 = new InnerProduct(2, 3, false, Tensor.placeholder(Shape.of(2, 113)), null,
                Activation.NONE);
        assertEquals(Shape.of(2, 6, 75, 2), ax3.outputShapes(List.of(Shape.of(2, 6, 75, 113))).get(0));
    }

    @Test
    void reshapeCopiesAndInfers() throws ModelException {
        assertEquals(Shape.of(8, 64), new Reshape(List.of(0, 0), 0, -1)
                .outputShapes(List.of(Shape.of(8, 64, 1, 1))).get(0));
        assertEquals(Shape.of(2, 3, 4), new Reshape(List.of(0, -1, 4), 0, -1)
                .outputShapes(List.of(Shape.of(2, 12))).get(0));
        // axis/num_axes: replace only axis 1 of 2x8 by 2x4
        assertEquals(Shape.of(2, 2, 4), new Reshape(List.of(2, 4), 1, -1)
                .outputShapes(List.of(Shape.of(2, 8))).get(0));
        // axis -1 appends after the last axis
        assertEquals(Shape.of(2, 8, 1), new Reshape(List.of(1), -1, 0)
                .outputShapes(List.of(Shape.of(2, 8))).get(0));
        assertThrows(ModelException.class, () -> new Reshape(List.of(5, -1), 0, -1)
                .outputShapes(List.of(Shape.of(2, 8))));
    }

    @Test
    void twoInputScaleFollowsAxis() throws ModelException {
        Scale s = new Scale(0, 2, null, null);
        assertEquals(Shape.of(2, 64, 7, 7), s.outputShapes(List.of(Shape.of(2, 64, 7, 7), Shape.of(2, 64))).get(0));
        ModelException e = assertThrows(ModelException.class,
                () -> s.outputShapes(List.of(Shape.of(2, 64, 7, 7), Shape.of(64, 2))));
        assertTrue(e.getMessage().contains("scale_param.axis"), e.getMessage());
    }

    @Test
    void axpyChecksItsThreeInputs() throws ModelException {
        Axpy a = new Axpy();
        assertEquals(Shape.of(2, 8, 5, 5), a.outputShapes(List.of(Shape.of(2, 8, 1, 1), Shape.of(2, 8, 5, 5),
                Shape.of(2, 8, 5, 5))).get(0));
        assertEquals(Shape.of(2, 8, 5, 5), a.outputShapes(List.of(Shape.of(2, 8), Shape.of(2, 8, 5, 5),
                Shape.of(2, 8, 5, 5))).get(0));
        assertThrows(ModelException.class, () -> a.outputShapes(List.of(Shape.of(2, 8, 1, 1),
                Shape.of(2, 8, 5, 5), Shape.of(2, 8, 5, 4))));
        assertThrows(ModelException.class, () -> a.outputShapes(List.of(Shape.of(2, 8, 2, 1),
                Shape.of(2, 8, 5, 5), Shape.of(2, 8, 5, 5))));
    }

    @Test
    void concatSliceFlattenEltwise() throws ModelException {
        assertEquals(Shape.of(1, 10, 4, 4), new Concat(1).outputShapes(List.of(Shape.of(1, 3, 4, 4),
                Shape.of(1, 7, 4, 4))).get(0));
        assertThrows(ModelException.class, () -> new Concat(1).outputShapes(List.of(Shape.of(1, 3, 4, 4),
                Shape.of(1, 7, 4, 5))));
        assertEquals(List.of(Shape.of(1, 3, 4), Shape.of(1, 6, 4), Shape.of(1, 3, 4)),
                new Slice(1, List.of(3, 9), 3).outputShapes(List.of(Shape.of(1, 12, 4))));
        assertEquals(List.of(Shape.of(1, 4, 4), Shape.of(1, 4, 4), Shape.of(1, 4, 4)),
                new Slice(1, List.of(), 3).outputShapes(List.of(Shape.of(1, 12, 4))));
        assertEquals(Shape.of(2, 60), new Flatten(1, 3).outputShapes(List.of(Shape.of(2, 3, 4, 5))).get(0));
        assertThrows(ModelException.class, () -> new Eltwise(Eltwise.Operation.SUM, List.of())
                .outputShapes(List.of(Shape.of(1, 2), Shape.of(1, 3))));
    }
}
