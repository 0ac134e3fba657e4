/**
 * The small public facade: load a model ({@link org.senet4j.api.Model}), open a
 * {@link org.senet4j.api.Session} on a device, run it on arrays or buffers ({@code org.senet4j.api.nd4j.INDArrays} in senet4j-cpu adds ND4J arrays), read named blobs,
 * and classify images with the model's preprocessing and the SENet release's class order.
 *
 * <pre>{@code
 * Model model = Model.load(Path.of("SE-ResNet-50.prototxt"), Path.of("SE-ResNet-50.caffemodel"))
 *         .withLabels(ClassLabels.read(Path.of("map_clsloc.txt")));
 * try (Session s = model.newSession()) {
 *     for (Prediction p : s.classify(Path.of("cat.jpg"), 5).top()) {
 *         System.out.println(p);
 *     }
 * }
 * }</pre>
 */
package org.senet4j.api;
