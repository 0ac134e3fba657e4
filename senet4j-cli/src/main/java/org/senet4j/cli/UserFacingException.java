package org.senet4j.cli;

/** An error whose message is complete for the user, with the exit code it maps to. */
public class UserFacingException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public UserFacingException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public UserFacingException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
