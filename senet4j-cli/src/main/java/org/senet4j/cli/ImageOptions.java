package org.senet4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.senet4j.preprocess.Preprocessing;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Preprocessing overrides shared by classify and evaluate. Each one replaces one field of the model's preprocessing
 * (a native file's metadata, else the SENet release's).
 */
final class ImageOptions {

    @Option(names = "--resize", paramLabel = "N",
            description = "Resize the shorter side to N pixels, 0 for no resize (default: the model's, 256).")
    Integer resize;

    @Option(names = "--crop", paramLabel = "N",
            description = "Centre crop N x N, 0 for no crop (default: the model's, 224).")
    Integer crop;

    @Option(names = "--mean", paramLabel = "M[,M,M]",
            description = "Mean to subtract, one value or one per channel in the channel order "
                    + "(default: the model's, 104,117,123).")
    String mean;

    @Option(names = "--channel-order", paramLabel = "ORDER",
            description = "BGR or RGB (default: the model's, BGR).")
    String channelOrder;

    @Option(names = "--scale", paramLabel = "S",
            description = "Multiply by S after subtracting the mean (default: the model's, 1).")
    Float scale;

    /** {@code base} with the options given applied. */
    Preprocessing apply(Preprocessing base, CommandLine.Model.CommandSpec spec) {
        Preprocessing p = base;
        try {
            if (resize != null) {
                p = p.withResize(resize);
            }
            if (crop != null) {
                p = p.withCrop(crop);
            }
            if (mean != null) {
                List<Float> values = new ArrayList<>();
                for (String v : mean.split(",")) {
                    try {
                        values.add(Float.parseFloat(v.trim()));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--mean: \"" + v.trim() + "\" is not a number");
                    }
                }
                p = p.withMean(values);
            }
            if (channelOrder != null) {
                p = p.withChannelOrder(channelOrder.toUpperCase(Locale.ROOT));
            }
            if (scale != null) {
                p = p.withScale(scale);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return p;
    }
}
