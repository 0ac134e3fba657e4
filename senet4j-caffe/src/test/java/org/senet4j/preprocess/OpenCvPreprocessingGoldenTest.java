package org.senet4j.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Random;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.senet4j.classify.ColourNet;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * The SENet release preprocessed with OpenCV; this checks the JDK-based decoding and the resize against OpenCV itself
 * (4.6, through JavaCPP): {@code cv::resize(INTER_LINEAR)} bit for bit, {@code cv::imread(IMREAD_COLOR)} bit for bit
 * on PNGs and within JPEG decoder differences on JPEGs.
 */
class OpenCvPreprocessingGoldenTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"500,375,341,256", "375,500,256,341", "512,512,256,256", "100,80,320,256", "3000,2000,384,256",
        "37,41,256,283", "257,300,256,298", "256,512,256,256", "1,1,256,256", "2,3,5,7", "224,224,224,224"})
    void resizeMatchesOpenCvExactly(int sw, int sh, int dw, int dh) {
        Random rnd = new Random(sw * 31L + sh);
        byte[] px = new byte[sw * sh * 3];
        rnd.nextBytes(px);
        for (int pattern = 0; pattern < 2; pattern++) {
            if (pattern == 1) {
                for (int y = 0; y < sh; y++) {
                    for (int x = 0; x < sw; x++) {
                        for (int c = 0; c < 3; c++) {
                            px[(y * sw + x) * 3 + c] = (byte) (x * 7 + y * 3 + c * 50);
                        }
                    }
                }
            }
            BgrImage mine = Resize.bilinear(new BgrImage(sw, sh, px.clone()), dw, dh);
            try (Mat m = new Mat(sh, sw, CV_8UC3); Mat o = new Mat(); Size size = new Size(dw, dh)) {
                m.data().put(px);
                resize(m, o, size, 0, 0, INTER_LINEAR);
                byte[] cv = new byte[dw * dh * 3];
                o.data().get(cv);
                assertEquals(0, differing(cv, mine.bgr()), sw + "x" + sh + " -> " + dw + "x" + dh + " pattern "
                        + pattern);
            }
        }
    }

    @Test
    void pngDecodingMatchesImread() throws Exception {
        BufferedImage rgba = new BufferedImage(61, 47, BufferedImage.TYPE_INT_ARGB);
        BufferedImage grey = new BufferedImage(61, 47, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage grey16 = new BufferedImage(61, 47, BufferedImage.TYPE_USHORT_GRAY);
        Random rnd = new Random(5);
        for (int y = 0; y < 47; y++) {
            for (int x = 0; x < 61; x++) {
                rgba.setRGB(x, y, rnd.nextInt());
                grey.getRaster().setSample(x, y, 0, rnd.nextInt(256));
                grey16.getRaster().setSample(x, y, 0, rnd.nextInt(65536));
            }
        }
        BufferedImage rgb = new BufferedImage(61, 47, BufferedImage.TYPE_INT_RGB);
        rgb.getGraphics().drawImage(rgba, 0, 0, null);
        BufferedImage[] images = {rgb, rgba, grey, grey16, ColourNet.palette("green", 33, 9)};
        for (int i = 0; i < images.length; i++) {
            Path f = dir.resolve("img" + i + ".png");
            ColourNet.writePng(images[i], f);
            assertEquals(0, differing(openCv(f), ImageDecoder.read(f).bgr()), f.getFileName() + " type "
                    + images[i].getType());
        }
    }

    @Test
    void jpegDecodingMatchesImreadClosely() throws Exception {
        BufferedImage img = new BufferedImage(120, 90, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 90; y++) {
            for (int x = 0; x < 120; x++) {
                img.setRGB(x, y, (x * 2 & 255) << 16 | (y * 3 & 255) << 8 | ((x + y) * 5 & 255));
            }
        }
        Path rgb = dir.resolve("rgb.jpg");
        ColourNet.writeJpeg(img, rgb);
        Path cmyk = dir.resolve("cmyk.jpg");
        ColourNet.writeCmykJpeg("yellow", 40, 24, cmyk);
        Path ycck = dir.resolve("ycck.jpg");
        ColourNet.writeYcckJpeg("blue", 40, 24, ycck);
        for (Path f : new Path[] {rgb, cmyk, ycck}) {
            byte[] cv = openCv(f);
            byte[] mine = ImageDecoder.read(f).bgr();
            int max = 0;
            for (int i = 0; i < cv.length; i++) {
                max = Math.max(max, Math.abs((cv[i] & 0xFF) - (mine[i] & 0xFF)));
            }
            // the JDK's libjpeg 6b and OpenCV's libjpeg-turbo may round the colour conversion differently
            assertTrue(max <= 2, f.getFileName() + ": largest difference " + max);
        }
    }

    private static byte[] openCv(Path f) {
        try (Mat m = imread(f.toString(), IMREAD_COLOR)) {
            assertTrue(!m.empty(), "OpenCV could not read " + f);
            byte[] b = new byte[(int) (m.total() * m.channels())];
            m.data().get(b);
            return b;
        }
    }

    private static int differing(byte[] a, byte[] b) {
        assertEquals(a.length, b.length, "sizes differ");
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                n++;
            }
        }
        return n;
    }
}
