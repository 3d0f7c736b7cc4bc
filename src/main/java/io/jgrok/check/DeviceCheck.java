package io.jgrok.check;

import io.jgrok.device.Device;

import java.nio.file.Path;

/**
 * One named check of a {@link Device}, written once and run by both the JUnit tests (one dynamic test per check, on
 * the emulated device always and on a GPU when there is one) and {@code jgrok gpu-check} (PASS/FAIL with the worst
 * error). The body compares through a {@link Verdict}, which throws at the first comparison that fails.
 *
 * @param name       what is checked, unique within its group (a test's display name, a gpu-check row)
 * @param paperSized whether the check runs the paper's config (slow on the emulated device: gpu-check's --quick
 *                   leaves such checks out; the tests run all)
 * @param body       the check
 */
public record DeviceCheck(String name, boolean paperSized, Body body) {

    /** The check itself. */
    @FunctionalInterface
    public interface Body {
        void run(Target target, Verdict verdict) throws Exception;
    }

    /** What a check runs on. */
    public interface Target {
        /** The device under check (opened by the caller, shared by the checks of one run, closed by the caller). */
        Device device();

        /** "cuda" or "emulated": for checks that open their own device through a command's --device flag. */
        String kind();

        /** A directory the check may write to (deleted by the caller). */
        Path scratch();
    }

    public static DeviceCheck of(String name, Body body) {
        return new DeviceCheck(name, false, body);
    }

    public static DeviceCheck paperSized(String name, Body body) {
        return new DeviceCheck(name, true, body);
    }
}
