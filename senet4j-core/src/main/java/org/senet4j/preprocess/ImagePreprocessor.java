package org.senet4j.preprocess;

import java.util.Objects;

/**
 * Applies a {@link Preprocessing} to decoded images: resize the shorter side (OpenCV bilinear, {@link Resize}), crop
 * the centre, then write a planar float tensor in the chosen channel order with the mean subtracted and the scale
 * applied: {@code value = (pixel - mean[c]) * scale}.
 *
 * <p>The longer side becomes {@code floor(long * resize / short)} (at least 1); the crop starts at
 * {@code floor((size - crop) / 2)} on each axis, as Caffe's test-time crop does.
 */
public final class ImagePreprocessor {
    private final Preprocessing pre;

    public ImagePreprocessor(Preprocessing preprocessing) {
        this.pre = Objects.requireNonNull(preprocessing, "preprocessing");
    }

    public Preprocessing preprocessing() {
        return pre;
    }

    /**
     * The size ({@code {width, height}}) an image of {@code width x height} has after resizing its shorter side to
     * {@code shorter} (unchanged when {@code shorter} is 0).
     */
    public static int[] resizedSize(int width, int height, int shorter) {
        if (shorter <= 0) {
            return new int[] {width, height};
        }
        if (width <= height) {
            return new int[] {shorter, Math.max(1, (int) ((long) height * shorter / width))};
        }
        return new int[] {Math.max(1, (int) ((long) width * shorter / height)), shorter};
    }

    /**
     * The image resized and centre-cropped, ready for {@link #toTensor}.
     *
     * @throws IllegalArgumentException when the resized image is smaller than the crop
     */
    public BgrImage resizeAndCrop(BgrImage img) {
        int[] size = resizedSize(img.width(), img.height(), pre.resize());
        BgrImage r = Resize.bilinear(img, size[0], size[1]);
        int crop = pre.crop();
        if (crop <= 0) {
            return r;
        }
        if (r.width() < crop || r.height() < crop) {
            throw new IllegalArgumentException("the image is " + r.width() + "x" + r.height()
                    + (pre.resize() > 0 ? " after resizing" : "") + ", smaller than the " + crop + "x" + crop
                    + " crop");
        }
        if (r.width() == crop && r.height() == crop) {
            return r;
        }
        return r.crop((r.width() - crop) / 2, (r.height() - crop) / 2, crop, crop);
    }

    /**
     * Writes {@code img} as 3 planes of {@code height x width} floats into {@code dst} from {@code offset}: channel
     * order, mean and scale applied, no resizing.
     */
    public void toTensor(BgrImage img, float[] dst, int offset) {
        int plane = img.width() * img.height();
        if (dst.length - offset < 3 * plane) {
            throw new IllegalArgumentException("destination too small: needs " + 3 * plane + " floats from "
                    + offset);
        }
        boolean bgr = pre.channelOrder().equals("BGR");
        float scale = pre.scale();
        byte[] px = img.bgr();
        for (int ch = 0; ch < 3; ch++) {
            int src = bgr ? ch : 2 - ch;
            float mean = pre.mean(ch);
            int o = offset + ch * plane;
            for (int i = 0; i < plane; i++) {
                dst[o + i] = ((px[3 * i + src] & 0xFF) - mean) * scale;
            }
        }
    }

    /** The full preprocessing of one image: {@link #resizeAndCrop} then {@link #toTensor}, as a C x H x W array. */
    public float[] apply(BgrImage img) {
        BgrImage c = resizeAndCrop(img);
        float[] out = new float[3 * c.width() * c.height()];
        toTensor(c, out, 0);
        return out;
    }
}
