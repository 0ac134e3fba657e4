package org.senet4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;

/** Runs the CLI in-process and captures its output. */
public final class CliRunner {
    public record Result(int code, String out, String err) {
    }

    private CliRunner() {
    }

    public static Result run(String... args) {
        var cl = Main.newCommandLine(Arrays.asList(args).contains("--debug"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
