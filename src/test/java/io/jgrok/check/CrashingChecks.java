package io.jgrok.check;

import java.util.List;

/** For {@link GpuCheckProgressTest}: a check that kills its JVM (as a crash in native code does), then one that passes. */
public final class CrashingChecks {
    private CrashingChecks() {
    }

    public static List<DeviceCheck> checks() {
        return List.of(
                DeviceCheck.of("kills its process", (t, v) -> Runtime.getRuntime().halt(134)),
                DeviceCheck.of("passes after the crash", (t, v) -> v.isTrue("ok", true)));
    }
}
