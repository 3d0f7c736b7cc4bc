package io.jgrok.engine.device;

import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.Engine;
import io.jgrok.engine.SoftmaxCollapseContract;

/** {@link SoftmaxCollapseContract} on GPU 0; skipped, with the probe's reason, where there is no usable GPU. */
class CudaSoftmaxCollapseTest extends SoftmaxCollapseContract {
    @Override
    protected Engine openEngine(RunConfig config, Split split) {
        return new DeviceEngine(config, split, GpuTests.openCudaOrSkip(), true, null);
    }
}
