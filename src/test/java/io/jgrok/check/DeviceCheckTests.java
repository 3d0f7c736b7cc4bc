package io.jgrok.check;

import io.jgrok.device.Device;
import org.junit.jupiter.api.DynamicTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Runs {@link DeviceCheck}s (the device checks that live in main, shared with {@code jgrok gpu-check}) as JUnit
 * dynamic tests: one test per check, each on a device opened for it and closed after it, as the tests' own
 * {@code @BeforeEach}/{@code @AfterEach} did. A device that cannot be opened skips (the GPU twins' assumption).
 */
public final class DeviceCheckTests {
    private DeviceCheckTests() {
    }

    /** One dynamic test per check; {@code open} opens the device under test (or throws an assumption failure). */
    public static Stream<DynamicTest> of(List<DeviceCheck> checks, Supplier<Device> open, String kind) {
        return checks.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> run(c, open, kind)));
    }

    /** Runs one check on a freshly opened device; a failed comparison is an AssertionError. */
    public static void run(DeviceCheck check, Supplier<Device> open, String kind) throws Exception {
        Path scratch = Files.createTempDirectory("jgrok-check-");
        try (LazyTarget target = new LazyTarget(open, kind, scratch)) {
            Verdict verdict = new Verdict();
            check.body().run(target, verdict);
            if (verdict.comparisons() == 0) {
                throw new AssertionError(check.name() + " compared nothing");
            }
        } finally {
            deleteTree(scratch);
        }
    }

    /** Opens the device when a check first asks for it (the analysis checks open their own). */
    private static final class LazyTarget implements DeviceCheck.Target, AutoCloseable {
        private final Supplier<Device> open;
        private final String kind;
        private final Path scratch;
        private Device device;

        LazyTarget(Supplier<Device> open, String kind, Path scratch) {
            this.open = open;
            this.kind = kind;
            this.scratch = scratch;
        }

        @Override
        public Device device() {
            if (device == null) {
                device = open.get();
            }
            return device;
        }

        @Override
        public String kind() {
            return kind;
        }

        @Override
        public Path scratch() {
            return scratch;
        }

        @Override
        public void close() {
            if (device != null) {
                device.close();
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
