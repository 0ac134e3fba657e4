package org.senet4j.api.nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.senet4j.ModelException;
import org.senet4j.api.Session;
import org.senet4j.engine.HostTensor;
import org.senet4j.ir.Shape;

/**
 * ND4J arrays in and out of a {@link Session} (the core facade works on {@code float[]} and {@code FloatBuffer}; this
 * module brings ND4J, so the interop lives here).
 */
public final class INDArrays {
    private INDArrays() {
    }

    /**
     * Runs the single input of the session's model on an ND4J array (N x C x H x W; other data types are cast to
     * float) and returns the requested blobs, the graph outputs when none are named, as new float arrays in C order.
     *
     * @throws IllegalArgumentException when the array's rank is not the input's
     * @throws ModelException when the shape does not fit the net, or a blob is unknown
     */
    public static Map<String, INDArray> run(Session session, INDArray input, String... blobs) throws ModelException {
        String name = session.singleInput();
        Shape want = session.model().graph().shape(name);
        long[] dims = input.shape();
        if (dims.length != want.rank()) {
            throw new IllegalArgumentException("input \"" + name + "\" needs rank " + want.rank() + " (N x "
                    + want.slice(1, want.rank()) + "), got shape " + Arrays.toString(dims));
        }
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = Math.toIntExact(dims[i]);
        }
        INDArray c = (input.dataType() == DataType.FLOAT ? input : input.castTo(DataType.FLOAT)).dup('c');
        float[] data = Arrays.copyOf(c.data().asFloat(), Math.toIntExact(c.length()));
        Map<String, HostTensor> out = session.run(Map.of(name, new HostTensor(Shape.of(shape), data)), blobs);
        Map<String, INDArray> res = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : out.entrySet()) {
            long[] s = Arrays.stream(e.getValue().shape().dims()).asLongStream().toArray();
            res.put(e.getKey(), Nd4j.create(e.getValue().data(), s, 'c'));
        }
        return res;
    }
}
