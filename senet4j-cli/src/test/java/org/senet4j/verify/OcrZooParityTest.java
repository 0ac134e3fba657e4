package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.caffe.CaffemodelWriter;
import org.senet4j.engine.HostTensor;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Node;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.CtcGreedyDecoder;
import org.senet4j.ir.op.LSTM;
import org.senet4j.ir.op.Permute;
import org.senet4j.ir.op.Reverse;
import org.senet4j.onnx.ExportOptions;
import org.senet4j.onnx.OnnxExporter;
import org.senet4j.verify.caffe.CaffeOracle;

/**
 * The zoo's ResNet OCR net (senlinuc_caffe_ocr, examples/ocr/resnet/deploy.prototxt: a ResNet on 32 x 280, then
 * Transpose, Reshape to 35 steps, two bidirectional fork Lstm layers of 256 with Reverse, Concat, Eltwise, an inner
 * product to 5990 classes and CTCGreedyDecoder) with seeded random weights written as a caffemodel, at batch 1 and 2,
 * on the reference and CPU engines (passes on and off) and in ONNX Runtime (folding on and off): its CNN part (every
 * layer before the Transpose) against real Caffe running those layers, every blob; the sequence layers, which no
 * oracle here runs, against the reference engine, whose kernels OcrLayersTest proves by hand and whose lowered Lstm
 * OcrOpsParityTest proves against real Caffe's LSTM. Decoded sequences must be equal exactly. The Inception-BN OCR
 * net (examples/ocr/inception-bn/deploy.prototxt: Inception blocks with BatchNorm, then the same sequence layers,
 * two bidirectional Lstm pairs) is checked the same way.
 */
class OcrZooParityTest {
    @TempDir
    Path dir;

    static final String RESNET = "senlinuc_caffe_ocr/examples__ocr__resnet__deploy.prototxt";
    static final String INCEPTION_BN = "senlinuc_caffe_ocr/examples__ocr__inception-bn__deploy.prototxt";

    private static final ZooReport REPORT = new ZooReport("ocr-zoo");

    @AfterAll
    static void report() {
        REPORT.print();
    }

    @Test
    void resnetOcrNetMatchesRealCaffeAndTheReferenceOnEveryBlob() throws Exception {
        run("resnet ocr", RESNET, 61);
    }

    @Test
    void inceptionBnOcrNetMatchesRealCaffeAndTheReferenceOnEveryBlob() throws Exception {
        run("inception-bn ocr", INCEPTION_BN, 62);
    }

    private void run(String name, String file, long seed) throws Exception {
        String text = Files.readString(TestData.requireShared("caffe-zoo/" + file));
        Path proto = Files.writeString(dir.resolve("ocr.prototxt"), text);
        Graph g = SeededWeights.fill(CaffeImporter.load(proto, null).graph(), seed);
        assertEquals(4, g.nodes().stream().filter(n -> n.op() instanceof LSTM l && l.impliedCont()).count());
        assertEquals(4, g.nodes().stream().filter(n -> n.op() instanceof Reverse).count());
        assertEquals(1, g.nodes().stream().filter(n -> n.op() instanceof Permute).count());
        assertEquals(1, g.nodes().stream().filter(n -> n.op() instanceof CtcGreedyDecoder).count());
        int cut = text.lastIndexOf("layer", text.indexOf("type: \"Transpose\""));
        Path cnn = Files.writeString(dir.resolve("ocr_cnn.prototxt"), text.substring(0, cut));
        Path weights = dir.resolve("ocr.caffemodel");
        CaffemodelWriter.write(g, weights);

        int first = 0;
        while (!(g.nodes().get(first).op() instanceof Permute)) {
            first++;
        }
        List<String> sequenceBlobs = new ArrayList<>();
        for (Node n : g.nodes().subList(first, g.nodes().size())) {
            sequenceBlobs.addAll(g.blobsOf(n));
        }
        BackendParity parity = new BackendParity(dir);
        for (int batch : new int[] {1, 2}) {
            CaffeOracle.ReferenceSet c = CaffeOracle.makeReference(cnn, dir.resolve("cnn" + batch), weights, 0,
                    batch, InputDistribution.UNIFORM, 70 + batch, 1, CaffeOracle.Options.defaults());
            Graph gb = g.withBatchSize(batch);
            Npy.NpyArray x = Npy.read(c.inputs().get("data"));
            Map<String, HostTensor> in = Map.of("data", new HostTensor(Shape.of(x.shape()), x.data()));
            ReferenceSet seq = parity.fromReferenceEngine("seq" + batch, gb, in, sequenceBlobs);
            Map<String, Path> blobs = new LinkedHashMap<>(c.blobs());
            int caffeBlobs = blobs.size();
            blobs.putAll(seq.blobs());
            ReferenceSet ref = new ReferenceSet(c.dir(), c.inputs(), blobs);
            // every blob both sides have (Caffe's split blobs and the input are not graph blobs)
            int both = (int) blobs.keySet().stream().filter(b -> g.blobNames().contains(b) && !b.equals("data"))
                    .count();
            parity.check(name, g, ref, both, BackendParity.DEVICES, true,
                    true, (label, engine, report) -> {
                        for (BlobResult r : report.blobs()) {
                            if (r.name().equals("result")) {
                                assertEquals(0.0, r.maxAbsError(), label + ": " + r);
                            }
                        }
                    });
            float[] decoded = Npy.read(ref.blobs().get("result")).data();
            Path onnx = dir.resolve("ocr.onnx");
            OnnxExporter.write(g, ExportOptions.defaults(), onnx);
            try (OrtRunner ort = new OrtRunner(onnx)) {
                HostTensor got = ort.run(in, Set.of("result")).get("result");
                assertEquals(Shape.of(batch, 35, 1, 1), got.shape());
                assertArrayEquals(decoded, got.data(), "ONNX Runtime's decoding, batch " + batch);
            }
            Files.delete(onnx);
            int labels = 0;
            for (float v : decoded) {
                labels += v >= 0 ? 1 : 0;
            }
            assertTrue(labels > 0, "the seeded net decodes something");
            REPORT.put(name + " batch " + batch + " (" + caffeBlobs + " real Caffe blobs, " + sequenceBlobs.size()
                    + " sequence blobs, " + both + " compared)", labels + " labels decoded: " + java.util.Arrays.toString(
                    java.util.Arrays.copyOf(decoded, 35)));
        }
        REPORT.put(name + " worst relative errors", parity.worst());
    }
}
