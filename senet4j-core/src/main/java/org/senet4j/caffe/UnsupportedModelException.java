package org.senet4j.caffe;

import org.senet4j.ModelException;

/** A net that cannot be imported as it is, with the one report of every reason ({@link ImportReport}). */
public final class UnsupportedModelException extends ModelException {
    private static final long serialVersionUID = 1L;
    private final transient ImportReport report;

    public UnsupportedModelException(ImportReport report) {
        super(report.file(), null, null, null, report.describe(), null);
        this.report = report;
    }

    public ImportReport report() {
        return report;
    }
}
