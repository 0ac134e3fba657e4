package org.senet4j.cli;

import org.senet4j.caffe.LoadReport;
import java.util.List;
import org.senet4j.io.FileStamp;
import org.senet4j.ir.Graph;

/**
 * A model as the commands see it: the graph, the Caffe load report when it came from Caffe files, and the stamps of
 * the files its weights are still read from (a caffemodel loaded with lazy weights, a native file's mapping), verified
 * before a conversion commits its output.
 */
record LoadedModel(Graph graph, LoadReport report, List<FileStamp> sources) {
    LoadedModel {
        sources = List.copyOf(sources);
    }

    LoadedModel(Graph graph, LoadReport report) {
        this(graph, report, List.of());
    }
}
