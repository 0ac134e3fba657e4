package org.senet4j.engine.cuda;

/** Something with a device address, known once memory is allocated (a planned value, a weight buffer). */
interface Address {
    long address();
}
