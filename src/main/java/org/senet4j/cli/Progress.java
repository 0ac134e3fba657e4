package org.senet4j.cli;

import java.io.PrintWriter;
import java.util.Locale;

/** A one-line progress bar on the terminal (nothing when the output is not a terminal or the work is small). */
final class Progress {
    private static final long MIN_BYTES = 50_000_000L;
    private final PrintWriter err;
    private final String label;
    private int lastPercent = -1;
    private boolean shown;

    private Progress(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
    }

    static Progress forTerminal(PrintWriter err, String label) {
        return new Progress(System.console() != null ? err : null, label);
    }

    void update(long done, long total) {
        if (err == null || total < MIN_BYTES) {
            return;
        }
        int pct = (int) (100 * done / Math.max(1, total));
        if (pct == lastPercent) {
            return;
        }
        lastPercent = pct;
        int width = 30;
        int filled = pct * width / 100;
        err.printf(Locale.ROOT, "\r%s [%s%s] %3d%% of %.0f MB", label, "#".repeat(filled), " ".repeat(width - filled),
                pct, total / 1e6);
        err.flush();
        shown = true;
    }

    void done() {
        if (shown) {
            err.println();
            err.flush();
        }
    }
}
