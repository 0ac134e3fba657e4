package org.senet4j.caffe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.senet4j.ModelException;
import org.senet4j.TestData;
import org.senet4j.ir.Graph;
import org.senet4j.ir.Shape;

/**
 * Every prototxt of ../shared/caffe-zoo (65 public nets from 29 repositories, listed in its CATALOGUE.tsv) either
 * imports with shapes or fails with the one import report, which may name only layer types that no converter handles
 * (no parse error, no unknown field, no other failure). Skipped without ../shared. Prints the counts.
 */
class CaffeZooTest {

    @Test
    void everyZooNetImportsOrReportsOnlyUnsupportedTypes() throws Exception {
        Path zoo = TestData.requireShared("caffe-zoo/CATALOGUE.tsv").getParent();
        List<String> rows = Files.readAllLines(zoo.resolve("CATALOGUE.tsv"), StandardCharsets.UTF_8);
        List<String> imported = new ArrayList<>();
        Map<String, List<String>> missingTypes = new TreeMap<>();
        List<String> needShapes = new ArrayList<>();
        List<String> givenShapes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (String row : rows.subList(1, rows.size())) {
            String file = row.split("\t")[0];
            Path p = zoo.resolve(file);
            try {
                Graph g = CaffeImporter.load(p, null).graph();
                for (String in : g.inputs()) {
                    assertTrue(g.shape(in).rank() > 0, file);
                }
                imported.add(file);
            } catch (UnsupportedModelException e) {
                ImportReport r = e.report();
                if (!r.unknownFields().isEmpty()) {
                    failures.add(file + ": unknown fields " + r.unknownFields());
                }
                for (String type : r.unsupportedTypes().keySet()) {
                    if (LayerConverters.forType(type) != null && !type.startsWith("Python")) {
                        failures.add(file + ": reports the supported type " + type);
                    }
                    missingTypes.computeIfAbsent(type, k -> new ArrayList<>()).add(file);
                }
                if (!r.shapesNeeded().isEmpty()) {
                    needShapes.add(file + " " + r.shapesNeeded().stream().map(ImportReport.ShapeNeeded::top).toList());
                    if (r.unsupportedTypes().isEmpty()) {
                        // only shapes were missing: given them (as --input-shape does), the net imports
                        Map<String, Shape> shapes = new TreeMap<>();
                        r.shapesNeeded().forEach(n -> shapes.put(n.top(), Shape.of(1, 3, 256, 256)));
                        try {
                            CaffeImporter.load(p, null, new CaffeImporter.Options(false, shapes));
                            givenShapes.add(file);
                        } catch (ModelException again) {
                            failures.add(file + " with input shapes " + shapes + ": " + again.getMessage());
                        }
                    }
                }
            } catch (ModelException e) {
                failures.add(file + ": " + e.getMessage());
            }
        }
        System.out.printf("[caffe-zoo] %d prototxts: %d import with shapes, %d report unsupported layer types or "
                + "missing input shapes%n", rows.size() - 1, imported.size(), rows.size() - 1 - imported.size());
        missingTypes.forEach((t, files) -> System.out.printf("[caffe-zoo]   %-45s %d net(s)%n", t, files.size()));
        needShapes.forEach(s -> System.out.println("[caffe-zoo]   input shape needed: " + s));
        System.out.printf("[caffe-zoo] %d of them import once given 1x3x256x256 inputs: %s%n", givenShapes.size(),
                givenShapes);
        System.out.printf("[caffe-zoo] %d of %d import with shapes (their own or given)%n",
                imported.size() + givenShapes.size(), rows.size() - 1);
        assertEquals(List.of(), failures);
        assertEquals(65, rows.size() - 1, "the catalogue lists 65 nets");
    }
}
