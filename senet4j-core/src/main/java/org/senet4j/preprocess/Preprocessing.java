package org.senet4j.preprocess;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.io.Json;

/**
 * How images become a model's input: resize the shorter side to {@code resize} (0: no resize), centre-crop
 * {@code crop} x {@code crop} (0: no crop), order the channels ({@code BGR} or {@code RGB}), subtract {@code mean}
 * (one value per channel, in that order) and multiply by {@code scale}. Kept in native files' metadata under
 * {@value #METADATA_KEY}.
 */
public record Preprocessing(int resize, int crop, String channelOrder, List<Float> mean, float scale) {
    public static final String METADATA_KEY = "preprocessing";

    /** The SENet release's: shorter side 256, centre crop 224, BGR, mean (104, 117, 123), no scaling. */
    public static final Preprocessing SENET = new Preprocessing(256, 224, "BGR", List.of(104f, 117f, 123f), 1f);

    public Preprocessing {
        if (resize < 0 || crop < 0) {
            throw new IllegalArgumentException("resize and crop must not be negative");
        }
        if (!channelOrder.equals("BGR") && !channelOrder.equals("RGB")) {
            throw new IllegalArgumentException("channel order must be BGR or RGB, got " + channelOrder);
        }
        if (mean.size() != 3 && mean.size() != 1) {
            throw new IllegalArgumentException("mean needs 1 or 3 values, got " + mean.size());
        }
        mean = List.copyOf(mean);
    }

    /** This preprocessing with another shorter-side size (0: no resize). */
    public Preprocessing withResize(int size) {
        return new Preprocessing(size, crop, channelOrder, mean, scale);
    }

    /** This preprocessing with another centre-crop size (0: no crop). */
    public Preprocessing withCrop(int size) {
        return new Preprocessing(resize, size, channelOrder, mean, scale);
    }

    /** This preprocessing with another channel order, {@code BGR} or {@code RGB}. */
    public Preprocessing withChannelOrder(String order) {
        return new Preprocessing(resize, crop, order, mean, scale);
    }

    /** This preprocessing with another mean (1 or 3 values, in the channel order). */
    public Preprocessing withMean(List<Float> values) {
        return new Preprocessing(resize, crop, channelOrder, values, scale);
    }

    /** This preprocessing with another scale factor. */
    public Preprocessing withScale(float factor) {
        return new Preprocessing(resize, crop, channelOrder, mean, factor);
    }

    /** The mean of channel {@code channel} (in the channel order). */
    public float mean(int channel) {
        return mean.size() == 1 ? mean.get(0) : mean.get(channel);
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("resize", resize);
        m.put("crop", crop);
        m.put("channel_order", channelOrder);
        m.put("mean", mean);
        m.put("scale", scale);
        return Json.write(m);
    }

    /**
     * Parses {@link #toJson()}'s form.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Preprocessing fromJson(String text) {
        Object o = Json.parse(text);
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("preprocessing must be a JSON object");
        }
        List<Float> mean = new ArrayList<>();
        if (m.get("mean") instanceof List<?> l) {
            for (Object v : l) {
                mean.add(((Number) v).floatValue());
            }
        }
        return new Preprocessing(number(m, "resize").intValue(), number(m, "crop").intValue(),
                String.valueOf(m.get("channel_order")), mean, number(m, "scale").floatValue());
    }

    private static Number number(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("preprocessing." + key + " must be a number");
        }
        return n;
    }
}
