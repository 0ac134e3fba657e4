package org.senet4j.cli;

/** The exit codes of the {@code senet4j} command, documented in the README. */
public final class ExitCode {
    /** Success. */
    public static final int OK = 0;
    /** The command ran but its check failed (verify: a blob exceeded its tolerance). */
    public static final int CHECK_FAILED = 1;
    /** Wrong command-line usage: unknown flag, missing argument, bad value. */
    public static final int USAGE = 2;
    /** A model file is malformed or unsupported (names the file, layer and field). */
    public static final int BAD_MODEL = 3;
    /** A file could not be read or written. */
    public static final int IO = 4;
    /** The computation failed (engine, real Caffe, or an unexpected error). */
    public static final int FAILURE = 5;

    private ExitCode() {
    }
}
