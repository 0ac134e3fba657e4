package org.senet4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Locates the shared, read-only test data ({@code ../shared} next to the project: SENet prototxts, conformance
 * models, labels). Tests that need it skip through JUnit {@code Assumptions} when it is absent.
 */
public final class TestData {

    private TestData() {
    }

    /**
     * The shared data directory: {@code $SENET4J_SHARED} if set, else the first {@code shared} directory found
     * as {@code ../shared} from the working directory (normally the project root) or its two nearest parents.
     */
    public static Optional<Path> shared() {
        String env = System.getenv("SENET4J_SHARED");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isDirectory(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (int up = 0; up < 3 && dir != null && dir.getParent() != null; up++, dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared");
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate.normalize());
            }
        }
        return Optional.empty();
    }

    /** {@code shared/<relative>} when it exists. */
    public static Optional<Path> shared(String relative) {
        return shared().map(s -> s.resolve(relative)).filter(Files::exists);
    }
}
