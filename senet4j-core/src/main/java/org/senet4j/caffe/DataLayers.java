package org.senet4j.caffe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.TransformationParameter;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.Input;
import org.senet4j.ir.op.Op;

/**
 * The data layers of training and validation nets as net inputs. Each top gets the shape Caffe would give it where
 * the layer's parameters determine it (batch size, crop size, resize, colour); where Caffe learns it only from the
 * data (a database's images, an HDF5 file, a Python layer), the import asks for {@code --input-shape} by top name.
 *
 * <p>Top 0 is the data; top 1 is the label ({@code N} values for Data, ImageData and WindowData; {@code N x 1 x H x W}
 * for DenseImageData). Tops that no kept layer reads (the label of a net whose loss layers were left out) are not
 * made inputs at all.
 */
final class DataLayers {
    /** Layer types that read training or validation data. */
    static final List<String> TYPES = List.of("Data", "ImageData", "HDF5Data", "WindowData", "AnnotatedData",
            "DenseImageData", "VideoData");

    private DataLayers() {
    }

    /** Thrown by a data layer's converter for tops whose shapes only the data knows. */
    static final class ShapesNeeded extends ModelException {
        private static final long serialVersionUID = 1L;
        final transient List<ImportReport.ShapeNeeded> needed;
        /** The shapes known, by top position (null where needed). */
        final transient List<Shape> known;

        ShapesNeeded(List<ImportReport.ShapeNeeded> needed, List<Shape> known) {
            super("input shapes needed: " + needed);
            this.needed = List.copyOf(needed);
            this.known = java.util.Collections.unmodifiableList(new ArrayList<>(known));
        }
    }

    /** Whether a layer is a data layer: one of {@link #TYPES}, or a Python layer without bottoms. */
    static boolean isDataLayer(LayerParameter l) {
        return TYPES.contains(l.getType()) || (l.getType().equals("Python") && l.getBottomCount() == 0);
    }

    /** The converter of every data layer type. */
    static Op convert(LayerContext c) throws ModelException {
        LayerParameter l = c.layer();
        if (c.topCount() == 0) {
            throw ModelException.field("top", "a data layer needs at least one top");
        }
        // dims: N, C, H, W; 0 = unknown; each with the parameter it came from
        long[] dims = new long[4];
        String[] from = new String[4];
        String channelsFrom = "the data";
        TransformationParameter t = l.getTransformParam();
        switch (l.getType()) {
            case "Data", "AnnotatedData" -> {
                set(dims, from, 0, l.getDataParam().getBatchSize(), "data_param.batch_size");
                crop(dims, from, t.getCropSize() > 0 ? t.getCropSize() : l.getDataParam().getCropSize(),
                        t.getCropSize() > 0 ? "transform_param.crop_size" : "data_param.crop_size");
                if (t.getResizeParamCount() > 0 && t.getResizeParam(0).getHeight() > 0
                        && t.getResizeParam(0).getWidth() > 0 && t.getCropSize() == 0) {
                    set(dims, from, 2, t.getResizeParam(0).getHeight(), "transform_param.resize_param.height");
                    set(dims, from, 3, t.getResizeParam(0).getWidth(), "transform_param.resize_param.width");
                }
                channelsFrom = "the database";
            }
            case "ImageData" -> {
                var p = l.getImageDataParam();
                set(dims, from, 0, p.getBatchSize(), "image_data_param.batch_size");
                set(dims, from, 1, p.getIsColor() ? 3 : 1, "image_data_param.is_color");
                if (p.getNewHeight() > 0 && p.getNewWidth() > 0) {
                    set(dims, from, 2, p.getNewHeight(), "image_data_param.new_height");
                    set(dims, from, 3, p.getNewWidth(), "image_data_param.new_width");
                }
                crop(dims, from, t.getCropSize() > 0 ? t.getCropSize() : p.getCropSize(),
                        t.getCropSize() > 0 ? "transform_param.crop_size" : "image_data_param.crop_size");
                channelsFrom = "the images";
            }
            case "DenseImageData" -> {
                var p = l.getDenseImageDataParam();
                set(dims, from, 0, p.getBatchSize(), "dense_image_data_param.batch_size");
                set(dims, from, 1, p.getIsColor() ? 3 : 1, "dense_image_data_param.is_color");
                if (p.getCropHeight() > 0 && p.getCropWidth() > 0) {
                    set(dims, from, 2, p.getCropHeight(), "dense_image_data_param.crop_height");
                    set(dims, from, 3, p.getCropWidth(), "dense_image_data_param.crop_width");
                } else if (p.getNewHeight() > 0 && p.getNewWidth() > 0) {
                    set(dims, from, 2, p.getNewHeight(), "dense_image_data_param.new_height");
                    set(dims, from, 3, p.getNewWidth(), "dense_image_data_param.new_width");
                }
                channelsFrom = "the images";
            }
            case "WindowData" -> {
                var p = l.getWindowDataParam();
                set(dims, from, 0, p.getBatchSize(), "window_data_param.batch_size");
                set(dims, from, 1, 3, "window_data_param (colour images)");
                crop(dims, from, t.getCropSize() > 0 ? t.getCropSize() : p.getCropSize(),
                        t.getCropSize() > 0 ? "transform_param.crop_size" : "window_data_param.crop_size");
            }
            case "HDF5Data" -> {
                set(dims, from, 0, l.getHdf5DataParam().getBatchSize(), "hdf5_data_param.batch_size");
                channelsFrom = "the HDF5 file";
            }
            default -> channelsFrom = l.getType().equals("Python") ? "the Python layer" : "the data";
        }
        if (t.getForceColor()) {
            set(dims, from, 1, 3, "transform_param.force_color");
        } else if (t.getForceGray()) {
            set(dims, from, 1, 1, "transform_param.force_gray");
        }
        List<Shape> shapes = new ArrayList<>();
        List<ImportReport.ShapeNeeded> needed = new ArrayList<>();
        for (int i = 0; i < c.topCount(); i++) {
            String top = l.getTop(i);
            int position = c.topPosition(i);
            long[] want = position == 0 ? dims : label(l.getType(), dims);
            if (want != null && Arrays.stream(want).allMatch(d -> d > 0)) {
                shapes.add(Shape.of(Arrays.stream(want).mapToInt(Math::toIntExact).toArray()));
                continue;
            }
            shapes.add(null);
            needed.add(needed(l, top, position, want, from, channelsFrom));
        }
        if (!needed.isEmpty()) {
            throw new ShapesNeeded(needed, shapes);
        }
        return new Input(shapes, l.getType());
    }

    /** The label's shape for a data shape, or null when only the data knows it. */
    private static long[] label(String type, long[] data) {
        return switch (type) {
            case "Data", "ImageData", "WindowData" -> new long[] {data[0]};
            case "DenseImageData" -> new long[] {data[0], 1, data[2], data[3]};
            default -> null;
        };
    }

    private static ImportReport.ShapeNeeded needed(LayerParameter l, String top, int position, long[] dims,
                                                   String[] from, String channelsFrom) {
        if (dims == null) {
            return new ImportReport.ShapeNeeded(l.getName(), l.getType(), top, "", "its shape comes from "
                    + channelsFrom, top + "=N,...");
        }
        String[] axis = {"N", "C", "H", "W"};
        List<String> known = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        StringBuilder example = new StringBuilder(top).append('=');
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                example.append(',');
            }
            if (dims[i] > 0) {
                known.add(axis[i] + " = " + dims[i] + " from " + from[i]);
                example.append(dims[i]);
            } else {
                missing.add(axis[i]);
                example.append(axis[i]);
            }
        }
        String what = position == 0 ? "" : "(label) ";
        return new ImportReport.ShapeNeeded(l.getName(), l.getType(), top, String.join(", ", known),
                what + String.join(", ", missing) + " come" + (missing.size() == 1 ? "s" : "") + " from "
                        + channelsFrom, example.toString());
    }

    private static void set(long[] dims, String[] from, int axis, long value, String field) {
        if (value > 0) {
            dims[axis] = value;
            from[axis] = field;
        }
    }

    private static void crop(long[] dims, String[] from, long crop, String field) {
        if (crop > 0) {
            set(dims, from, 2, crop, field);
            set(dims, from, 3, crop, field);
        }
    }
}
