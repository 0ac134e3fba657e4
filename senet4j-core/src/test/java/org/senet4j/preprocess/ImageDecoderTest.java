package org.senet4j.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.classify.ColourNet;

/** Every kind of image decodes to the right BGR colour; bad files give errors naming them. */
class ImageDecoderTest {
    @TempDir
    Path dir;

    @Test
    void everyKindDecodesToItsColour() throws Exception {
        Map<String, String> kinds = ColourNet.writeAllKinds(dir);
        for (Map.Entry<String, String> e : kinds.entrySet()) {
            BgrImage img = ImageDecoder.read(dir.resolve(e.getKey()));
            int[] want = ColourNet.COLOURS.get(e.getValue());
            boolean jpeg = e.getKey().endsWith(".jpg");
            for (int y = 0; y < img.height(); y += 7) {
                for (int x = 0; x < img.width(); x += 5) {
                    for (int c = 0; c < 3; c++) {
                        int got = img.get(x, y, c);
                        assertTrue(Math.abs(got - want[c]) <= (jpeg ? 4 : 1), e.getKey() + " pixel " + x + "," + y
                                + " channel " + c + ": " + got + ", expected about " + want[c]);
                    }
                }
            }
        }
    }

    @Test
    void pngSamplesAreKeptExactly() throws Exception {
        BgrImage grey = ImageDecoder.read(write(ColourNet.grey(77, 5, 3), "g.png"));
        assertEquals(77, grey.get(4, 2, 0));
        assertEquals(77, grey.get(4, 2, 2));
        BgrImage g16 = ImageDecoder.read(write(ColourNet.grey16(0x1234, 5, 3), "g16.png"));
        assertEquals(0x12, g16.get(0, 0, 1), "16-bit samples keep their high byte");
        BgrImage rgba = ImageDecoder.read(write(ColourNet.rgba("yellow", 9, 2), "a.png"));
        assertEquals(255, rgba.get(0, 0, 2), "alpha 0 is dropped, not composited");
        assertEquals(0, rgba.get(0, 0, 0));
        BgrImage pal = ImageDecoder.read(write(ColourNet.palette("grey", 3, 3), "p.png"));
        assertEquals(128, pal.get(1, 1, 1));
    }

    @Test
    void cmykIsReadTheAdobeWayLikeOpenCv() throws Exception {
        Path f = dir.resolve("cmyk.jpg");
        ColourNet.writeCmykJpeg("blue", 16, 16, f);
        BgrImage img = ImageDecoder.read(f);
        // R = K - (255 - C) * K / 256 with C = 0, K = 255: 1
        assertTrue(Math.abs(img.get(8, 8, 2) - 1) <= 2, "red " + img.get(8, 8, 2));
        assertTrue(img.get(8, 8, 0) >= 250, "blue " + img.get(8, 8, 0));
    }

    @Test
    void errorsNameTheFile() throws Exception {
        Path junk = dir.resolve("junk.jpg");
        Files.write(junk, new byte[] {1, 2, 3, 4});
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.read(junk));
        assertTrue(e.getMessage().startsWith(junk.toString()), e.getMessage());
        assertEquals(junk, e.file());
        Path truncated = dir.resolve("cut.png");
        byte[] png = Files.readAllBytes(write(ColourNet.rgb("red", 40, 40), "whole.png"));
        Files.write(truncated, java.util.Arrays.copyOf(png, png.length / 2));
        ImageDecodeException t = assertThrows(ImageDecodeException.class, () -> ImageDecoder.read(truncated));
        assertTrue(t.getMessage().contains("cut.png"), t.getMessage());
        assertThrows(NoSuchFileException.class, () -> ImageDecoder.read(dir.resolve("none.png")));
        assertThrows(ImageDecodeException.class, () -> ImageDecoder.read(dir));
    }

    @Test
    void preprocessorResizesCropsAndNormalises() {
        assertEquals(java.util.List.of(341, 256), toList(ImagePreprocessor.resizedSize(500, 375, 256)));
        assertEquals(java.util.List.of(256, 341), toList(ImagePreprocessor.resizedSize(375, 500, 256)));
        assertEquals(java.util.List.of(7, 9), toList(ImagePreprocessor.resizedSize(7, 9, 0)));
        byte[] px = new byte[5 * 4 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) i;
        }
        BgrImage img = new BgrImage(5, 4, px);
        BgrImage crop = new ImagePreprocessor(new Preprocessing(0, 3, "BGR", java.util.List.of(0f), 1f))
                .resizeAndCrop(img);
        // offsets floor((5 - 3) / 2) = 1 and floor((4 - 3) / 2) = 0, as Caffe's test-time crop
        assertEquals(img.get(1, 0, 0), crop.get(0, 0, 0));
        float[] bgr = new ImagePreprocessor(new Preprocessing(0, 0, "BGR", java.util.List.of(1f, 2f, 3f), 0.5f))
                .apply(img);
        float[] rgb = new ImagePreprocessor(new Preprocessing(0, 0, "RGB", java.util.List.of(3f, 2f, 1f), 1f))
                .apply(img);
        int plane = 20;
        assertEquals((img.get(2, 1, 0) - 1f) * 0.5f, bgr[7], 0f);
        assertEquals((img.get(2, 1, 2) - 3f) * 0.5f, bgr[2 * plane + 7], 0f);
        assertEquals(img.get(2, 1, 2) - 3f, rgb[7], 0f);
        assertEquals(img.get(2, 1, 0) - 1f, rgb[2 * plane + 7], 0f);
        assertThrows(IllegalArgumentException.class, () -> new ImagePreprocessor(Preprocessing.SENET
                .withResize(0)).resizeAndCrop(img), "smaller than the crop");
    }

    private static java.util.List<Integer> toList(int[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }

    private Path write(java.awt.image.BufferedImage img, String name) throws Exception {
        Path p = dir.resolve(name);
        ColourNet.writePng(img, p);
        return p;
    }
}
