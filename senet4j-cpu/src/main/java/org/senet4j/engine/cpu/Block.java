package org.senet4j.engine.cpu;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A piece of native memory for activations, held by an ND4J array (ND4J owns and frees it). Its capacity is in bytes:
 * float32 and bfloat16 buffers share blocks.
 */
final class Block implements AutoCloseable {
    final long capacity;
    final INDArray array;
    final Pointer pointer;

    Block(long capacity) {
        this.capacity = capacity;
        this.array = Nd4j.createUninitializedDetached(DataType.FLOAT, Math.max(1, (capacity + 3) / 4));
        this.pointer = array.data().addressPointer();
    }

    @Override
    public void close() {
        array.close();
    }
}
