package org.senet4j.preprocess;

import java.util.Objects;

/**
 * An 8-bit image with three channels in OpenCV's layout: rows top to bottom, pixels left to right, each pixel as
 * blue, green, red bytes (unsigned). What {@link ImageDecoder} produces and {@link Resize} works on.
 *
 * @param width  pixels per row, at least 1
 * @param height rows, at least 1
 * @param bgr    {@code width * height * 3} bytes; not copied, so callers must not change it afterwards
 */
public record BgrImage(int width, int height, byte[] bgr) {
    public BgrImage {
        Objects.requireNonNull(bgr, "bgr");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if ((long) width * height * 3 != bgr.length) {
            throw new IllegalArgumentException("a " + width + "x" + height + " BGR image needs "
                    + (long) width * height * 3 + " bytes, got " + bgr.length);
        }
    }

    /** Channel {@code c} (0 blue, 1 green, 2 red) of pixel ({@code x}, {@code y}), 0 to 255. */
    public int get(int x, int y, int c) {
        return bgr[(y * width + x) * 3 + c] & 0xFF;
    }

    /** The {@code w x h} region whose top-left pixel is ({@code x}, {@code y}), copied. */
    public BgrImage crop(int x, int y, int w, int h) {
        if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > width || y + h > height) {
            throw new IllegalArgumentException("crop " + w + "x" + h + "+" + x + "+" + y + " lies outside the "
                    + width + "x" + height + " image");
        }
        byte[] out = new byte[w * h * 3];
        for (int r = 0; r < h; r++) {
            System.arraycopy(bgr, ((y + r) * width + x) * 3, out, r * w * 3, w * 3);
        }
        return new BgrImage(w, h, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BgrImage b && width == b.width && height == b.height
                && java.util.Arrays.equals(bgr, b.bgr);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + java.util.Arrays.hashCode(bgr);
    }

    @Override
    public String toString() {
        return "BgrImage[" + width + "x" + height + "]";
    }
}
