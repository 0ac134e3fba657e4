package org.senet4j.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.senet4j.TestData;

/**
 * The README's Library API example is {@link ReadmeExample} (compiled with the tests), verbatim: README.md must hold
 * exactly that file, without its package line, as a {@code java} code block in the "Library API" section, and it
 * must run.
 */
class ReadmeExampleTest {

    @Test
    void readmeHoldsTheExampleVerbatim() throws Exception {
        Path source = TestData.projectRoot().resolve("senet4j-cpu/src/test/java/org/senet4j/api/ReadmeExample.java");
        String code = Files.readString(source, StandardCharsets.UTF_8);
        code = code.substring(code.indexOf('\n', code.indexOf("package ")) + 1).stripLeading();
        String readme = Files.readString(TestData.projectRoot().resolve("README.md"), StandardCharsets.UTF_8);
        int section = readme.indexOf("\n## Library API\n");
        assertTrue(section >= 0, "README.md has no \"## Library API\" section");
        int next = readme.indexOf("\n## ", section + 1);
        String api = readme.substring(section, next < 0 ? readme.length() : next);
        assertTrue(api.contains("```java\n" + code + "```\n"), "README.md's Library API section must contain "
                + "senet4j-cpu/src/test/java/org/senet4j/api/ReadmeExample.java (after its package line) as a ```java block; "
                + "update one from the other");
    }

    @Test
    void theExampleRuns() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            ReadmeExample.main(new String[0]);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("20 probabilities"), out);
        assertTrue(out.contains("conv1 [1, 16, 18, 18]"), out);
        assertTrue(out.matches("(?s).*best: 0\\.\\d{4} index \\d.*"), out);
    }
}
