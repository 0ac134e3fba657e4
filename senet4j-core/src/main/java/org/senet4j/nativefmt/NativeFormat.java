package org.senet4j.nativefmt;

import java.util.List;
import java.util.Set;

/**
 * The constants of senet4j's native model format, version {@value #VERSION}.
 *
 * <p>A native file is a valid <a href="https://github.com/huggingface/safetensors">safetensors</a> file:
 * <pre>
 *   bytes [0, 8)          N, the header length: an unsigned 64-bit little-endian integer
 *   bytes [8, 8 + N)      the header: UTF-8 JSON, padded with spaces so that 8 + N is a multiple of 8
 *   bytes [8 + N, end)    the data section: every tensor's float32 values, little-endian, row-major, one after the
 *                         other in header order, without gaps
 * </pre>
 * The header maps each tensor name ({@code <node>/<weight>}, e.g. {@code conv1/weight}) to
 * {@code {"dtype":"F32","shape":[64,3,7,7],"data_offsets":[begin,end]}}, offsets relative to the start of the data
 * section, {@code begin} inclusive and {@code end} exclusive. Its {@code "__metadata__"} entry (string values only, as
 * safetensors requires) holds {@code "format":"senet4j"}, {@code "format_version":"1"}, the graph's own metadata entries
 * (source files, preprocessing, labels...) and, last, {@code "graph"}: the graph as JSON text,
 * <pre>
 *   {"name":"SE-ResNet-50","inputs":["data"],"outputs":["prob"],"nodes":[
 *     {"name":"conv1/7x7_s2","type":"Convolution","op":"Convolution","inputs":["data"],
 *      "outputs":["conv1/7x7_s2"],"blobs":["conv1/7x7_s2"],"shapes":[[1,64,112,112]],
 *      "attrs":{"num_output":64,"kernel_h":7,...,"activation":{"kind":"NONE","alpha":0.0}},
 *      "weights":{"weight":"conv1/7x7_s2/weight"}}, ...]}
 * </pre>
 * Nodes come in execution order. {@code op} is the senet4j op ({@link org.senet4j.ir.op.Op#opName()}), {@code type}
 * the Caffe layer type it came from, {@code blobs} the Caffe blob of each output value, {@code shapes} the output
 * shapes (a reader infers them again and checks they agree), {@code attrs} the op's attributes (see
 * {@code OpCodecs}), {@code weights} the tensor holding each of the op's weights. A float attribute is a JSON number
 * when that number reads back to the same float, otherwise a string: {@code "NaN"}, {@code "Infinity"},
 * {@code "-Infinity"} or Java's hexadecimal form ({@code "-0x0.0p0"}).
 */
public final class NativeFormat {
    private NativeFormat() {
    }

    /** The value of {@code __metadata__.format}. */
    public static final String FORMAT = "senet4j";
    /** The version this code writes and reads ({@code __metadata__.format_version}). */
    public static final String VERSION = "1";
    /** The usual file name extension. */
    public static final String EXTENSION = ".senet4j";

    /** The safetensors key of the metadata map. */
    public static final String METADATA = "__metadata__";
    /** Metadata key of the format name. */
    public static final String KEY_FORMAT = "format";
    /** Metadata key of the format version. */
    public static final String KEY_FORMAT_VERSION = "format_version";
    /** Metadata key of the graph JSON text. */
    public static final String KEY_GRAPH = "graph";
    /** Metadata keys that graph metadata may not use. */
    public static final Set<String> RESERVED_KEYS = Set.of(KEY_FORMAT, KEY_FORMAT_VERSION, KEY_GRAPH);

    /** The largest header accepted, as in safetensors (100,000,000 bytes). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The data section starts at a multiple of this; the header is padded with spaces to get there. */
    public static final int ALIGNMENT = 8;
    /** The only dtype of senet4j tensors. */
    public static final String DTYPE = "F32";
    /** The dtypes of safetensors (any other name is not a safetensors dtype at all). */
    public static final List<String> SAFETENSORS_DTYPES = List.of("BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3",
            "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64",
            "U64", "C64");
    /** The largest tensor, in bytes, that can be mapped as one Java buffer. */
    public static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 7L;
}
