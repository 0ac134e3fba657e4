package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.senet4j.FuzzSupport;
import org.senet4j.ModelException;
import org.senet4j.TestData;

/**
 * Fuzzes the streaming caffemodel reader: any bytes either open (and then every blob reads, with as many values as
 * its shape holds) or fail with a {@link ModelException} naming the file; bytes that open, as the weights of the
 * ops_zoo deploy net, either load or fail with a ModelException naming one of the two files. Never another
 * exception, an OutOfMemoryError or a hang.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the inputs in {@code CaffemodelFuzzTestInputs/caffemodel} as a
 * regression test; README "Fuzzing" tells how to fuzz.
 */
class CaffemodelFuzzTest {
    private static final Path DEPLOY = TestData.testdata().resolve("ops_zoo.prototxt");

    @FuzzTest
    @Timeout(10)
    void caffemodel(byte[] data) throws IOException {
        Path file = FuzzSupport.write(data, ".caffemodel");
        try {
            try (CaffemodelFile f = CaffemodelFile.open(file)) {
                for (CaffemodelFile.StoredLayer l : f.layers()) {
                    for (CaffemodelFile.StoredBlob b : l.blobs()) {
                        assertEquals(b.shape().count(), f.read(b).length, l.name());
                    }
                }
            } catch (ModelException e) {
                FuzzSupport.checkRejection(e, file);
                return; // the importer opens the file the same way
            }
            try {
                FuzzSupport.exercise(CaffeImporter.load(DEPLOY, file).graph());
            } catch (ModelException e) {
                FuzzSupport.checkRejection(e, file, DEPLOY);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
