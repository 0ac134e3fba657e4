package org.senet4j.engine.cuda;

import org.bytedeco.javacpp.Pointer;

/**
 * A raw address (device or pinned host memory) as a JavaCPP {@link Pointer} with position 0 and no deallocator, to
 * pass to native calls. Owns nothing.
 */
final class DevicePtr extends Pointer {
    DevicePtr(long address) {
        this.address = address;
    }

    static DevicePtr of(long address) {
        return new DevicePtr(address);
    }
}
