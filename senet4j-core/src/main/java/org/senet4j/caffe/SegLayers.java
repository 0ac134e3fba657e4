package org.senet4j.caffe;

import java.util.LinkedHashMap;
import java.util.Map;
import org.senet4j.ModelException;
import org.senet4j.caffe.proto.InterpParameter;
import org.senet4j.caffe.proto.UpsampleParameter;
import org.senet4j.ir.op.Interp;
import org.senet4j.ir.op.MaxUnpool;
import org.senet4j.ir.op.NearestUpsample;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.Power;

/**
 * Converters of the segmentation forks' layers: PSPNet's / DeepLab v2's Interp and the {@code Upsample} type, which
 * names SegNet's / ENet's max-unpooling (two bottoms) and the YOLOv3 forks' nearest upsampling (one bottom). The MAX
 * pooling's mask top, which the unpooling reads, is BVLC's and converted with Pooling in {@link LayerConverters}.
 */
final class SegLayers {
    private SegLayers() {
    }

    /** The converters, by Caffe layer type, in a fixed order. */
    static Map<String, LayerConverter> converters() {
        Map<String, LayerConverter> m = new LinkedHashMap<>();
        m.put("Interp", SegLayers::interp);
        m.put("Upsample", SegLayers::upsample);
        return m;
    }

    /**
     * PSPNet / DeepLab v2 Interp ({@code interp_param}): one bottom; {@code pad_beg} and {@code pad_end} zero or
     * negative (the fork's CHECKs); the output size from {@code shrink_factor} and/or {@code zoom_factor} (each at
     * least 1 when set) or {@code height} and {@code width} in the fork's order (see {@link Interp}). jolibrain's
     * {@code mode: NEAREST} is refused.
     */
    static Op interp(LayerContext c) throws ModelException {
        InterpParameter p = c.layer().getInterpParam();
        if (c.inputs().size() != 1) {
            throw ModelException.field("bottom", "Interp takes one bottom (PSPNet / DeepLab v2: the size comes from "
                    + "interp_param), got " + c.inputs().size());
        }
        if (p.hasMode() && p.getMode() != InterpParameter.Mode.LINEAR) {
            throw new UnsupportedLayerException("Interp (mode " + p.getMode() + ")", "interp_param.mode",
                    "only bilinear interpolation (mode LINEAR, PSPNet's and DeepLab's only one) is supported");
        }
        if (p.getPadBeg() > 0 || p.getPadEnd() > 0) {
            throw ModelException.field(p.getPadBeg() > 0 ? "interp_param.pad_beg" : "interp_param.pad_end",
                    "only zero or negative padding (cropping) is supported (the fork's check), got pad_beg "
                    + p.getPadBeg() + ", pad_end " + p.getPadEnd());
        }
        boolean shrink = p.hasShrinkFactor();
        boolean zoom = p.hasZoomFactor();
        boolean size = p.hasHeight() && p.hasWidth();
        if (shrink && p.getShrinkFactor() < 1) {
            throw ModelException.field("interp_param.shrink_factor", "must be at least 1, got "
                    + p.getShrinkFactor());
        }
        if (zoom && p.getZoomFactor() < 1) {
            throw ModelException.field("interp_param.zoom_factor", "must be at least 1, got " + p.getZoomFactor());
        }
        if (!shrink && !zoom && !size) {
            throw ModelException.field("interp_param", "give zoom_factor, shrink_factor, or both height and width");
        }
        if (!(shrink ^ zoom) && size && (p.getHeight() < 1 || p.getWidth() < 1)) {
            throw ModelException.field("interp_param.height", "height and width must be positive, got "
                    + p.getHeight() + "x" + p.getWidth());
        }
        // the fork reads height/width only when not exactly one factor is set; keep them only then
        boolean useSize = !(shrink ^ zoom) && size;
        return new Interp(zoom ? p.getZoomFactor() : 0, shrink ? p.getShrinkFactor() : 0,
                useSize ? p.getHeight() : 0, useSize ? p.getWidth() : 0, p.getPadBeg(), p.getPadEnd());
    }

    /**
     * {@code Upsample}: with one bottom the eric612/MobileNet-YOLO nearest upsampling ({@code scale}, 1 when not set,
     * at least 1); with two bottoms (values, MAX pooling mask) SegNet's max-unpooling with its size rules:
     * {@code upsample_h} and {@code upsample_w} (both greater than 1), else {@code scale} (greater than 1; SegNet's
     * default 2) or {@code scale_h} and {@code scale_w} without {@code scale} (each greater than 1), with
     * {@code pad_out_h}/{@code pad_out_w} (subtract 1, only with a scale of 2 on that axis).
     */
    static Op upsample(LayerContext c) throws ModelException {
        UpsampleParameter p = c.layer().getUpsampleParam();
        int bottoms = c.inputs().size();
        if (bottoms == 1) {
            if (p.hasScaleH() || p.hasScaleW() || p.hasUpsampleH() || p.hasUpsampleW() || p.hasPadOutH()
                    || p.hasPadOutW()) {
                throw ModelException.field("upsample_param", "scale_h, scale_w, pad_out_h, pad_out_w, upsample_h and "
                        + "upsample_w belong to SegNet's two-bottom Upsample (values and pooling mask); with one "
                        + "bottom (the YOLOv3 forks' nearest Upsample) only scale applies");
            }
            int scale = p.hasScale() ? p.getScale() : 1;
            if (scale < 1) {
                throw ModelException.field("upsample_param.scale", "must be at least 1, got "
                        + Integer.toUnsignedString(scale));
            }
            return new NearestUpsample(scale);
        }
        if (bottoms != 2) {
            throw ModelException.field("bottom", "Upsample takes one bottom (nearest upsampling) or two (values and "
                    + "the MAX pooling's mask), got " + bottoms);
        }
        if (p.hasUpsampleH() && p.hasUpsampleW()) {
            if (p.getUpsampleH() <= 1 || p.getUpsampleW() <= 1) {
                throw ModelException.field("upsample_param.upsample_h", "upsample_h and upsample_w must be greater "
                        + "than 1, got " + Integer.toUnsignedString(p.getUpsampleH()) + "x"
                        + Integer.toUnsignedString(p.getUpsampleW()));
            }
            return new MaxUnpool(0, 0, 0, 0, p.getUpsampleH(), p.getUpsampleW());
        }
        boolean pair = !p.hasScale() && p.hasScaleH() && p.hasScaleW();
        if (!pair && (p.hasScaleH() || p.hasScaleW())) {
            throw ModelException.field("upsample_param.scale_h", "give upsample_h and upsample_w, or scale, or "
                    + "scale_h and scale_w without scale");
        }
        int sh = pair ? p.getScaleH() : p.getScale();
        int sw = pair ? p.getScaleW() : p.getScale();
        if (sh <= 1 || sw <= 1) {
            throw ModelException.field(pair ? "upsample_param.scale_h" : "upsample_param.scale", "must be greater "
                    + "than 1, got " + Integer.toUnsignedString(sh) + "x" + Integer.toUnsignedString(sw));
        }
        if ((p.getPadOutH() && sh != 2) || (p.getPadOutW() && sw != 2)) {
            throw ModelException.field(p.getPadOutH() && sh != 2 ? "upsample_param.pad_out_h"
                    : "upsample_param.pad_out_w", "output padding compensation needs a scale of 2 on that axis");
        }
        return new MaxUnpool(sh, sw, p.getPadOutH() ? 1 : 0, p.getPadOutW() ? 1 : 0, 0, 0);
    }

    /** The Python module and class of ENet's spatial dropout (TimoSaemann/caffe-enet, python/spatial_dropout.py). */
    static final String SPATIAL_DROPOUT = "spatial_dropout.SpatialDropoutLayer";

    /**
     * ENet's spatial dropout, a Python layer: {@code param_str} is a dict with {@code 'phase'} and {@code 'p'}. Outside
     * the TRAIN phase its forward multiplies every element by {@code 1 / (1 - p)} (the Python double rounded to the
     * float32 of the blob, as NumPy multiplies a float32 array by a Python float), which is a Power layer's scale; in
     * the TRAIN phase it drops random channels and is refused. One bottom, one top; p in (0, 1) as the layer checks.
     */
    static Op spatialDropout(LayerContext c) throws ModelException {
        if (c.inputs().size() != 1 || c.layer().getTopCount() != 1) {
            throw ModelException.field("bottom", "spatial dropout has one bottom and one top, got "
                    + c.inputs().size() + " and " + c.layer().getTopCount());
        }
        String text = c.layer().getPythonParam().getParamStr();
        Map<String, String> params = RcnnLayers.paramStr(text);
        String phase = unquote(params.remove("phase"));
        String p = unquote(params.remove("p"));
        if (phase == null || p == null) {
            throw ModelException.field("python_param.param_str", "needs 'phase' and 'p' (e.g. \"{'phase': 'TEST', "
                    + "'p': '0.01'}\"), got \"" + text + "\"");
        }
        if (!params.isEmpty()) {
            throw ModelException.field("python_param.param_str", "unknown key(s) " + params.keySet() + " for "
                    + SPATIAL_DROPOUT + "; known: phase, p");
        }
        if (phase.equals("TRAIN")) {
            throw ModelException.field("python_param.param_str", "'phase': 'TRAIN' drops random channels; only "
                    + "the test-time layer can run (set 'phase': 'TEST')");
        }
        double ratio;
        try {
            ratio = Double.parseDouble(p);
        } catch (NumberFormatException e) {
            throw ModelException.field("python_param.param_str", "'p' must be a number, got " + p);
        }
        if (!(ratio > 0 && ratio < 1)) {
            throw ModelException.field("python_param.param_str", "'p' must be between 0 and 1, got " + p);
        }
        return new Power(1f, (float) (1.0 / (1.0 - ratio)), 0f);
    }

    private static String unquote(String v) {
        return v == null ? null : v.trim().replaceAll("^['\"]|['\"]$", "");
    }
}
