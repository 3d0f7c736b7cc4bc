package io.jgrok.check;

import io.jgrok.device.DevicePtr;

import java.util.List;

/**
 * A correctness check that fails the ordinary way, for {@link GpuCheckFailingCheckTest}: it runs on the device and
 * finishes, but its result differs from the (deliberately wrong) reference by more than the bound. Beside it, a check
 * that passes, so the test sees that one failure fails the run without hiding the other verdicts.
 */
public final class WrongAnswerChecks {
    /** What the failing check compares: the device's round trip of 1.0 against a reference of 1.5. */
    static final String WRONG = "round trip of 1.0 against a wrong reference of 1.5";

    private WrongAnswerChecks() {
    }

    public static List<DeviceCheck> checks() {
        return List.of(
                DeviceCheck.of("round trip against the right reference", (t, v) ->
                        v.within("round trip of 1.0", Math.abs(roundTrip(t, 1.0f) - 1.0), 1e-6)),
                DeviceCheck.of("round trip against a wrong reference", (t, v) ->
                        v.within(WRONG, Math.abs(roundTrip(t, 1.0f) - 1.5), 1e-6)));
    }

    private static double roundTrip(DeviceCheck.Target t, float value) {
        DevicePtr p = t.device().alloc(Float.BYTES);
        try {
            t.device().copyToDevice(p, new float[] {value}, 0, 1);
            float[] back = new float[1];
            t.device().copyToHost(back, 0, p, 1);
            return back[0];
        } finally {
            t.device().free(p);
        }
    }
}
