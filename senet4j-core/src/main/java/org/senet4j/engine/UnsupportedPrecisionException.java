package org.senet4j.engine;

/**
 * A device was asked for a precision it does not offer at all (the reference engine in bf16, the CPU engine in
 * fp16): a usage error, distinct from a device that offers the precision but cannot run it on this machine
 * ({@link EngineUnavailableException}).
 */
public class UnsupportedPrecisionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnsupportedPrecisionException(String message) {
        super(message);
    }
}
