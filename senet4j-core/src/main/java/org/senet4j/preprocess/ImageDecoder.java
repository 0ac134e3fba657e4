package org.senet4j.preprocess;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Decodes image files with the JDK's {@code javax.imageio} into three 8-bit BGR channels, the way OpenCV's
 * {@code imread(file, IMREAD_COLOR)} does (the SENet release preprocessed with OpenCV):
 *
 * <ul>
 *   <li>RGB and grey images keep their stored sample values: no colour management (embedded ICC profiles and PNG
 *       gamma are ignored, as OpenCV ignores them); grey becomes three equal channels.</li>
 *   <li>An alpha channel is dropped, not composited onto a background (OpenCV strips it).</li>
 *   <li>Palette images (PNG, GIF) are looked up in their palette; a palette's transparency is dropped too.</li>
 *   <li>16-bit samples keep their high byte.</li>
 *   <li>CMYK and YCCK JPEGs, which ImageIO cannot convert correctly itself, are read as raw rasters: YCCK is turned
 *       into CMYK with the JFIF YCbCr equations (as libjpeg does), then CMYK into RGB treating the stored values the
 *       Adobe way (0 means full ink), {@code R = K - (255 - C) * K / 256} in integers, like OpenCV.</li>
 * </ul>
 *
 * <p>JPEG and PNG are the formats tested; anything else ImageIO reads (BMP, GIF, TIFF, WBMP) decodes too. Only the
 * first image of a multi-image file is read. EXIF orientation is not applied. Images above {@link #MAX_PIXELS} pixels
 * are refused before decoding.
 */
public final class ImageDecoder {
    /** The largest image accepted, in pixels (width times height). */
    public static final long MAX_PIXELS = 100_000_000L;

    private static final String JPEG_METADATA = "javax_imageio_jpeg_image_1.0";

    private ImageDecoder() {
    }

    /**
     * Reads and decodes an image file.
     *
     * @throws NoSuchFileException   when the file does not exist
     * @throws ImageDecodeException naming the file when it is not a decodable image
     * @throws IOException           when the file cannot be read
     */
    public static BgrImage read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (Files.isDirectory(file)) {
            throw new ImageDecodeException(file, "is a directory, not an image");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new ImageDecodeException(file, "cannot be opened for reading");
            }
            return decode(in, file);
        }
    }

    /** Decodes an encoded image held in memory. */
    public static BgrImage decode(byte[] encoded) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            return decode(in, null);
        }
    }

    private static BgrImage decode(ImageInputStream in, Path file) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new ImageDecodeException(file, "not an image the JDK can read (JPEG, PNG, BMP, GIF, TIFF)");
        }
        ImageReader reader = readers.next();
        String format = reader.getFormatName().toUpperCase(java.util.Locale.ROOT);
        try {
            reader.setInput(in, false, false);
            long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
            if (pixels > MAX_PIXELS) {
                throw new ImageDecodeException(file, "the image is " + reader.getWidth(0) + "x"
                        + reader.getHeight(0) + ", more than the " + MAX_PIXELS + " pixels accepted");
            }
            if (format.equals("JPEG") || format.equals("JPG")) {
                IIOMetadata md = reader.getImageMetadata(0);
                String[] formats = md == null ? null : md.getMetadataFormatNames();
                Node tree = formats != null && java.util.Arrays.asList(formats).contains(JPEG_METADATA)
                        ? md.getAsTree(JPEG_METADATA) : null;
                if (tree != null && jpegComponents(tree) == 4) {
                    return fromCmyk(reader.readRaster(0, null), adobeTransform(tree) == 2);
                }
            }
            return fromBufferedImage(reader.read(0));
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO reports corrupt data as IIOException, and sometimes as a runtime exception
            String m = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                    : e.getMessage();
            throw new ImageDecodeException(file, "cannot decode this " + format + " image: " + m, e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * Converts a decoded image to BGR by the rules of this class: raw samples for RGB, grey and CMYK, palette lookup
     * for indexed images; other colour models (premultiplied alpha, floating-point samples, other colour spaces) go
     * through {@link BufferedImage#getRGB}.
     */
    public static BgrImage fromBufferedImage(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        byte[] out = new byte[w * h * 3];
        if (cm instanceof IndexColorModel icm && r.getNumBands() == 1) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    put(out, y * w + x, icm.getRGB(row[x]));
                }
            }
            return new BgrImage(w, h, out);
        }
        boolean raw = (cm instanceof ComponentColorModel || cm instanceof DirectColorModel)
                && !cm.isAlphaPremultiplied() && isIntegral(r.getTransferType());
        int nc = cm.getNumColorComponents();
        int space = cm.getColorSpace().getType();
        if (raw && nc == 1 && space == ColorSpace.TYPE_GRAY) {
            readComponents(r, cm, w, h, out, Kind.GREY);
        } else if (raw && nc == 3 && space == ColorSpace.TYPE_RGB) {
            readComponents(r, cm, w, h, out, Kind.RGB);
        } else if (raw && nc == 4 && space == ColorSpace.TYPE_CMYK) {
            readComponents(r, cm, w, h, out, Kind.CMYK);
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    put(out, y * w + x, row[x]);
                }
            }
        }
        return new BgrImage(w, h, out);
    }

    private enum Kind { GREY, RGB, CMYK }

    private static void readComponents(Raster r, ColorModel cm, int w, int h, byte[] out, Kind kind) {
        int bands = r.getNumBands();
        int used = kind == Kind.GREY ? 1 : kind == Kind.RGB ? 3 : 4;
        int[] bits = new int[used];
        for (int c = 0; c < used; c++) {
            bits[c] = cm.getComponentSize(c);
        }
        int[] row = new int[w * bands];
        int[] v = new int[4];
        for (int y = 0; y < h; y++) {
            r.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < used; c++) {
                    v[c] = to8(row[x * bands + c], bits[c]);
                }
                int o = (y * w + x) * 3;
                switch (kind) {
                    case GREY -> {
                        out[o] = (byte) v[0];
                        out[o + 1] = (byte) v[0];
                        out[o + 2] = (byte) v[0];
                    }
                    case RGB -> {
                        out[o] = (byte) v[2];
                        out[o + 1] = (byte) v[1];
                        out[o + 2] = (byte) v[0];
                    }
                    case CMYK -> cmykToBgr(v[0], v[1], v[2], v[3], out, o);
                }
            }
        }
    }

    /** A CMYK or YCCK JPEG's raw raster (4 bands of 8 bits) to BGR. */
    static BgrImage fromCmyk(Raster r, boolean ycck) throws ImageDecodeException {
        if (r.getNumBands() != 4) {
            throw new ImageDecodeException(null, "a CMYK JPEG raster has " + r.getNumBands() + " bands, not 4");
        }
        int w = r.getWidth();
        int h = r.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w * 4];
        for (int y = 0; y < h; y++) {
            r.getPixels(r.getMinX(), r.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int c = row[4 * x];
                int m = row[4 * x + 1];
                int ye = row[4 * x + 2];
                int k = row[4 * x + 3];
                if (ycck) {
                    // YCC encodes the inverted C, M, Y as if they were R, G, B
                    int yy = c;
                    int cb = m - 128;
                    int cr = ye - 128;
                    c = 255 - clamp(yy + ((91881 * cr + 32768) >> 16));
                    m = 255 - clamp(yy + ((-22554 * cb - 46802 * cr + 32768) >> 16));
                    ye = 255 - clamp(yy + ((116130 * cb + 32768) >> 16));
                }
                cmykToBgr(c, m, ye, k, out, (y * w + x) * 3);
            }
        }
        return new BgrImage(w, h, out);
    }

    /** CMYK stored the Adobe way (0 is full ink) to BGR, in OpenCV's integer form. */
    private static void cmykToBgr(int c, int m, int y, int k, byte[] out, int o) {
        out[o] = (byte) (k - (((255 - y) * k) >> 8));
        out[o + 1] = (byte) (k - (((255 - m) * k) >> 8));
        out[o + 2] = (byte) (k - (((255 - c) * k) >> 8));
    }

    private static int to8(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits > 8) {
            return sample >>> (bits - 8);
        }
        return (sample * 255 + ((1 << bits) - 1) / 2) / ((1 << bits) - 1);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    private static boolean isIntegral(int transferType) {
        return transferType == DataBuffer.TYPE_BYTE || transferType == DataBuffer.TYPE_USHORT
                || transferType == DataBuffer.TYPE_INT || transferType == DataBuffer.TYPE_SHORT;
    }

    private static void put(byte[] out, int pixel, int argb) {
        out[pixel * 3] = (byte) argb;
        out[pixel * 3 + 1] = (byte) (argb >> 8);
        out[pixel * 3 + 2] = (byte) (argb >> 16);
    }

    private static int jpegComponents(Node tree) {
        Node sof = find(tree, "sof");
        return sof == null ? -1 : intAttr(sof, "numFrameComponents", -1);
    }

    /** The Adobe APP14 transform: 0 none (RGB or CMYK), 1 YCbCr, 2 YCCK; -1 without the marker. */
    private static int adobeTransform(Node tree) {
        Node adobe = find(tree, "app14Adobe");
        return adobe == null ? -1 : intAttr(adobe, "transform", -1);
    }

    private static Node find(Node n, String name) {
        if (name.equals(n.getNodeName())) {
            return n;
        }
        for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
            Node f = find(c, name);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    private static int intAttr(Node n, String attr, int dflt) {
        NamedNodeMap a = n.getAttributes();
        Node v = a == null ? null : a.getNamedItem(attr);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.getNodeValue());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
