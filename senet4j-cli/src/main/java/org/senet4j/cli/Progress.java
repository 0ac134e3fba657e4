package org.senet4j.cli;

import java.io.PrintWriter;
import java.util.Locale;

/** A one-line progress bar on the terminal (nothing when the output is not a terminal or the work is small). */
final class Progress {
    private static final long MIN_BYTES = 50_000_000L;
    private final PrintWriter err;
    private final String label;
    private final boolean items;
    private int lastPercent = -1;
    private long lastDone = -1;
    private boolean shown;

    private Progress(PrintWriter err, String label, boolean items) {
        this.err = err;
        this.label = label;
        this.items = items;
    }

    /** A bar counting bytes, shown for 50 MB and more. */
    static Progress forTerminal(PrintWriter err, String label) {
        return new Progress(System.console() != null ? err : null, label, false);
    }

    /** A bar counting items (images), shown for two and more. */
    static Progress items(PrintWriter err, String label) {
        return new Progress(System.console() != null ? err : null, label, true);
    }

    void update(long done, long total) {
        if (err == null || total < (items ? 2 : MIN_BYTES)) {
            return;
        }
        int pct = (int) (100 * done / Math.max(1, total));
        if (items ? done == lastDone : pct == lastPercent) {
            return;
        }
        lastPercent = pct;
        lastDone = done;
        int width = 30;
        int filled = pct * width / 100;
        String bar = "#".repeat(filled) + " ".repeat(width - filled);
        if (items) {
            err.printf(Locale.ROOT, "\r%s [%s] %3d%% %,d/%,d", label, bar, pct, done, total);
        } else {
            err.printf(Locale.ROOT, "\r%s [%s] %3d%% of %.0f MB", label, bar, pct, total / 1e6);
        }
        err.flush();
        shown = true;
    }

    void done() {
        if (shown) {
            err.println();
            err.flush();
            shown = false;
        }
    }
}
