package org.senet4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import org.senet4j.ModelException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code senet4j} command line. */
@Command(name = "senet4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Caffe SENet models in Java: inspect, run, verify against real Caffe, convert, classify images.",
        subcommands = {InspectCommand.class, RunCommand.class, VerifyCommand.class, ConvertCommand.class, BenchCommand.class,
            ClassifyCommand.class, EvaluateCommand.class, DevicesCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:a check failed (verify: some blob exceeded its tolerance)",
            "2:usage error (unknown option, missing or bad argument)",
            "3:bad model file (malformed, unsupported layer, wrong weights)",
            "4:I/O error (missing file, no permission, output exists or cannot be written)",
            "5:computation failed (engine, real Caffe, unexpected error)"})
public final class Main implements Runnable {

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Show stack traces of errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (never calls System.exit). */
    public static int run(String... args) {
        try {
            return newCommandLine(Arrays.asList(args).contains("--debug")).execute(args);
        } catch (OutOfMemoryError e) {
            // Not an Exception, so picocli's handler never sees it; without this the user gets a bare stack trace.
            System.err.println(outOfMemoryMessage(Runtime.getRuntime().maxMemory()));
            return ExitCode.FAILURE;
        }
    }

    /** What a command that ran out of Java heap prints: the heap it had and how to give it more. */
    static String outOfMemoryMessage(long maxHeapBytes) {
        return "senet4j: out of Java heap memory (this JVM may use " + (maxHeapBytes >> 20) + " MB); give it more "
                + "with SENET4J_JAVA_OPTS=-Xmx<size> (for example -Xmx16g), or use a smaller --batch";
    }

    static CommandLine newCommandLine(boolean debug) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            int code = exitCodeOf(ex);
            Throwable shown = ex;
            err.println("senet4j " + cmd.getCommandName() + ": " + message(shown));
            if (debug) {
                ex.printStackTrace(err);
            } else if (code == ExitCode.FAILURE && !(ex instanceof UserFacingException)
                    && !(ex instanceof org.senet4j.engine.EngineUnavailableException)) {
                err.println("(run with --debug for the stack trace)");
            }
            err.flush();
            return code;
        });
        cl.setExitCodeExceptionMapper(ExitCodes::of);
        return cl;
    }

    static int exitCodeOf(Throwable ex) {
        return ExitCodes.of(ex);
    }

    private static String message(Throwable ex) {
        if (ex instanceof NoSuchFileException e) {
            return "no such file: " + e.getFile() + (e.getReason() == null ? "" : " (" + e.getReason() + ")");
        }
        if (ex instanceof AccessDeniedException e) {
            return "permission denied: " + e.getFile();
        }
        if (ex instanceof FileAlreadyExistsException e) {
            return e.getFile() + " already exists" + (e.getReason() == null ? "" : ": " + e.getReason());
        }
        String m = ex.getMessage();
        if (m == null || m.isBlank()) {
            m = ex.getClass().getSimpleName();
        }
        if (ex instanceof IOException && !(ex instanceof UserFacingException)) {
            return "I/O error: " + m;
        }
        return m;
    }

    /** Maps exceptions to exit codes. */
    static final class ExitCodes {
        private ExitCodes() {
        }

        static int of(Throwable ex) {
            if (ex instanceof UserFacingException u) {
                return u.exitCode();
            }
            if (ex instanceof ModelException) {
                return ExitCode.BAD_MODEL;
            }
            if (ex instanceof org.senet4j.labels.LabelFileException) {
                return ExitCode.USAGE;
            }
            if (ex instanceof CommandLine.ParameterException
                    || ex instanceof org.senet4j.engine.UnsupportedPrecisionException) {
                return ExitCode.USAGE;
            }
            if (ex instanceof IOException || ex instanceof java.io.UncheckedIOException) {
                return ExitCode.IO;
            }
            return ExitCode.FAILURE;
        }
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"senet4j " + (v == null ? "(development build)" : v)};
        }
    }
}
