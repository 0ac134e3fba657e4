package org.senet4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** The images named on a command line: files as given, directories as their image files sorted by name. */
final class ImageFiles {
    /** Extensions of the files taken from a directory. */
    static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "jpe", "png", "bmp", "gif", "tif", "tiff");

    private ImageFiles() {
    }

    /**
     * Files and directory listings in argument order.
     *
     * @throws NoSuchFileException when an argument does not exist
     */
    static List<Path> collect(List<Path> args) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path a : args) {
            if (Files.isDirectory(a)) {
                out.addAll(list(a));
            } else if (Files.exists(a)) {
                out.add(a);
            } else {
                throw new NoSuchFileException(a.toString());
            }
        }
        return out;
    }

    /** The image files directly in {@code dir} (by extension, not recursive), sorted by file name. */
    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> isImageName(p) && Files.isRegularFile(p)).sorted().toList();
        }
    }

    static boolean isImageName(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
