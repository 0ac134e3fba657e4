package org.senet4j.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.senet4j.TestData;
import org.senet4j.caffe.CaffeImporter;
import org.senet4j.io.Npy;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;
import org.senet4j.verify.SeededWeights;
import org.senet4j.verify.InputDistribution;
import org.senet4j.verify.ManifestEntry;

/**
 * The plain-Java seeded weights and inputs are exactly what real Caffe held when the testdata reference sets were
 * made (tools/make-testdata: seed 7, normal inputs with input seed 7): every blob's CRC-32 and sum match the manifest
 * real Caffe wrote, and the inputs match the saved .npy files bit for bit.
 */
class SeededWeightsTest {

    @ParameterizedTest
    @ValueSource(strings = {"se_resnet_mini", "se_resnext_mini", "se_inception_mini", "ops_zoo"})
    void weightsMatchRealCaffesManifest(String net) throws Exception {
        Path dir = TestData.testdata().resolve(net);
        Graph placeholders = CaffeImporter.load(TestData.testdata().resolve(net + ".prototxt"), null).graph();
        Graph g = SeededWeights.fill(placeholders, 7);
        assertEquals(ManifestEntry.read(dir.resolve("model.manifest.tsv")), SeededWeights.manifest(g));
    }

    @ParameterizedTest
    @ValueSource(strings = {"se_resnet_mini", "ops_zoo"})
    void inputsMatchTheSavedInputs(String net) throws Exception {
        Npy.NpyArray a = Npy.read(TestData.testdata().resolve(net).resolve("input_data.npy"));
        float[] ours = SeededWeights.input(Shape.of(a.shape()), InputDistribution.NORMAL, 7);
        assertArrayEquals(a.data(), ours);
    }

    @ParameterizedTest
    @ValueSource(strings = {"se_resnet_mini"})
    void fillKeepsTheGraph(String net) throws Exception {
        Graph real = CaffeImporter.load(TestData.testdata().resolve(net + ".prototxt"),
                TestData.testdata().resolve(net + "/model.caffemodel")).graph();
        Graph seeded = SeededWeights.fill(real, 7);
        assertEquals(real.nodes().stream().map(n -> n.name()).toList(),
                seeded.nodes().stream().map(n -> n.name()).toList());
        assertEquals(real.outputs(), seeded.outputs());
        assertEquals(SeededWeights.manifest(real), SeededWeights.manifest(seeded), "the caffemodel holds these values");
    }
}
