package org.senet4j.caffe;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.senet4j.FuzzSupport;
import org.senet4j.ModelException;

/**
 * Fuzzes the prototxt reader and the importer behind it: any bytes either load into a graph or fail with a
 * {@link ModelException} naming the file; never another exception, an OutOfMemoryError or a hang.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the inputs in {@code PrototxtFuzzTestInputs/prototxt} (the testdata nets,
 * edge cases and every input a fuzzing run found) as a regression test; README "Fuzzing" tells how to fuzz.
 */
class PrototxtFuzzTest {

    @FuzzTest
    @Timeout(10)
    void prototxt(byte[] data) throws IOException {
        Path file = FuzzSupport.write(data, ".prototxt");
        // both modes of the reader, chosen by a property of the input so that findings reproduce
        boolean allowUnknown = data.length % 2 == 1;
        try {
            CaffeModel m = CaffeImporter.load(file, null, new CaffeImporter.Options(allowUnknown, Map.of()));
            FuzzSupport.exercise(m.graph());
        } catch (ModelException e) {
            FuzzSupport.checkRejection(e, file);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
