package org.senet4j;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Locations of test data: the project's own {@code testdata/}, and the optional {@code ../shared} beside it. */
public final class TestData {
    private TestData() {
    }

    /** The project root (the folder with the parent pom.xml and testdata/), from any module's folder. */
    public static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.exists(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("testdata")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("pom.xml with testdata/ not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** {@code testdata/} of the project. */
    public static Path testdata() {
        return projectRoot().resolve("testdata");
    }

    /** The shared data folder ({@code ../shared}), when present. */
    public static Optional<Path> shared() {
        String env = System.getenv("SENET4J_SHARED");
        Path p = env != null ? Path.of(env) : projectRoot().resolveSibling("shared");
        return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    }

    /** A file under the shared folder; skips the calling test when it is absent. */
    public static Path requireShared(String relative) {
        Optional<Path> s = shared();
        assumeTrue(s.isPresent(), "../shared is absent");
        Path p = s.get().resolve(relative);
        assumeTrue(Files.exists(p), p + " is absent");
        return p;
    }
}
