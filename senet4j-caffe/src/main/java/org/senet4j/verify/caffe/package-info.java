/**
 * The parity oracle: real Caffe ({@code org.bytedeco:caffe:1.0-1.5.8}, CPU, TEST phase, with SENet's Axpy layer)
 * run in a child JVM, because a failed Caffe CHECK aborts the process that runs it.
 *
 * <ul>
 *   <li>{@link org.senet4j.verify.caffe.CaffeOracle} (this JVM): starts the child, turns its failures into
 *       {@link org.senet4j.verify.caffe.CaffeOracleException} (with Caffe's {@code Check failed: ...} line), reads
 *       its results. Never loads a native library.</li>
 *   <li>{@link org.senet4j.verify.caffe.CaffeOracleMain} (the child): {@code write-weights} (tame seeded random
 *       weights + manifest), {@code forward} (every blob as {@code .npy}, plus {@code blobs.tsv} and
 *       {@code layers.tsv}), {@code time}, {@code make-reference} (all three in one process; wrapped by
 *       {@code tools/caffe-reference}).</li>
 * </ul>
 *
 * <p>What the blobs mean: Caffe's blob names, in net order. In-place layers (BatchNorm, Scale, ReLU, Sigmoid,
 * Dropout) overwrite their bottom, so such a blob holds the value after the last in-place layer; where one blob
 * feeds several layers Caffe inserts a {@code Split} layer whose tops are named
 * {@code <blob>_<layer>_<index>_split_<n>} (copies of the same values). Compare the blobs both sides have.
 */
package org.senet4j.verify.caffe;
