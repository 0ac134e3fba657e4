package org.senet4j.bench;

import java.nio.file.Path;
import org.senet4j.caffe.CaffeImporter;

/**
 * Child-process entry point of the heap measurement: loads a model (weights optional) and exits 0, or exits 3 when
 * the heap limit it was started with is too small.
 */
public final class LoadProbe {
    private LoadProbe() {
    }

    public static void main(String[] args) {
        try {
            CaffeImporter.load(Path.of(args[0]), args.length > 1 ? Path.of(args[1]) : null);
            System.exit(0);
        } catch (OutOfMemoryError e) {
            System.exit(3);
        } catch (Exception e) {
            System.err.println(e.getMessage());
            System.exit(4);
        }
    }
}
