package org.senet4j.verify.caffe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.senet4j.TestData;

/**
 * The fork-caffe oracle of ../shared (a CPU build of the SSD/YOLO/mobile fork) starts on this machine: its runtime
 * libraries are installed (.ci/run installs them) and it registers the fork layers. Skipped without ../shared; on a
 * developer machine without the packages it is skipped with their names, in CI (CI set) it fails instead.
 */
class ForkCaffeRuntimeTest {
    static final String PACKAGES = "libboost-filesystem1.74.0 libboost-thread1.74.0 libgoogle-glog0v6 libgflags2.2 "
            + "libprotobuf32 libhdf5-103-1 libhdf5-hl-100 libopenblas0-pthread";

    @Test
    void caffeRunListsTheForkLayers() throws Exception {
        Path run = TestData.requireShared("fork-caffe/bin/caffe-run");
        Process p = new ProcessBuilder(run.toString(), "--list-layers").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        if (p.exitValue() != 0 && System.getenv("CI") == null) {
            assumeTrue(!out.contains("cannot open shared object file"),
                    "fork-caffe's runtime libraries are missing: apt-get install -y " + PACKAGES);
        }
        assertEquals(0, p.exitValue(), out);
        List<String> types = out.lines().map(String::trim).toList();
        for (String t : List.of("PriorBox", "DetectionOutput", "Normalize", "Permute", "Upsample", "ReLU6",
                "DepthwiseConvolution", "Yolov3DetectionOutput", "Axpy")) {
            assertTrue(types.contains(t), t + " missing from: " + types);
        }
    }
}
