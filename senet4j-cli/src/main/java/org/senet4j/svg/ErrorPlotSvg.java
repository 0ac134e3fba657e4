package org.senet4j.svg;

import java.util.List;
import java.util.Locale;
import org.senet4j.verify.BlobResult;

/**
 * Plots each compared blob's relative L-infinity error on a log scale against its depth in the network (the blobs in
 * forward order), with the tolerance as a dashed line. Passing blobs are green dots, failing ones red; an exact match
 * (error 0) sits on the band at the bottom, NaN or a shape mismatch on the band at the top. Every dot has a tooltip
 * with the blob's name, shape and errors.
 */
public final class ErrorPlotSvg {
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 70;
    private static final int PLOT_H = 360;
    private static final int BOTTOM = 150;

    private ErrorPlotSvg() {
    }

    /**
     * The plot.
     *
     * @param title     the heading, e.g. the model file
     * @param blobs     the compared blobs, in forward order
     * @param tolerance the relative tolerance
     */
    public static String render(String title, List<BlobResult> blobs, double tolerance) {
        int n = blobs.size();
        int plotW = Math.max(640, Math.min(4000, n * 6));
        int width = LEFT + plotW + RIGHT;
        int height = TOP + PLOT_H + BOTTOM;
        double minPos = Double.POSITIVE_INFINITY;
        double maxFin = 0;
        for (BlobResult b : blobs) {
            double e = b.relError();
            if (e > 0 && Double.isFinite(e)) {
                minPos = Math.min(minPos, e);
                maxFin = Math.max(maxFin, e);
            }
        }
        int lo = (int) Math.floor(Math.log10(Math.min(minPos, tolerance / 10)));
        int hi = (int) Math.ceil(Math.log10(Math.max(maxFin, tolerance * 10)));
        lo = Math.max(lo, -16);
        hi = Math.max(hi, lo + 1);
        long failed = blobs.stream().filter(b -> !b.pass()).count();
        double worst = blobs.stream().mapToDouble(BlobResult::relError).max().orElse(Double.NaN);

        StringBuilder s = new StringBuilder(4000 + n * 300);
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n");
        s.append("<title>").append(Svg.esc("relative error per blob: " + title)).append("</title>\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append("<text x=\"").append(LEFT).append("\" y=\"26\" font-size=\"16\" font-weight=\"bold\">")
                .append(Svg.esc("Relative L\u221e error per blob, max|a\u2212b| / max|b|: " + title))
                .append("</text>\n");
        s.append("<text x=\"").append(LEFT).append("\" y=\"46\" font-size=\"12\" fill=\"")
                .append(failed == 0 && n > 0 ? "#2b8a3e" : "#c92a2a").append("\">")
                .append(Svg.esc(String.format(Locale.ROOT, "%s: %d blobs compared, %d failed, worst %.3e, "
                        + "tolerance %.1e", failed == 0 && n > 0 ? "PASS" : "FAIL", n, failed, worst, tolerance)))
                .append("</text>\n");

        // axes and decade grid
        s.append("<g id=\"axes\" font-size=\"10\" fill=\"#495057\">\n");
        for (int d = lo; d <= hi; d++) {
            double y = y(Math.pow(10, d), lo, hi);
            s.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(Svg.n(y)).append("\" x2=\"")
                    .append(LEFT + plotW).append("\" y2=\"").append(Svg.n(y))
                    .append("\" stroke=\"#e9ecef\"/>");
            s.append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(Svg.n(y + 3))
                    .append("\" text-anchor=\"end\">1e").append(d).append("</text>\n");
        }
        double zeroY = TOP + PLOT_H + 16;
        double infY = TOP - 12;
        s.append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(Svg.n(zeroY + 3))
                .append("\" text-anchor=\"end\">0</text>");
        s.append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(Svg.n(infY + 3))
                .append("\" text-anchor=\"end\">NaN/\u221e</text>\n");
        s.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(plotW)
                .append("\" height=\"").append(PLOT_H).append("\" fill=\"none\" stroke=\"#495057\"/>\n");
        s.append("<text transform=\"translate(22,").append(TOP + PLOT_H / 2).append(") rotate(-90)\" "
                + "text-anchor=\"middle\" font-size=\"11\">relative error (log scale)</text>\n");
        s.append("<text x=\"").append(LEFT + plotW / 2).append("\" y=\"").append(height - 12)
                .append("\" text-anchor=\"middle\" font-size=\"11\">blobs in forward order (depth of the network)"
                        + "</text>\n");
        int every = Math.max(1, (int) Math.ceil(n / 24.0));
        for (int i = 0; i < n; i += every) {
            double x = x(i, n, plotW);
            s.append("<text transform=\"translate(").append(Svg.n(x)).append(',').append(TOP + PLOT_H + 32)
                    .append(") rotate(40)\" font-size=\"9\">").append(Svg.esc(Svg.fit(blobs.get(i).name(), 22)))
                    .append("</text>\n");
        }
        s.append("</g>\n");

        double ty = y(tolerance, lo, hi);
        s.append("<g id=\"tolerance\"><line x1=\"").append(LEFT).append("\" y1=\"").append(Svg.n(ty))
                .append("\" x2=\"").append(LEFT + plotW).append("\" y2=\"").append(Svg.n(ty))
                .append("\" stroke=\"#c92a2a\" stroke-dasharray=\"6,4\"/><text x=\"").append(LEFT + plotW - 4)
                .append("\" y=\"").append(Svg.n(ty - 4)).append("\" text-anchor=\"end\" font-size=\"10\" "
                        + "fill=\"#c92a2a\">").append(String.format(Locale.ROOT, "tolerance %.1e", tolerance))
                .append("</text></g>\n");

        // the line through the points, then the points
        s.append("<g id=\"points\">\n");
        if (n > 1) {
            s.append("<polyline fill=\"none\" stroke=\"#adb5bd\" stroke-width=\"0.8\" points=\"");
            for (int i = 0; i < n; i++) {
                s.append(Svg.n(x(i, n, plotW))).append(',').append(Svg.n(yOf(blobs.get(i).relError(), lo, hi,
                        zeroY, infY))).append(' ');
            }
            s.append("\"/>\n");
        }
        for (int i = 0; i < n; i++) {
            BlobResult b = blobs.get(i);
            s.append("<circle class=\"blob\" data-name=\"").append(Svg.esc(b.name())).append("\" cx=\"")
                    .append(Svg.n(x(i, n, plotW))).append("\" cy=\"")
                    .append(Svg.n(yOf(b.relError(), lo, hi, zeroY, infY))).append("\" r=\"3\" fill=\"")
                    .append(b.pass() ? "#2b8a3e" : "#e03131").append("\"><title>")
                    .append(Svg.esc(String.format(Locale.ROOT, "%d. %s %s: relative error %.3e, max abs error "
                            + "%.3e%s%s", i + 1, b.name(), b.shape(), b.relError(), b.maxAbsError(),
                            b.pass() ? "" : " FAIL", b.note().isEmpty() ? "" : " (" + b.note() + ")")))
                    .append("</title></circle>\n");
        }
        s.append("</g>\n</svg>\n");
        return s.toString();
    }

    private static double x(int i, int n, int plotW) {
        return LEFT + (i + 0.5) * plotW / Math.max(1, n);
    }

    private static double y(double v, int lo, int hi) {
        double t = (Math.log10(v) - lo) / (hi - lo);
        return TOP + PLOT_H * (1 - t);
    }

    private static double yOf(double e, int lo, int hi, double zeroY, double infY) {
        if (Double.isNaN(e) || Double.isInfinite(e)) {
            return infY;
        }
        if (e <= 0) {
            return zeroY;
        }
        return Math.max(TOP, Math.min(TOP + PLOT_H, y(e, lo, hi)));
    }
}
