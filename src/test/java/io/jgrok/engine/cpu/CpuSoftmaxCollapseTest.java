package io.jgrok.engine.cpu;

import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.Engine;
import io.jgrok.engine.SoftmaxCollapseContract;

/** {@link SoftmaxCollapseContract} on the CPU engine. */
class CpuSoftmaxCollapseTest extends SoftmaxCollapseContract {
    @Override
    protected Engine openEngine(RunConfig config, Split split) {
        return new CpuEngine(config, split);
    }
}
