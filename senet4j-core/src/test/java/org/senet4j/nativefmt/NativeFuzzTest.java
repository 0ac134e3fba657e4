package org.senet4j.nativefmt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.senet4j.FuzzSupport;
import org.senet4j.ModelException;
import org.senet4j.ir.Node;
import org.senet4j.ir.Tensor;

/**
 * Fuzzes the native-format reader: any bytes either open into a graph whose every weight can be read in full, or fail
 * with a {@link ModelException} naming the file; never another exception, an OutOfMemoryError or a hang.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the inputs in {@code NativeFuzzTestInputs/nativeFile} and
 * {@code NativeFuzzTestInputs/nativeHeader} as a regression test; README "Fuzzing" tells how to fuzz.
 */
class NativeFuzzTest {

    @FuzzTest
    @Timeout(10)
    void nativeFile(byte[] data) throws IOException {
        check(data);
    }

    /**
     * The same property, reached more easily: the input is the JSON header, a NUL byte and the data section, and the
     * 8-byte length field is written to match, so that mutations of the header text are not all rejected by the
     * length check.
     */
    @FuzzTest
    @Timeout(10)
    void nativeHeader(byte[] data) throws IOException {
        int nul = 0;
        while (nul < data.length && data[nul] != 0) {
            nul++;
        }
        ByteBuffer b = ByteBuffer.allocate(8 + data.length - (nul < data.length ? 1 : 0))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(nul).put(data, 0, nul);
        if (nul < data.length) {
            b.put(data, nul + 1, data.length - nul - 1);
        }
        check(b.array());
    }

    private static void check(byte[] data) throws IOException {
        Path file = FuzzSupport.write(data, ".senet4j");
        try {
            NativeModel m = NativeReader.open(file);
            FuzzSupport.exercise(m.graph());
            for (Node n : m.graph().nodes()) {
                for (Tensor t : n.op().weights().values()) {
                    FloatBuffer b = t.data();
                    double sum = 0;
                    while (b.hasRemaining()) {
                        sum += b.get();
                    }
                    assertEquals(t.count(), b.position(), n.name() + " " + sum);
                }
            }
        } catch (ModelException e) {
            FuzzSupport.checkRejection(e, file);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
