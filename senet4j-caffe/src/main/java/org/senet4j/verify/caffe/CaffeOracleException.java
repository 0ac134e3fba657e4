package org.senet4j.verify.caffe;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The Caffe oracle's child process failed: Caffe aborted (a failed {@code CHECK} or {@code LOG(FATAL)}), the child
 * reported an error, it timed out, or its results could not be read. The message names the command and the
 * prototxt and includes Caffe's fatal message (if any) and the tail of the child's output.
 */
public class CaffeOracleException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String command;
    private final transient Path prototxt;
    private final Integer exitCode;
    private final String fatalMessage;
    private final String outputTail;

    CaffeOracleException(String message, String command, Path prototxt, Integer exitCode, String fatalMessage,
                         String outputTail, Throwable cause) {
        super(message, cause);
        this.command = command;
        this.prototxt = prototxt;
        this.exitCode = exitCode;
        this.fatalMessage = fatalMessage;
        this.outputTail = outputTail == null ? "" : outputTail;
    }

    /** The oracle command that failed, e.g. {@code forward}. */
    public String command() {
        return command;
    }

    /** The prototxt the command ran on. */
    public Path prototxt() {
        return prototxt;
    }

    /** The child's exit status (128 + signal when it was killed by a signal); empty if it did not exit. */
    public OptionalInt exitCode() {
        return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    /** Caffe's fatal log message, e.g. {@code Check failed: ... (eltwise_layer.cpp:34)}, when there was one. */
    public Optional<String> fatalMessage() {
        return Optional.ofNullable(fatalMessage);
    }

    /** The last lines of the child's stderr (empty when not available). */
    public String outputTail() {
        return outputTail;
    }
}
