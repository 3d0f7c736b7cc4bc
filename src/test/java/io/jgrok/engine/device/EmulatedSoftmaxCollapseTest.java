package io.jgrok.engine.device;

import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.device.EmulatedDevice;
import io.jgrok.engine.Engine;
import io.jgrok.engine.SoftmaxCollapseContract;

/** {@link SoftmaxCollapseContract} on the device engine's kernels, emulated. */
class EmulatedSoftmaxCollapseTest extends SoftmaxCollapseContract {
    @Override
    protected Engine openEngine(RunConfig config, Split split) {
        return new DeviceEngine(config, split, EmulatedDevice.open(), true, null);
    }
}
