package io.jgrok.check;

import io.jgrok.device.CudaProbe;
import io.jgrok.device.DeviceException;
import io.jgrok.device.Devices;

import java.util.List;

/**
 * Checks that misbehave on purpose, for {@link GpuCheckTest}: one leaves the "context" unusable (as a kernel fault
 * does on a GPU: it marks the probe and throws), one kills its JVM, one hangs. gpu-check must report each as a
 * failure of that check alone and run the others in fresh processes.
 */
public final class FaultyChecks {
    private FaultyChecks() {
    }

    public static List<DeviceCheck> checks() {
        return List.of(
                DeviceCheck.of("passes", (t, v) -> v.isTrue("ok", true)),
                DeviceCheck.of("poisons the context", (t, v) -> {
                    if (Devices.syncEveryLaunch()) {
                        throw new DeviceException("kernel simulated_fault (grid 1, block 32) faulted: simulated, "
                                + "named under " + Devices.SYNC_VARIABLE);
                    }
                    CudaProbe.markUnusable("simulated fault");
                    throw new DeviceException("copyToHost: simulated sticky fault");
                }),
                DeviceCheck.of("passes in a fresh process", (t, v) -> v.isTrue("the context of this process is usable",
                        CudaProbe.unusableReason() == null)),
                DeviceCheck.of("kills its process", (t, v) -> Runtime.getRuntime().halt(134)),
                DeviceCheck.of("passes after the crash", (t, v) -> v.isTrue("ok", true)),
                DeviceCheck.of("hangs", (t, v) -> Thread.sleep(Long.MAX_VALUE)),
                DeviceCheck.of("is never reached", (t, v) -> v.isTrue("ok", true)));
    }
}
