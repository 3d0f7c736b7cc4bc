package io.jgrok.analysis;

import io.jgrok.config.RunConfig;

/** The CPU backend's AGOP: the shared contract against the brute-force reference. */
class CpuAgopTest extends AgopBackendContract {

    @Override
    AnalysisBackend open(RunConfig config) {
        return new CpuAnalysisBackend(config, 2);
    }
}
