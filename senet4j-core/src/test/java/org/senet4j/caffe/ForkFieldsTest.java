package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.ModelException;
import org.senet4j.TestData;
import org.senet4j.caffe.proto.BNParameter;
import org.senet4j.caffe.proto.BiasParameter;
import org.senet4j.caffe.proto.BlobProto;
import org.senet4j.caffe.proto.BlobShape;
import org.senet4j.caffe.proto.CTCDecoderParameter;
import org.senet4j.caffe.proto.ClipParameter;
import org.senet4j.caffe.proto.ContinuationIndicatorParameter;
import org.senet4j.caffe.proto.DenseBlockParameter;
import org.senet4j.caffe.proto.DenseImageDataParameter;
import org.senet4j.caffe.proto.DetectionEvaluateParameter;
import org.senet4j.caffe.proto.EmbedParameter;
import org.senet4j.caffe.proto.EvalDetectionParameter;
import org.senet4j.caffe.proto.FillerParameter;
import org.senet4j.caffe.proto.InputParameter;
import org.senet4j.caffe.proto.InterpParameter;
import org.senet4j.caffe.proto.LSTMParameter;
import org.senet4j.caffe.proto.LayerParameter;
import org.senet4j.caffe.proto.MultiBoxLossParameter;
import org.senet4j.caffe.proto.NetParameter;
import org.senet4j.caffe.proto.ParameterParameter;
import org.senet4j.caffe.proto.PermuteParameter;
import org.senet4j.caffe.proto.PriorBoxParameter;
import org.senet4j.caffe.proto.ROIPoolingParameter;
import org.senet4j.caffe.proto.RegionLossParameter;
import org.senet4j.caffe.proto.ReorgParameter;
import org.senet4j.caffe.proto.ReverseParameter;
import org.senet4j.caffe.proto.ReverseTimeParameter;
import org.senet4j.caffe.proto.ScaleParameter;
import org.senet4j.caffe.proto.ShuffleChannelParameter;
import org.senet4j.caffe.proto.SmoothL1LossParameter;
import org.senet4j.caffe.proto.SwishParameter;
import org.senet4j.caffe.proto.TileParameter;
import org.senet4j.caffe.proto.UpsampleParameter;
import org.senet4j.caffe.proto.V1LayerParameter;
import org.senet4j.ir.Shape;

/**
 * Binary caffemodels written here as the Caffe forks write them (docs/fork-fields.md): for every LayerParameter
 * number that two forks use for different parameters, one file with a layer for each meaning, at the numbers the
 * forks use. Each layer must decode, by its type, to the message and values its fork meant, with nothing left in
 * unknown fields; a layer whose parameters cannot be parsed at all loads with its blobs and a warning. The real fork
 * caffemodels of ../shared load with every layer's type and blob shapes.
 */
class ForkFieldsTest {
    @TempDir
    Path dir;

    /** Where {@link CaffemodelFuzzTest} replays its inputs from. */
    private static Path corpus() {
        return TestData.projectRoot().resolve(
                "senet4j-core/src/test/resources/org/senet4j/caffe/CaffemodelFuzzTestInputs/caffemodel");
    }

    // ----- writing a caffemodel field by field --------------------------------------------------------------------

    private interface Body {
        void write(CodedOutputStream o) throws IOException;
    }

    private static ByteString msg(Body body) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            CodedOutputStream o = CodedOutputStream.newInstance(b);
            body.write(o);
            o.flush();
            return ByteString.copyFrom(b.toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The one blob every layer here carries: shape (1, 2), values from the name. */
    private static float[] blobValues(String name) {
        return new float[] {name.length(), name.charAt(0) / 8f};
    }

    private static ByteString blob(String name) {
        return msg(o -> {
            o.writeByteArray(7, msg(s -> s.writeByteArray(1, msg(d -> {
                d.writeInt64NoTag(1);
                d.writeInt64NoTag(2);
            }).toByteArray())).toByteArray());
            ByteString data = msg(d -> {
                for (float v : blobValues(name)) {
                    d.writeFloatNoTag(v);
                }
            });
            o.writeBytes(5, data);
        });
    }

    /** A modern layer with its parameters at LayerParameter field {@code field}, and one blob. */
    private static ByteString layer(String name, String type, int field, ByteString param) {
        return msg(o -> {
            o.writeString(1, name);
            o.writeString(2, type);
            o.writeBytes(field, param);
            o.writeBytes(7, blob(name));
        });
    }

    private static byte[] net(ByteString... layers) {
        return msg(o -> {
            o.writeString(1, "forks");
            for (ByteString l : layers) {
                o.writeBytes(100, l);
            }
        }).toByteArray();
    }

    private static ByteString of(Message m) {
        return m.toByteString();
    }

    private static FillerParameter constant(float v) {
        return FillerParameter.newBuilder().setType("constant").setValue(v).build();
    }

    // ----- the conflict cases: one file per conflicting number, a layer for each meaning --------------------------

    /** 143: BVLC input_param; DeepLab v2 / PSPNet interp_param (jolibrain: 153, declared: 162). */
    static byte[] interpOrInput() {
        return net(
                layer("interp_pspnet", "Interp", 143, of(InterpParameter.newBuilder().setHeight(33).setWidth(17)
                        .build())),
                layer("data", "Input", 143, of(InputParameter.newBuilder().addShape(BlobShape.newBuilder()
                        .addDim(1).addDim(3).addDim(8).addDim(8)).build())),
                layer("interp_jolibrain", "Interp", 153, of(InterpParameter.newBuilder().setZoomFactor(2)
                        .setMode(InterpParameter.Mode.NEAREST).build())),
                layer("interp_senlinuc", "Interp", 162, of(InterpParameter.newBuilder().setShrinkFactor(4)
                        .setPadBeg(-1).build())));
    }

    /** yjxiong/PSPNet's BNParameter: slope_filler 1, bias_filler 2, momentum 3 (float), eps 4, frozen 5. */
    private static ByteString pspBn(float momentum) {
        return msg(o -> {
            o.writeMessage(1, constant(1));
            o.writeMessage(2, constant(0));
            o.writeFloat(3, momentum);
            o.writeFloat(4, 1e-4f);
            o.writeBool(5, true);
        });
    }

    /** BN: PSPNet at 152, yjxiong at 137 (BVLC embed_param), SegNet at 45; and an Embed layer at 137. */
    static byte[] bnFlavours() {
        return net(
                layer("bn_pspnet", "BN", 152, pspBn(0.95f)),
                layer("bn_yjxiong", "BN", 137, pspBn(0.5f)),
                layer("bn_segnet", "BN", 45, msg(o -> {
                    o.writeMessage(1, constant(1));
                    o.writeMessage(2, constant(0.001f));
                    o.writeEnum(3, BNParameter.BNMode.INFERENCE_VALUE);
                })),
                layer("embed", "Embed", 137, of(EmbedParameter.newBuilder().setNumOutput(10).setInputDim(20)
                        .build())));
    }

    /** Upsample: SegNet 137, ENet 147, jolibrain 152, eric612 150 (declared). */
    static byte[] upsampleNumbers() {
        return net(
                layer("up_segnet", "Upsample", 137, of(UpsampleParameter.newBuilder().setScale(2).setUpsampleH(30)
                        .setUpsampleW(40).build())),
                layer("up_enet", "Upsample", 147, of(UpsampleParameter.newBuilder().setScaleH(2).setScaleW(3)
                        .setPadOutH(true).build())),
                layer("up_jolibrain", "Upsample", 152, of(UpsampleParameter.newBuilder().setScale(4).build())),
                layer("up_eric612", "Upsample", 150, of(UpsampleParameter.newBuilder().setScale(2).build())));
    }

    /** 147: BVLC swish_param; ENet upsample, senlinuc/Tongcheng denseblock, gklz1982 reorg, jolibrain ROIPooling. */
    static byte[] number147() {
        return net(
                layer("swish", "Swish", 147, of(SwishParameter.newBuilder().setBeta(1.5f).build())),
                layer("up_enet", "Upsample", 147, of(UpsampleParameter.newBuilder().setScale(2).build())),
                layer("dense", "DenseBlock", 147, of(DenseBlockParameter.newBuilder().setNumTransition(3)
                        .setGrowthRate(8).build())),
                layer("reorg_gklz1982", "Reorg", 147, of(ReorgParameter.newBuilder().setStride(2).build())),
                layer("reorg_choasup", "Reorg", 303, of(ReorgParameter.newBuilder().setStride(4).build())),
                layer("reorg_eric612", "Reorg", 149, of(ReorgParameter.newBuilder().setStride(2).setReverse(true)
                        .build())),
                layer("roi_jolibrain", "ROIPooling", 147, of(ROIPoolingParameter.newBuilder().setPooledH(7)
                        .setPooledW(7).setSpatialScale(0.0625f).build())));
    }

    /** 148: BVLC clip_param; jolibrain smooth_l1_loss_param (declared 8266712). */
    static byte[] number148() {
        return net(
                layer("clip", "Clip", 148, of(ClipParameter.newBuilder().setMin(-1).setMax(6).build())),
                layer("smooth_jolibrain", "SmoothL1Loss", 148, of(SmoothL1LossParameter.newBuilder().setSigma(3)
                        .build())),
                layer("smooth_rcnn", "SmoothL1Loss", 8266712, of(SmoothL1LossParameter.newBuilder().setSigma(2)
                        .build())));
    }

    /** 150: eric612 upsample_param; yjxiong roi_pooling_param. 8266711: py-faster-rcnn ROIPooling; senlinuc Lstm. */
    static byte[] roiPoolingAndLstm() {
        return net(
                layer("up", "Upsample", 150, of(UpsampleParameter.newBuilder().setScale(2).build())),
                layer("roi_yjxiong", "ROIPooling", 150, of(ROIPoolingParameter.newBuilder().setPooledH(6)
                        .setPooledW(5).setSpatialScale(0.125f).build())),
                layer("roi_rcnn", "ROIPooling", 8266711, of(ROIPoolingParameter.newBuilder().setPooledH(14)
                        .setPooledW(14).build())),
                layer("lstm_senlinuc", "Lstm", 8266711, of(LSTMParameter.newBuilder().setNumOutput(256)
                        .setClippingThreshold(0.1f).build())),
                layer("lstm_junhyukoh", "Lstm", 201, of(LSTMParameter.newBuilder().setNumOutput(128)
                        .setBatchSize(4).build())));
    }

    /** 154: jolibrain shuffle_channel_param (declared 164, farmingyard). */
    static byte[] shuffleChannel() {
        return net(
                layer("shuffle_jolibrain", "ShuffleChannel", 154, of(ShuffleChannelParameter.newBuilder().setGroup(3)
                        .build())),
                layer("shuffle_farmingyard", "ShuffleChannel", 164, of(ShuffleChannelParameter.newBuilder()
                        .setGroup(4).build())));
    }

    /** 158: jolibrain continuation_indicator_param; senlinuc ctc_decoder_param. */
    static byte[] number158() {
        return net(
                layer("cont_jolibrain", "ContinuationIndicator", 158, of(ContinuationIndicatorParameter.newBuilder()
                        .setTimeStep(16).setAxis(1).build())),
                layer("ctc_decoder", "CTCGreedyDecoder", 158, of(CTCDecoderParameter.newBuilder().setBlankIndex(36)
                        .setCtcMergeRepeated(false).build())));
    }

    /** 160: senlinuc reverse_param; jolibrain swish, yjxiong scale, video-caffe continuation indicator. */
    static byte[] number160() {
        return net(
                layer("reverse_senlinuc", "Reverse", 160, of(ReverseParameter.newBuilder().setAxis(1).build())),
                layer("reverse_jolibrain", "Reverse", 209, of(ReverseParameter.newBuilder().setAxis(2).build())),
                layer("swish_jolibrain", "Swish", 160, of(SwishParameter.newBuilder().setBeta(2).build())),
                layer("scale_yjxiong", "Scale", 160, of(ScaleParameter.newBuilder().setAxis(0).setBiasTerm(true)
                        .build())),
                layer("cont_video", "ContinuationIndicator", 160, msg(o -> {
                    o.writeUInt32(1, 8);  // time_step
                    o.writeInt32(2, 4);   // batch_size (video-caffe)
                    o.writeBool(3, true); // flag
                })));
    }

    /** 161: senlinuc reverse_time_param; jolibrain clip, yjxiong bias. */
    static byte[] number161() {
        return net(
                layer("reverse_time", "ReverseTime", 161, of(ReverseTimeParameter.newBuilder().setCopyRemaining(true)
                        .build())),
                layer("clip_jolibrain", "Clip", 161, of(ClipParameter.newBuilder().setMin(0).setMax(6).build())),
                layer("bias_yjxiong", "Bias", 161, of(BiasParameter.newBuilder().setAxis(0).setNumAxes(2)
                        .build())));
    }

    /** 201-203: SSD multibox_loss, permute, prior_box; gklz1982/choasup YOLOv2 layers at these and other numbers. */
    static byte[] yoloV2Numbers() {
        return net(
                layer("mbox_loss", "MultiBoxLoss", 201, of(MultiBoxLossParameter.newBuilder().setNumClasses(21)
                        .setLocWeight(2).build())),
                layer("eval_gklz1982", "EvalDetection", 201, of(EvalDetectionParameter.newBuilder().setSide(13)
                        .setNumClass(20).setThreshold(0.25f).build())),
                layer("eval_choasup", "EvalDetection", 301, of(EvalDetectionParameter.newBuilder().setSide(19)
                        .build())),
                layer("permute", "Permute", 202, of(PermuteParameter.newBuilder().addOrder(0).addOrder(2)
                        .addOrder(3).addOrder(1).build())),
                layer("region_gklz1982", "RegionLoss", 202, of(RegionLossParameter.newBuilder().setSide(13)
                        .setNumClass(20).setNum(5).build())),
                layer("region_choasup", "RegionLoss", 302, of(RegionLossParameter.newBuilder().setNumClass(80)
                        .build())),
                layer("region_eric612", "RegionLoss", 600, of(RegionLossParameter.newBuilder().setCoords(4)
                        .setJitter(0.3f).build())),
                layer("prior", "PriorBox", 203, of(PriorBoxParameter.newBuilder().addMinSize(30).addMaxSize(60)
                        .addAspectRatio(2).build())),
                layer("deval_gklz1982", "DetectionEvaluate", 203, of(DetectionEvaluateParameter.newBuilder()
                        .setNumClasses(21).build())),
                layer("deval_ssd", "DetectionEvaluate", 205, of(DetectionEvaluateParameter.newBuilder()
                        .setNumClasses(2).setBackgroundLabelId(1).build())));
    }

    /** 138: BVLC tile_param; SegNet dense_image_data_param (ENet: 46, declared). */
    static byte[] number138() {
        return net(
                layer("tile", "Tile", 138, of(TileParameter.newBuilder().setAxis(1).setTiles(3).build())),
                layer("dense_segnet", "DenseImageData", 138, of(DenseImageDataParameter.newBuilder()
                        .setSource("train.txt").setBatchSize(4).build())),
                layer("dense_enet", "DenseImageData", 46, of(DenseImageDataParameter.newBuilder().setBatchSize(2)
                        .setLabelDivideFactor(8).build())));
    }

    /**
     * 145: BVLC parameter_param; DeepLab v2 / PSPNet mat_write_param (not declared), whose string prefix at 1 does not
     * parse as ParameterParameter's BlobShape. Also one written as a varint (unknown, not an error) and a BN whose
     * PSPNet bytes at 152 do not parse as a BNParameter.
     */
    static byte[] unparsable() {
        return net(
                layer("param", "Parameter", 145, of(ParameterParameter.newBuilder().setShape(BlobShape.newBuilder()
                        .addDim(3).addDim(4)).build())),
                layer("mat_write", "MatWrite", 145, msg(o -> {
                    o.writeString(1, "features/fc8_");
                    o.writeString(2, "mat");
                })),
                msg(o -> {
                    o.writeString(1, "mat_write_varint");
                    o.writeString(2, "MatWrite");
                    o.writeUInt64(145, 12345);
                    o.writeBytes(7, blob("mat_write_varint"));
                }),
                layer("bn_broken", "BN", 152, ByteString.copyFrom(new byte[] {0x0a, 0x05, 0x12})));
    }

    /** Every case by the name its copy in the fuzz corpus has. */
    static Map<String, byte[]> cases() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("fork_143_interp_or_input", interpOrInput());
        m.put("fork_bn_pspnet_yjxiong_segnet", bnFlavours());
        m.put("fork_upsample_137_147_152_150", upsampleNumbers());
        m.put("fork_147", number147());
        m.put("fork_148", number148());
        m.put("fork_roi_pooling_lstm", roiPoolingAndLstm());
        m.put("fork_154_shuffle_channel", shuffleChannel());
        m.put("fork_158", number158());
        m.put("fork_160", number160());
        m.put("fork_161", number161());
        m.put("fork_yolov2_201_203", yoloV2Numbers());
        m.put("fork_138", number138());
        m.put("fork_unparsable_params", unparsable());
        return m;
    }

    /** The ones copied to the fuzz corpus (a few hundred bytes each). */
    private static final List<String> IN_CORPUS = List.of("fork_143_interp_or_input", "fork_bn_pspnet_yjxiong_segnet",
            "fork_upsample_137_147_152_150", "fork_160", "fork_unparsable_params");

    // ----- reading them back -------------------------------------------------------------------------------------

    private CaffemodelFile opened;

    /** Opens a case, checks every layer's one blob, returns the layers' parameters by name. */
    private Map<String, LayerParameter> open(byte[] bytes, int expectedWarnings) throws Exception {
        Path f = dir.resolve("fork.caffemodel");
        Files.write(f, bytes);
        Map<String, LayerParameter> byName = new LinkedHashMap<>();
        try (CaffemodelFile file = CaffemodelFile.open(f)) {
            opened = file;
            for (CaffemodelFile.StoredLayer l : file.layers()) {
                assertEquals(l.name(), l.param().getName());
                assertEquals(l.type(), l.param().getType());
                assertEquals(1, l.blobs().size(), l.name());
                assertEquals(Shape.of(1, 2), l.blobs().get(0).shape(), l.name());
                assertArrayEquals(blobValues(l.name()), file.read(l.blobs().get(0)), l.name());
                assertEquals(0, l.param().getBlobsCount());
                byName.put(l.name(), l.param());
            }
            assertEquals(expectedWarnings, file.warnings().size(), file.warnings().toString());
        }
        return byName;
    }

    /** The layer decoded with nothing left over, and only {@code field} among the parameter fields set. */
    private static void onlyParam(LayerParameter p, String field) {
        assertTrue(p.getUnknownFields().asMap().isEmpty(), p.getName() + ": unknown " + p.getUnknownFields());
        List<String> set = new ArrayList<>();
        for (FieldDescriptor d : p.getAllFields().keySet()) {
            if (d.getName().endsWith("_param")) {
                set.add(d.getName());
            }
        }
        assertEquals(List.of(field), set, p.getName());
        Message m = (Message) p.getField(LayerParameter.getDescriptor().findFieldByName(field));
        assertTrue(m.getUnknownFields().asMap().isEmpty(), p.getName() + "." + field + ": unknown "
                + m.getUnknownFields());
    }

    @Test
    void number143IsInterpForInterpLayersAndInputForInput() throws Exception {
        Map<String, LayerParameter> l = open(interpOrInput(), 0);
        onlyParam(l.get("interp_pspnet"), "interp_param");
        assertEquals(33, l.get("interp_pspnet").getInterpParam().getHeight());
        assertEquals(17, l.get("interp_pspnet").getInterpParam().getWidth());
        onlyParam(l.get("data"), "input_param");
        assertEquals(List.of(1L, 3L, 8L, 8L), l.get("data").getInputParam().getShape(0).getDimList());
        onlyParam(l.get("interp_jolibrain"), "interp_param");
        assertEquals(2, l.get("interp_jolibrain").getInterpParam().getZoomFactor());
        assertEquals(InterpParameter.Mode.NEAREST, l.get("interp_jolibrain").getInterpParam().getMode());
        onlyParam(l.get("interp_senlinuc"), "interp_param");
        assertEquals(4, l.get("interp_senlinuc").getInterpParam().getShrinkFactor());
        assertEquals(-1, l.get("interp_senlinuc").getInterpParam().getPadBeg());
    }

    @Test
    void bnFromPspNetYjxiongAndSegNet() throws Exception {
        Map<String, LayerParameter> l = open(bnFlavours(), 0);
        for (String name : List.of("bn_pspnet", "bn_yjxiong")) {
            onlyParam(l.get(name), "bn_param");
            BNParameter bn = l.get(name).getBnParam();
            assertEquals(constant(1), bn.getSlopeFiller(), name);
            assertEquals(constant(0), bn.getBiasFiller(), name);
            assertEquals(1e-4f, bn.getEps(), name);
            assertTrue(bn.getFrozen(), name);
            assertFalse(bn.hasScaleFiller() || bn.hasShiftFiller() || bn.hasBnMode(), name + ": " + bn);
        }
        assertEquals(0.95f, l.get("bn_pspnet").getBnParam().getMomentum());
        assertEquals(0.5f, l.get("bn_yjxiong").getBnParam().getMomentum());
        onlyParam(l.get("bn_segnet"), "bn_param");
        BNParameter seg = l.get("bn_segnet").getBnParam();
        assertEquals(BNParameter.BNMode.INFERENCE, seg.getBnMode());
        assertEquals(constant(1), seg.getScaleFiller());
        assertEquals(constant(0.001f), seg.getShiftFiller());
        assertFalse(seg.hasSlopeFiller() || seg.hasBiasFiller() || seg.hasMomentum() || seg.hasFrozen(), seg.toString());
        onlyParam(l.get("embed"), "embed_param");
        assertEquals(10, l.get("embed").getEmbedParam().getNumOutput());
        assertEquals(20, l.get("embed").getEmbedParam().getInputDim());
    }

    @Test
    void upsampleAt137147152And150() throws Exception {
        Map<String, LayerParameter> l = open(upsampleNumbers(), 0);
        for (LayerParameter p : l.values()) {
            onlyParam(p, "upsample_param");
        }
        UpsampleParameter segnet = l.get("up_segnet").getUpsampleParam();
        assertEquals(List.of(2, 30, 40), List.of(segnet.getScale(), segnet.getUpsampleH(), segnet.getUpsampleW()));
        UpsampleParameter enet = l.get("up_enet").getUpsampleParam();
        assertEquals(List.of(2, 3), List.of(enet.getScaleH(), enet.getScaleW()));
        assertTrue(enet.getPadOutH());
        assertFalse(enet.hasScale());
        assertEquals(4, l.get("up_jolibrain").getUpsampleParam().getScale());
        assertEquals(2, l.get("up_eric612").getUpsampleParam().getScale());
    }

    @Test
    void conflictsAt147() throws Exception {
        Map<String, LayerParameter> l = open(number147(), 0);
        onlyParam(l.get("swish"), "swish_param");
        assertEquals(1.5f, l.get("swish").getSwishParam().getBeta());
        onlyParam(l.get("up_enet"), "upsample_param");
        assertEquals(2, l.get("up_enet").getUpsampleParam().getScale());
        onlyParam(l.get("dense"), "denseblock_param");
        assertEquals(3, l.get("dense").getDenseblockParam().getNumTransition());
        assertEquals(8, l.get("dense").getDenseblockParam().getGrowthRate());
        for (String r : List.of("reorg_gklz1982", "reorg_choasup", "reorg_eric612")) {
            onlyParam(l.get(r), "reorg_param");
        }
        assertEquals(2, l.get("reorg_gklz1982").getReorgParam().getStride());
        assertEquals(4, l.get("reorg_choasup").getReorgParam().getStride());
        assertTrue(l.get("reorg_eric612").getReorgParam().getReverse());
        onlyParam(l.get("roi_jolibrain"), "roi_pooling_param");
        ROIPoolingParameter roi = l.get("roi_jolibrain").getRoiPoolingParam();
        assertEquals(List.of(7, 7), List.of(roi.getPooledH(), roi.getPooledW()));
        assertEquals(0.0625f, roi.getSpatialScale());
    }

    @Test
    void conflictsAt148() throws Exception {
        Map<String, LayerParameter> l = open(number148(), 0);
        onlyParam(l.get("clip"), "clip_param");
        assertEquals(-1f, l.get("clip").getClipParam().getMin());
        assertEquals(6f, l.get("clip").getClipParam().getMax());
        onlyParam(l.get("smooth_jolibrain"), "smooth_l1_loss_param");
        assertEquals(3f, l.get("smooth_jolibrain").getSmoothL1LossParam().getSigma());
        onlyParam(l.get("smooth_rcnn"), "smooth_l1_loss_param");
        assertEquals(2f, l.get("smooth_rcnn").getSmoothL1LossParam().getSigma());
    }

    @Test
    void roiPoolingAndLstmNumbers() throws Exception {
        Map<String, LayerParameter> l = open(roiPoolingAndLstm(), 0);
        onlyParam(l.get("up"), "upsample_param");
        assertEquals(2, l.get("up").getUpsampleParam().getScale());
        onlyParam(l.get("roi_yjxiong"), "roi_pooling_param");
        ROIPoolingParameter y = l.get("roi_yjxiong").getRoiPoolingParam();
        assertEquals(List.of(6, 5), List.of(y.getPooledH(), y.getPooledW()));
        assertEquals(0.125f, y.getSpatialScale());
        onlyParam(l.get("roi_rcnn"), "roi_pooling_param");
        assertEquals(14, l.get("roi_rcnn").getRoiPoolingParam().getPooledH());
        onlyParam(l.get("lstm_senlinuc"), "lstm_param");
        assertEquals(256, l.get("lstm_senlinuc").getLstmParam().getNumOutput());
        assertEquals(0.1f, l.get("lstm_senlinuc").getLstmParam().getClippingThreshold());
        onlyParam(l.get("lstm_junhyukoh"), "lstm_param");
        assertEquals(128, l.get("lstm_junhyukoh").getLstmParam().getNumOutput());
        assertEquals(4, l.get("lstm_junhyukoh").getLstmParam().getBatchSize());
    }

    @Test
    void shuffleChannelAt154And164() throws Exception {
        Map<String, LayerParameter> l = open(shuffleChannel(), 0);
        onlyParam(l.get("shuffle_jolibrain"), "shuffle_channel_param");
        assertEquals(3, l.get("shuffle_jolibrain").getShuffleChannelParam().getGroup());
        onlyParam(l.get("shuffle_farmingyard"), "shuffle_channel_param");
        assertEquals(4, l.get("shuffle_farmingyard").getShuffleChannelParam().getGroup());
    }

    @Test
    void conflictsAt158() throws Exception {
        Map<String, LayerParameter> l = open(number158(), 0);
        onlyParam(l.get("cont_jolibrain"), "continuation_indicator_param");
        ContinuationIndicatorParameter c = l.get("cont_jolibrain").getContinuationIndicatorParam();
        assertEquals(16, c.getTimeStep());
        assertEquals(1, c.getAxis());
        assertFalse(c.hasBatchSize());
        onlyParam(l.get("ctc_decoder"), "ctc_decoder_param");
        assertEquals(36, l.get("ctc_decoder").getCtcDecoderParam().getBlankIndex());
        assertTrue(l.get("ctc_decoder").getCtcDecoderParam().hasCtcMergeRepeated());
        assertFalse(l.get("ctc_decoder").getCtcDecoderParam().getCtcMergeRepeated());
    }

    @Test
    void conflictsAt160() throws Exception {
        Map<String, LayerParameter> l = open(number160(), 0);
        onlyParam(l.get("reverse_senlinuc"), "reverse_param");
        assertEquals(1, l.get("reverse_senlinuc").getReverseParam().getAxis());
        onlyParam(l.get("reverse_jolibrain"), "reverse_param");
        assertEquals(2, l.get("reverse_jolibrain").getReverseParam().getAxis());
        onlyParam(l.get("swish_jolibrain"), "swish_param");
        assertEquals(2f, l.get("swish_jolibrain").getSwishParam().getBeta());
        onlyParam(l.get("scale_yjxiong"), "scale_param");
        assertTrue(l.get("scale_yjxiong").getScaleParam().hasAxis());
        assertEquals(0, l.get("scale_yjxiong").getScaleParam().getAxis());
        assertTrue(l.get("scale_yjxiong").getScaleParam().getBiasTerm());
        onlyParam(l.get("cont_video"), "continuation_indicator_param");
        ContinuationIndicatorParameter c = l.get("cont_video").getContinuationIndicatorParam();
        assertEquals(8, c.getTimeStep());
        assertEquals(4, c.getBatchSize());
        assertFalse(c.hasAxis(), "video-caffe's 2 is batch_size, not axis");
        assertTrue(c.getFlag());
    }

    @Test
    void conflictsAt161() throws Exception {
        Map<String, LayerParameter> l = open(number161(), 0);
        onlyParam(l.get("reverse_time"), "reverse_time_param");
        assertTrue(l.get("reverse_time").getReverseTimeParam().getCopyRemaining());
        onlyParam(l.get("clip_jolibrain"), "clip_param");
        assertEquals(0f, l.get("clip_jolibrain").getClipParam().getMin());
        assertEquals(6f, l.get("clip_jolibrain").getClipParam().getMax());
        onlyParam(l.get("bias_yjxiong"), "bias_param");
        assertEquals(0, l.get("bias_yjxiong").getBiasParam().getAxis());
        assertEquals(2, l.get("bias_yjxiong").getBiasParam().getNumAxes());
    }

    @Test
    void yoloV2LayersAt201To203AndTheirOtherNumbers() throws Exception {
        Map<String, LayerParameter> l = open(yoloV2Numbers(), 0);
        onlyParam(l.get("mbox_loss"), "multibox_loss_param");
        assertEquals(21, l.get("mbox_loss").getMultiboxLossParam().getNumClasses());
        assertEquals(2f, l.get("mbox_loss").getMultiboxLossParam().getLocWeight());
        onlyParam(l.get("eval_gklz1982"), "eval_detection_param");
        EvalDetectionParameter e = l.get("eval_gklz1982").getEvalDetectionParam();
        assertEquals(List.of(13, 20), List.of(e.getSide(), e.getNumClass()));
        assertEquals(0.25f, e.getThreshold());
        onlyParam(l.get("eval_choasup"), "eval_detection_param");
        assertEquals(19, l.get("eval_choasup").getEvalDetectionParam().getSide());
        onlyParam(l.get("permute"), "permute_param");
        assertEquals(List.of(0, 2, 3, 1), l.get("permute").getPermuteParam().getOrderList());
        for (String r : List.of("region_gklz1982", "region_choasup", "region_eric612")) {
            onlyParam(l.get(r), "region_loss_param");
        }
        RegionLossParameter g = l.get("region_gklz1982").getRegionLossParam();
        assertEquals(List.of(13, 20, 5), List.of(g.getSide(), g.getNumClass(), g.getNum()));
        assertEquals(80, l.get("region_choasup").getRegionLossParam().getNumClass());
        assertEquals(0.3f, l.get("region_eric612").getRegionLossParam().getJitter());
        onlyParam(l.get("prior"), "prior_box_param");
        assertEquals(List.of(30f), l.get("prior").getPriorBoxParam().getMinSizeList());
        assertEquals(List.of(60f), l.get("prior").getPriorBoxParam().getMaxSizeList());
        onlyParam(l.get("deval_gklz1982"), "detection_evaluate_param");
        assertEquals(21, l.get("deval_gklz1982").getDetectionEvaluateParam().getNumClasses());
        onlyParam(l.get("deval_ssd"), "detection_evaluate_param");
        assertEquals(1, l.get("deval_ssd").getDetectionEvaluateParam().getBackgroundLabelId());
    }

    @Test
    void conflictsAt138() throws Exception {
        Map<String, LayerParameter> l = open(number138(), 0);
        onlyParam(l.get("tile"), "tile_param");
        assertEquals(3, l.get("tile").getTileParam().getTiles());
        onlyParam(l.get("dense_segnet"), "dense_image_data_param");
        assertEquals("train.txt", l.get("dense_segnet").getDenseImageDataParam().getSource());
        assertEquals(4, l.get("dense_segnet").getDenseImageDataParam().getBatchSize());
        onlyParam(l.get("dense_enet"), "dense_image_data_param");
        assertEquals(8, l.get("dense_enet").getDenseImageDataParam().getLabelDivideFactor());
    }

    @Test
    void unparsableParametersKeepNameTypeAndBlobsWithAWarning() throws Exception {
        Map<String, LayerParameter> l = open(unparsable(), 2);
        onlyParam(l.get("param"), "parameter_param");
        assertEquals(List.of(3L, 4L), l.get("param").getParameterParam().getShape().getDimList());
        // DeepLab's mat_write_param at 145 is not a ParameterParameter: name, type and blob, defaults, a warning
        LayerParameter mw = l.get("mat_write");
        assertEquals(LayerParameter.newBuilder().setName("mat_write").setType("MatWrite").build(), mw);
        List<String> w = opened.warnings();
        assertTrue(w.get(0).contains("fork.caffemodel") && w.get(0).contains("\"mat_write\"")
                && w.get(0).contains("MatWrite") && w.get(0).matches(".*: byte \\d+: .*"), w.get(0));
        // the same field as a varint is not an error: protobuf keeps a field of the wrong wire type as unknown
        LayerParameter mv = l.get("mat_write_varint");
        assertFalse(mv.hasParameterParam());
        assertEquals(List.of(12345L), mv.getUnknownFields().getField(145).getVarintList());
        // a BN's bytes at 152 that do not parse as BNParameter: read as written (152 unknown), with a warning
        LayerParameter bn = l.get("bn_broken");
        assertFalse(bn.hasBnParam());
        assertEquals(1, bn.getUnknownFields().getField(152).getLengthDelimitedList().size());
        assertTrue(w.get(1).contains("\"bn_broken\"") && w.get(1).contains("as written"), w.get(1));
    }

    @Test
    void malformedParametersOfAV1LayerKeepItsNameAndType() throws Exception {
        ByteString v1 = msg(o -> {
            o.writeString(4, "ip");
            o.writeEnum(5, V1LayerParameter.LayerType.INNER_PRODUCT_VALUE);
            o.writeByteArray(17, new byte[] {0x08}); // inner_product_param: a truncated varint
            o.writeBytes(6, blob("ip"));
        });
        Map<String, LayerParameter> l = open(msg(o -> o.writeBytes(2, v1)).toByteArray(), 1);
        assertEquals(LayerParameter.newBuilder().setName("ip").setType("InnerProduct").build(), l.get("ip"));
    }

    @Test
    void malformedBlobsAreStillErrors() throws Exception {
        ByteString badBlob = msg(o -> o.writeByteArray(5, new byte[] {1, 2, 3})); // 3 bytes of packed floats
        byte[] bytes = net(layer("interp", "Interp", 143, of(InterpParameter.newBuilder().setHeight(3).build())),
                msg(o -> {
                    o.writeString(1, "bad");
                    o.writeString(2, "MatWrite");
                    o.writeBytes(7, badBlob);
                }));
        Path f = dir.resolve("bad.caffemodel");
        Files.write(f, bytes);
        ModelException e = assertThrows(ModelException.class, () -> CaffemodelFile.open(f).close());
        assertEquals(f, e.file());
        assertTrue(e.getMessage().contains("byte ") && e.getMessage().contains("\"bad\""), e.getMessage());
    }

    @Test
    void theTableMapsToDeclaredMessageFieldsOnly() {
        FieldDescriptor interp = LayerParameter.getDescriptor().findFieldByName("interp_param");
        assertEquals(interp.getNumber(), ForkFields.remap("Interp", 143).orElseThrow().to());
        assertEquals(interp.getNumber(), ForkFields.remap("Interp", 153).orElseThrow().to());
        assertTrue(ForkFields.remap("Input", 143).isEmpty());
        assertTrue(ForkFields.remap("Interp", interp.getNumber()).isEmpty());
        assertTrue(ForkFields.remaps("Convolution").isEmpty());
        assertEquals(Map.of(1, 7, 2, 8, 3, 9), ForkFields.remap("BN", 152).orElseThrow().inner());
        for (String type : List.of("Interp", "BN", "Upsample", "Reorg", "RegionLoss", "EvalDetection",
                "DetectionEvaluate", "DenseImageData", "ROIPooling", "SmoothL1Loss", "ShuffleChannel",
                "ContinuationIndicator", "Reverse", "Lstm", "LSTM", "CTCGreedyDecoder", "DenseBlock", "Swish", "Clip",
                "Scale", "Bias")) {
            Map<Integer, ForkFields.Remap> m = ForkFields.remaps(type);
            assertFalse(m.isEmpty(), type);
            for (ForkFields.Remap r : m.values()) {
                FieldDescriptor to = LayerParameter.getDescriptor().findFieldByNumber(r.to());
                assertNotNull(to, type);
                assertEquals(FieldDescriptor.Type.MESSAGE, to.getType(), type);
                assertFalse(m.containsKey(r.to()), type + ": its declared number is remapped");
            }
        }
    }

    /** The fuzz corpus holds copies of some cases; {@code -Dsenet4j.writeForkCorpus=true} (re)writes them. */
    @Test
    void fuzzCorpusHoldsForkCases() throws Exception {
        Map<String, byte[]> all = cases();
        for (String name : IN_CORPUS) {
            Path p = corpus().resolve(name);
            if (Boolean.getBoolean("senet4j.writeForkCorpus")) {
                Files.write(p, all.get(name));
            }
            assertTrue(Files.exists(p), p + " is missing; run with -Dsenet4j.writeForkCorpus=true");
            assertArrayEquals(all.get(name), Files.readAllBytes(p), p + " differs from " + name + "()");
            assertTrue(Files.size(p) < 1024, p + ": " + Files.size(p) + " bytes");
        }
    }

    // ----- real fork caffemodels ---------------------------------------------------------------------------------

    /** Every layer as protobuf-java parses the whole file: the stored layers must match it, blobs aside. */
    private static void matchesWholeParse(Path file) throws Exception {
        NetParameter whole = NetParameter.parseFrom(Files.readAllBytes(file));
        List<LayerParameter> expected = new ArrayList<>();
        for (LayerParameter l : whole.getLayerList()) {
            expected.add(l);
        }
        for (V1LayerParameter l : whole.getLayersList()) {
            expected.add(NetUpgrader.upgradeV1Layer(l, file));
        }
        try (CaffemodelFile f = CaffemodelFile.open(file)) {
            assertEquals(List.of(), f.warnings(), file.toString());
            assertEquals(expected.size(), f.layers().size(), file.toString());
            for (int i = 0; i < expected.size(); i++) {
                LayerParameter e = expected.get(i);
                CaffemodelFile.StoredLayer s = f.layers().get(i);
                assertEquals(e.getName(), s.name(), file + " layer " + i);
                assertEquals(e.getType(), s.type(), e.getName());
                assertEquals(e.toBuilder().clearBlobs().build(), s.param(), e.getName());
                assertTrue(s.param().getUnknownFields().asMap().isEmpty(), e.getName() + ": "
                        + s.param().getUnknownFields());
                assertEquals(e.getBlobsCount(), s.blobs().size(), e.getName());
                for (int b = 0; b < s.blobs().size(); b++) {
                    float[] values = f.read(s.blobs().get(b));
                    BlobProto bp = e.getBlobs(b);
                    float[] want = new float[bp.getDataCount() > 0 ? bp.getDataCount() : bp.getDoubleDataCount()];
                    for (int k = 0; k < want.length; k++) {
                        want[k] = bp.getDataCount() > 0 ? bp.getData(k) : (float) bp.getDoubleData(k);
                    }
                    assertArrayEquals(want, values, e.getName() + " blob " + b);
                }
            }
        }
    }

    /** "name type [shape] [shape]" of every stored layer. */
    private static List<String> summary(Path file) throws Exception {
        List<String> out = new ArrayList<>();
        try (CaffemodelFile f = CaffemodelFile.open(file)) {
            for (CaffemodelFile.StoredLayer l : f.layers()) {
                StringBuilder sb = new StringBuilder(l.name()).append(' ').append(l.type());
                for (CaffemodelFile.StoredBlob b : l.blobs()) {
                    sb.append(' ').append(b.shape());
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    private static String shape(int... dims) {
        return Shape.of(dims).toString();
    }

    @Test
    void tinySsdFromTheForkLoads() throws Exception {
        Path file = TestData.requireShared("fork-caffe/selftest/tiny_ssd.caffemodel");
        String c8 = " Convolution " + shape(8, 3, 3, 3) + " " + shape(8);
        List<String> want = List.of("data Input", "data_data_0_split Split", "conv1" + c8, "relu1 ReLU",
                "conv1_relu1_0_split Split", "conv1_norm Normalize " + shape(8), "conv1_norm_conv1_norm_0_split Split",
                "conv2 Convolution " + shape(8, 8, 3, 3) + " " + shape(8), "relu2 ReLU", "conv2_relu2_0_split Split",
                "conv1_norm_mbox_loc Convolution " + shape(16, 8, 3, 3) + " " + shape(16),
                "conv1_norm_mbox_loc_perm Permute", "conv1_norm_mbox_loc_flat Flatten",
                "conv1_norm_mbox_conf Convolution " + shape(12, 8, 3, 3) + " " + shape(12),
                "conv1_norm_mbox_conf_perm Permute", "conv1_norm_mbox_conf_flat Flatten",
                "conv1_norm_mbox_priorbox PriorBox",
                "conv2_mbox_loc Convolution " + shape(16, 8, 3, 3) + " " + shape(16), "conv2_mbox_loc_perm Permute",
                "conv2_mbox_loc_flat Flatten", "conv2_mbox_conf Convolution " + shape(12, 8, 3, 3) + " " + shape(12),
                "conv2_mbox_conf_perm Permute", "conv2_mbox_conf_flat Flatten", "conv2_mbox_priorbox PriorBox",
                "mbox_loc Concat", "mbox_conf Concat", "mbox_priorbox Concat", "mbox_conf_reshape Reshape",
                "mbox_conf_softmax Softmax", "mbox_conf_flatten Flatten", "detection_out DetectionOutput");
        assertEquals(want, summary(file));
        matchesWholeParse(file);
        try (CaffemodelFile f = CaffemodelFile.open(file)) {
            LayerParameter prior = f.layers().get(16).param();
            assertEquals(List.of(4f), prior.getPriorBoxParam().getMinSizeList());
            assertEquals(List.of(8f), prior.getPriorBoxParam().getMaxSizeList());
        }
    }

    @Test
    void tinyYoloV3FromTheForkLoads() throws Exception {
        Path file = TestData.requireShared("fork-caffe/selftest/tiny_yolov3.caffemodel");
        List<String> want = List.of("data Input", "conv1 Convolution " + shape(8, 3, 3, 3) + " " + shape(8),
                "relu1 ReLU6", "conv2_dw DepthwiseConvolution " + shape(8, 1, 3, 3) + " " + shape(8), "relu2 ReLU6",
                "conv2_dw_relu2_0_split Split", "conv3 Convolution " + shape(16, 8, 3, 3) + " " + shape(16),
                "relu3 ReLU", "conv3_relu3_0_split Split", "head_a Convolution " + shape(21, 16, 1, 1) + " "
                        + shape(21), "up Upsample", "cat Concat", "head_b Convolution " + shape(21, 24, 1, 1) + " "
                        + shape(21), "detection_out Yolov3DetectionOutput");
        assertEquals(want, summary(file));
        matchesWholeParse(file);
        try (CaffemodelFile f = CaffemodelFile.open(file)) {
            LayerParameter up = f.layers().get(10).param();
            assertTrue(up.getUpsampleParam().hasScale());
            assertEquals(2, up.getUpsampleParam().getScale());
        }
    }

    @Test
    void zooCaffemodelsLoad() throws Exception {
        Path catalogue = TestData.requireShared("caffe-zoo/CATALOGUE.tsv");
        List<String> rows = Files.readAllLines(catalogue);
        int column = List.of(rows.get(0).split("\t")).indexOf("caffemodel");
        assertTrue(column >= 0, "no caffemodel column in " + catalogue);
        int n = 0;
        for (String row : rows.subList(1, rows.size())) {
            String[] cols = row.split("\t");
            if (cols.length <= column || cols[column].equals("-") || cols[column].isBlank()) {
                continue;
            }
            Path file = catalogue.resolveSibling(cols[column]);
            assumeTrue(Files.exists(file), file + " is absent");
            matchesWholeParse(file);
            n++;
        }
        assertTrue(n > 0, "no caffemodel in " + catalogue);
    }
}
