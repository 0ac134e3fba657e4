package org.senet4j.caffe;

import org.senet4j.ir.Graph;

/** A Caffe model loaded into the graph, with the report of how it was loaded. */
public record CaffeModel(Graph graph, LoadReport report) {
}
