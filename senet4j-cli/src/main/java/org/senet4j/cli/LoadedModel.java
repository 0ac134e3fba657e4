package org.senet4j.cli;

import org.senet4j.caffe.LoadReport;
import org.senet4j.ir.Graph;

/** A model as the commands see it: the graph, and the Caffe load report when it came from Caffe files. */
record LoadedModel(Graph graph, LoadReport report) {
}
