package org.senet4j.classify;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.senet4j.caffe.proto.BlobProto;
import org.senet4j.caffe.proto.BlobShape;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.NetParameter;

/**
 * A 1000-class net whose class is known from an image's mean colour: global average pooling of the BGR input (mean
 * subtracted), then an InnerProduct that scores each class by closeness to its template colour (nearest centroid:
 * {@code logit_k = s * (c_k . x - |c_k|^2 / 2)}), then Softmax "prob". Seven classes have templates; the others score
 * -50. The images are generated here in every form the decoder must handle.
 */
public final class ColourNet {
    /** Template colours as {B, G, R} pixels, with their class (SENet output index). */
    public static final Map<String, int[]> COLOURS = new LinkedHashMap<>();
    /** The output index of each colour. */
    public static final Map<String, Integer> CLASS = new LinkedHashMap<>();

    static {
        colour("red", 0, 0, 255, 0);        // devkit ID 1: n02119789 kit fox
        colour("white", 255, 255, 255, 1);
        colour("black", 0, 0, 0, 2);
        colour("yellow", 0, 255, 255, 3);
        colour("green", 0, 255, 0, 448);     // ID 449: n01440764 tench, sorted index 0
        colour("blue", 255, 0, 0, 489);      // ID 490: n01751748 sea snake
        colour("grey", 128, 128, 128, 720);
    }

    private static void colour(String name, int b, int g, int r, int index) {
        COLOURS.put(name, new int[] {b, g, r});
        CLASS.put(name, index);
    }

    static final float SCALE = 1e-4f;
    static final float[] MEAN = {104, 117, 123};

    /** The input side: the net takes 1 x 3 x SIDE x SIDE. */
    public static final int SIDE = 24;

    public static final String PROTOTXT = """
            name: "colour-net"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 24 dim: 24 } } }
            layer { name: "pool" type: "Pooling" bottom: "data" top: "pool"
                    pooling_param { pool: AVE global_pooling: true } }
            layer { name: "fc" type: "InnerProduct" bottom: "pool" top: "fc" inner_product_param { num_output: 1000 } }
            layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
            """;

    /** The preprocessing the tests use with it: shorter side 32, crop 24, the SENet mean. */
    public static final String PREPROCESSING =
            "{\"resize\":32,\"crop\":24,\"channel_order\":\"BGR\",\"mean\":[104,117,123],\"scale\":1}";

    private ColourNet() {
    }

    /** Writes {@code colour.prototxt} and {@code colour.caffemodel} into {@code dir}; returns the two paths. */
    public static Path[] write(Path dir) throws IOException {
        Path proto = dir.resolve("colour.prototxt");
        Files.writeString(proto, PROTOTXT);
        float[] w = new float[1000 * 3];
        float[] bias = new float[1000];
        java.util.Arrays.fill(bias, -50f);
        for (Map.Entry<String, int[]> e : COLOURS.entrySet()) {
            int k = CLASS.get(e.getKey());
            double sq = 0;
            for (int c = 0; c < 3; c++) {
                float v = e.getValue()[c] - MEAN[c];
                w[k * 3 + c] = SCALE * v;
                sq += v * v;
            }
            bias[k] = (float) (-SCALE * sq / 2);
        }
        NetParameter net = NetParameter.newBuilder().setName("colour-net")
                .addLayer(LayerParameter.newBuilder().setName("fc").setType("InnerProduct")
                        .addBlobs(blob(w, 1000, 3)).addBlobs(blob(bias, 1000)))
                .build();
        Path model = dir.resolve("colour.caffemodel");
        Files.write(model, net.toByteArray());
        return new Path[] {proto, model};
    }

    private static BlobProto blob(float[] data, long... dims) {
        BlobProto.Builder b = BlobProto.newBuilder().setShape(BlobShape.newBuilder()
                .addAllDim(java.util.Arrays.stream(dims).boxed().toList()));
        for (float f : data) {
            b.addData(f);
        }
        return b.build();
    }

    // ---- images ----

    /** An RGB image of one colour. */
    public static BufferedImage rgb(String colour, int w, int h) {
        int[] bgr = COLOURS.get(colour);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, bgr[2] << 16 | bgr[1] << 8 | bgr[0]);
            }
        }
        return img;
    }

    /** An RGBA image of one colour whose alpha varies over the image (the decoder drops alpha). */
    public static BufferedImage rgba(String colour, int w, int h) {
        int[] bgr = COLOURS.get(colour);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int a = (x * 255 / Math.max(1, w - 1)) & 0xFF;
                img.setRGB(x, y, a << 24 | bgr[2] << 16 | bgr[1] << 8 | bgr[0]);
            }
        }
        return img;
    }

    /** An 8-bit grey image of value {@code v}. */
    public static BufferedImage grey(int v, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.setSample(x, y, 0, v);
            }
        }
        return img;
    }

    /** A 16-bit grey image of value {@code v}. */
    public static BufferedImage grey16(int v, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.setSample(x, y, 0, v);
            }
        }
        return img;
    }

    /** A palette image: every pixel index 1 of a 4-colour palette whose entry 1 is {@code colour}. */
    public static BufferedImage palette(String colour, int w, int h) {
        int[] bgr = COLOURS.get(colour);
        byte[] r = {(byte) 10, (byte) bgr[2], (byte) 200, (byte) 30};
        byte[] g = {(byte) 20, (byte) bgr[1], (byte) 100, (byte) 60};
        byte[] b = {(byte) 30, (byte) bgr[0], (byte) 0, (byte) 90};
        IndexColorModel cm = new IndexColorModel(2, 4, r, g, b);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY, cm);
        WritableRaster ras = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                ras.setSample(x, y, 0, 1);
            }
        }
        return img;
    }

    public static void writePng(BufferedImage img, Path file) throws IOException {
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer for " + img);
        }
    }

    public static void writeJpeg(BufferedImage img, Path file) throws IOException {
        Files.write(file, jpeg(img, null));
    }

    /**
     * A CMYK JPEG of one colour the way Photoshop writes them: an Adobe APP14 marker (transform 0) and inverted
     * values (0 is full ink), so the decoder must give {@code R = C * K / 255} and so on. ImageIO writes the 4-band
     * raster as it is; the marker is added to the stream.
     */
    public static void writeCmykJpeg(String colour, int w, int h, Path file) throws IOException {
        int[] bgr = COLOURS.get(colour);
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.setPixel(x, y, new int[] {bgr[2], bgr[1], bgr[0], 255});
            }
        }
        Files.write(file, withAdobe(jpeg(null, r), 0));
    }

    /**
     * A YCCK JPEG of one colour (Adobe transform 2): the inverted C, M, Y stored as YCbCr, K as it is, the way libjpeg
     * encodes CMYK to YCCK.
     */
    public static void writeYcckJpeg(String colour, int w, int h, Path file) throws IOException {
        int[] bgr = COLOURS.get(colour);
        // Adobe CMYK values (inverted) of the colour with K' = 255 are R, G, B; libjpeg encodes 255 - value as RGB
        double r0 = 255 - bgr[2];
        double g0 = 255 - bgr[1];
        double b0 = 255 - bgr[0];
        int yy = (int) Math.round(0.299 * r0 + 0.587 * g0 + 0.114 * b0);
        int cb = (int) Math.round(-0.168736 * r0 - 0.331264 * g0 + 0.5 * b0 + 128);
        int cr = (int) Math.round(0.5 * r0 - 0.418688 * g0 - 0.081312 * b0 + 128);
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.setPixel(x, y, new int[] {clamp(yy), clamp(cb), clamp(cr), 255});
            }
        }
        Files.write(file, withAdobe(jpeg(null, r), 2));
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    static byte[] jpeg(BufferedImage img, Raster raster) throws IOException {
        ImageWriter wr = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(bos)) {
            wr.setOutput(ios);
            ImageWriteParam p = wr.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.95f);
            wr.write(null, img != null ? new IIOImage(img, null, null) : new IIOImage(raster, null, null), p);
        } finally {
            wr.dispose();
        }
        return bos.toByteArray();
    }

    /** The JPEG stream with an Adobe APP14 segment inserted after SOI. */
    static byte[] withAdobe(byte[] jpeg, int transform) {
        byte[] seg = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) transform};
        byte[] out = new byte[jpeg.length + seg.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(seg, 0, out, 2, seg.length);
        System.arraycopy(jpeg, 2, out, 2 + seg.length, jpeg.length - 2);
        return out;
    }

    /**
     * Writes one image of every kind into {@code dir}; returns file name to expected colour. Sizes differ so that the
     * resize and crop run on every one.
     */
    public static Map<String, String> writeAllKinds(Path dir) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        writePng(rgb("red", 50, 40), dir.resolve("a_rgb.png"));
        out.put("a_rgb.png", "red");
        writePng(rgba("blue", 40, 60), dir.resolve("b_rgba.png"));
        out.put("b_rgba.png", "blue");
        writePng(grey(128, 37, 45), dir.resolve("c_grey.png"));
        out.put("c_grey.png", "grey");
        writePng(palette("green", 64, 33), dir.resolve("d_palette.png"));
        out.put("d_palette.png", "green");
        writeJpeg(rgb("yellow", 48, 48), dir.resolve("e_rgb.jpg"));
        out.put("e_rgb.jpg", "yellow");
        writeCmykJpeg("blue", 56, 40, dir.resolve("f_cmyk.jpg"));
        out.put("f_cmyk.jpg", "blue");
        writeYcckJpeg("yellow", 40, 56, dir.resolve("g_ycck.jpg"));
        out.put("g_ycck.jpg", "yellow");
        writePng(grey16(0xFFFF, 36, 36), dir.resolve("h_grey16.png"));
        out.put("h_grey16.png", "white");
        writePng(rgb("black", 32, 90), dir.resolve("i_black.png"));
        out.put("i_black.png", "black");
        return out;
    }

    /**
     * A label file in map_clsloc.txt's format ({@code wnid ID name}) with made-up WordNet IDs: devkit ID k has
     * {@code n0100xxxx} with {@code xxxx = k * 337 mod 1000}, so the devkit order is not the sorted order, and the name
     * {@code class_k}.
     */
    public static Path writeMadeUpLabels(Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int id = 1; id <= 1000; id++) {
            sb.append(madeUpWnid(id)).append(' ').append(id).append(" class_").append(id).append("\r\n");
        }
        Files.writeString(file, sb);
        return file;
    }

    /** The made-up WordNet ID of devkit ID {@code id}. */
    public static String madeUpWnid(int id) {
        return String.format(Locale.ROOT, "n0100%04d", (id * 337) % 1000);
    }

    /** The sorted index of devkit ID {@code id} under the made-up WordNet IDs. */
    public static int madeUpSortedIndex(int id) {
        return (id * 337) % 1000;
    }
}
