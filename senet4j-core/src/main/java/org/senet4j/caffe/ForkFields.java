package org.senet4j.caffe;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.senet4j.caffe.proto.BNParameter;
import org.senet4j.caffe.proto.ContinuationIndicatorParameter;
import org.senet4j.caffe.proto.LayerParameter;

/**
 * LayerParameter field numbers that Caffe forks give a layer's parameters where {@code caffe.proto} declares them
 * at another number (docs/fork-fields.md, "Number conflicts" and "Same name, different numbers"). A binary
 * .caffemodel carries parameters by number, so a PSPNet {@code Interp} layer's {@code interp_param} (its 143) would
 * decode as BVLC's {@code input_param}; keyed by the layer's type, this table says which number the data belongs
 * at instead ({@code Interp}: 143 -> 162). A fork number is remapped only for the types listed with it, never for
 * the type whose declared parameter field it is (an {@code Input} layer's 143 stays {@code input_param}).
 *
 * <p>Declared numbers come from the generated descriptors; the fork numbers are the forks' own.
 */
public final class ForkFields {
    /**
     * One fork number for one layer type: the LayerParameter field it becomes, and the renumbering of the fields
     * inside its message (a fork's message whose inner numbers differ, e.g. PSPNet's BNParameter).
     */
    public record Remap(String type, int from, int to, Map<Integer, Integer> inner) {
        public Remap {
            inner = Map.copyOf(inner);
        }
    }

    private static final Map<String, Map<Integer, Remap>> BY_TYPE = new HashMap<>();

    static {
        // yjxiong/PSPNet's BNParameter: slope_filler 1, bias_filler 2, momentum 3 (declared at 7, 8, 9); a bn_param
        // at 152 or 137 can only come from those forks (SegNet/ENet write 45).
        Map<Integer, Integer> pspBn = inner(BNParameter.getDescriptor(), 1, "slope_filler", 2, "bias_filler",
                3, "momentum");
        // video-caffe's ContinuationIndicatorParameter: batch_size at 2 (jolibrain's axis); it writes 160.
        Map<Integer, Integer> videoCi = inner(ContinuationIndicatorParameter.getDescriptor(), 2, "batch_size");
        add("Interp", "interp_param", 143, 153);                  // DeepLab v2 / PSPNet 143, jolibrain 153
        add("BN", "bn_param", pspBn, 152, 137);                    // PSPNet 152, yjxiong 137
        add("Upsample", "upsample_param", 137, 147, 152);          // SegNet 137, ENet 147, jolibrain 152
        add("Reorg", "reorg_param", 147, 303);                     // gklz1982 147, choasup 303
        add("RegionLoss", "region_loss_param", 202, 302);          // gklz1982 202, choasup 302
        add("EvalDetection", "eval_detection_param", 201);         // Harick1, gklz1982
        add("DetectionEvaluate", "detection_evaluate_param", 203); // gklz1982
        add("DenseImageData", "dense_image_data_param", 138);      // SegNet
        add("ROIPooling", "roi_pooling_param", 150, 147);          // yjxiong 150, jolibrain 147
        add("SmoothL1Loss", "smooth_l1_loss_param", 148);          // jolibrain
        add("ShuffleChannel", "shuffle_channel_param", 154);       // jolibrain
        add("ContinuationIndicator", "continuation_indicator_param", videoCi, 160);  // video-caffe
        add("Reverse", "reverse_param", 209);                      // jolibrain
        add("Lstm", "lstm_param", 8266711, 201);                   // senlinuc 8266711, junhyukoh 201
        add("LSTM", "lstm_param", 8266711, 201);                   // the same, spelt as BVLC's type
        add("CTCGreedyDecoder", "ctc_decoder_param", 158);         // senlinuc
        add("DenseBlock", "denseblock_param", 147);                // senlinuc, Tongcheng
        add("Swish", "swish_param", 160);                          // jolibrain
        add("Clip", "clip_param", 161);                            // jolibrain
        add("Scale", "scale_param", 160);                          // yjxiong
        add("Bias", "bias_param", 161);                            // yjxiong
    }

    private ForkFields() {
    }

    private static void add(String type, String declared, int... forkNumbers) {
        add(type, declared, Map.of(), forkNumbers);
    }

    private static void add(String type, String declared, Map<Integer, Integer> inner, int... forkNumbers) {
        FieldDescriptor d = LayerParameter.getDescriptor().findFieldByName(declared);
        if (d == null || d.getType() != FieldDescriptor.Type.MESSAGE) {
            throw new IllegalStateException("caffe.proto has no message field LayerParameter." + declared);
        }
        Map<Integer, Remap> m = BY_TYPE.computeIfAbsent(type, t -> new HashMap<>());
        for (int n : forkNumbers) {
            if (n == d.getNumber()) {
                throw new IllegalStateException(type + ": " + n + " is already " + declared + "'s number");
            }
            m.put(n, new Remap(type, n, d.getNumber(), inner));
        }
    }

    /** {fork number, declared name, ...} of {@code message} as a map from fork number to declared number. */
    private static Map<Integer, Integer> inner(Descriptor message, Object... pairs) {
        Map<Integer, Integer> m = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            FieldDescriptor d = message.findFieldByName((String) pairs[i + 1]);
            if (d == null) {
                throw new IllegalStateException("caffe.proto has no field " + message.getName() + "." + pairs[i + 1]);
            }
            m.put((Integer) pairs[i], d.getNumber());
        }
        return m;
    }

    /** The remapping of LayerParameter field {@code forkNumber} in a layer of {@code type}, if there is one. */
    public static Optional<Remap> remap(String type, int forkNumber) {
        Map<Integer, Remap> m = BY_TYPE.get(type);
        return Optional.ofNullable(m == null ? null : m.get(forkNumber));
    }

    /** Every remapping of a layer of {@code type}, by fork number (empty for types no fork renumbers). */
    public static Map<Integer, Remap> remaps(String type) {
        Map<Integer, Remap> m = BY_TYPE.get(type);
        return m == null ? Map.of() : Map.copyOf(m);
    }

    /**
     * {@code params}, the serialized fields of one LayerParameter of {@code type}, with the tags of the fork fields
     * of that type rewritten to the declared numbers (and, for a fork's message with other inner numbers, those
     * inner tags too). Every other byte stays as it was. Returns {@code params} itself when nothing changes, and
     * also when the bytes are not well-formed enough to walk (parsing them then reports the problem).
     */
    static byte[] rewrite(String type, byte[] params) {
        Map<Integer, Remap> remaps = BY_TYPE.get(type);
        if (remaps == null) {
            return params;
        }
        try {
            return renumber(params, remaps::get);
        } catch (IOException e) {
            return params;
        }
    }

    private interface Lookup {
        Remap find(int field);
    }

    /** Walks one message's fields; length-delimited fields that {@code lookup} finds are rewritten. */
    private static byte[] renumber(byte[] bytes, Lookup lookup) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        ByteArrayOutputStream buf = new ByteArrayOutputStream(bytes.length + 16);
        CodedOutputStream out = CodedOutputStream.newInstance(buf);
        boolean changed = false;
        while (!in.isAtEnd()) {
            int start = in.getTotalBytesRead();
            int tag = in.readTag();
            Remap r = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED
                    ? lookup.find(WireFormat.getTagFieldNumber(tag)) : null;
            if (r != null) {
                ByteString value = in.readBytes();
                if (!r.inner().isEmpty()) {
                    value = ByteString.copyFrom(renumberInner(value.toByteArray(), r.inner()));
                }
                out.writeBytes(r.to(), value);
                changed = true;
            } else {
                in.skipField(tag);
                out.writeRawBytes(bytes, start, in.getTotalBytesRead() - start);
            }
        }
        out.flush();
        return changed ? buf.toByteArray() : bytes;
    }

    /**
     * The fields of a fork's nested message with the numbers in {@code inner} changed (any wire type; the value
     * bytes are copied as they are); the message unchanged when it cannot be walked.
     */
    private static byte[] renumberInner(byte[] bytes, Map<Integer, Integer> inner) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            ByteArrayOutputStream buf = new ByteArrayOutputStream(bytes.length + 16);
            CodedOutputStream out = CodedOutputStream.newInstance(buf);
            while (!in.isAtEnd()) {
                int start = in.getTotalBytesRead();
                int tag = in.readTag();
                int after = in.getTotalBytesRead();
                Integer to = inner.get(WireFormat.getTagFieldNumber(tag));
                if (!in.skipField(tag)) {
                    return bytes; // an end-group tag: not a message this code can walk
                }
                if (to != null) {
                    out.writeUInt32NoTag(to << 3 | WireFormat.getTagWireType(tag));
                    out.writeRawBytes(bytes, after, in.getTotalBytesRead() - after);
                } else {
                    out.writeRawBytes(bytes, start, in.getTotalBytesRead() - start);
                }
            }
            out.flush();
            return buf.toByteArray();
        } catch (IOException e) {
            return bytes;
        }
    }
}
