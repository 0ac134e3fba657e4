/**
 * senet4j's native model format: one memory-mappable file holding a graph and its weights, laid out as a safetensors
 * file whose {@code __metadata__} carries the graph as JSON (see {@link org.senet4j.nativefmt.NativeFormat} for the
 * layout). {@link org.senet4j.nativefmt.NativeWriter} writes it atomically and streams the weights;
 * {@link org.senet4j.nativefmt.NativeReader} maps it and wraps the weights without copying, after checking every
 * byte range and the graph. {@code OpCodecs} is the one table mapping op records to their
 * serialised attributes.
 */
package org.senet4j.nativefmt;
