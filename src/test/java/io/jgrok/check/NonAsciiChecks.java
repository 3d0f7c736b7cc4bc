package io.jgrok.check;

import java.util.List;

/** For {@link GpuCheckLogEncodingTest}: a check whose name is not ASCII, as "⊥Grad" in the training checks. */
public final class NonAsciiChecks {
    static final String NAME = "⊥Grad, µs and ≤ in a check's name";

    private NonAsciiChecks() {
    }

    public static List<DeviceCheck> checks() {
        return List.of(DeviceCheck.of(NAME, (t, v) -> v.isTrue("ok", true)));
    }
}
