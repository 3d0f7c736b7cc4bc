package io.jgrok.device;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Finds and loads the emulator's two native libraries, built by {@code make emulator}: libjgrok_emu.so (runtime and
 * JNI, loaded into the JVM) and libjgrok_emu_kernels.so (the kernels, loaded by the runtime like a CUDA module).
 * Looked for, in order: the directory named by system property {@code jgrok.emulator.dir} (e.g. the
 * ThreadSanitizer build in target/native/tsan); target/native under {@code jgrok.project.dir} or the working
 * directory; the copies packed into the jar under {@code native/}, extracted to a temporary directory.
 */
final class EmulatorLibrary {
    static final String RUNTIME = "libjgrok_emu.so";
    static final String KERNELS = "libjgrok_emu_kernels.so";

    private static Path loadedFrom;

    private EmulatorLibrary() {
    }

    /** Loads the runtime into this JVM (once) and returns the path of the kernel library to open. */
    static synchronized Path load() {
        if (loadedFrom == null) {
            Path dir = locate();
            try {
                System.load(dir.resolve(RUNTIME).toAbsolutePath().toString());
            } catch (UnsatisfiedLinkError e) {
                throw new DeviceException("cannot load the emulated device from " + dir + ": " + e.getMessage()
                        + " (rebuild it with `make emulator`)", e);
            }
            loadedFrom = dir;
        }
        return loadedFrom.resolve(KERNELS).toAbsolutePath();
    }

    private static Path locate() {
        String property = System.getProperty("jgrok.emulator.dir");
        if (property != null && !property.isBlank()) {
            Path dir = Path.of(property);
            if (!isComplete(dir)) {
                throw new DeviceException("-Djgrok.emulator.dir=" + property + " does not hold " + RUNTIME + " and "
                        + KERNELS + " (build them with `make emulator` or `make emulator-tsan`)");
            }
            return dir;
        }
        Path project = Path.of(System.getProperty("jgrok.project.dir", "."));
        Path built = project.resolve("target").resolve("native");
        if (isComplete(built)) {
            return built;
        }
        Path extracted = extractFromJar();
        if (extracted != null) {
            return extracted;
        }
        throw new DeviceException("the emulated device is not built: run `make emulator` (needs g++), or use a jar "
                + "built by `make jar`");
    }

    private static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve(RUNTIME)) && Files.isRegularFile(dir.resolve(KERNELS));
    }

    private static Path extractFromJar() {
        if (EmulatorLibrary.class.getResource("/native/" + RUNTIME) == null) {
            return null;
        }
        try {
            Path dir = Files.createTempDirectory("jgrok-emulator-");
            dir.toFile().deleteOnExit();
            for (String name : new String[] {RUNTIME, KERNELS}) {
                try (InputStream in = EmulatorLibrary.class.getResourceAsStream("/native/" + name)) {
                    if (in == null) {
                        throw new DeviceException("the jar holds " + RUNTIME + " but not " + name
                                + "; rebuild it with `make jar`");
                    }
                    Path file = dir.resolve(name);
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                    file.toFile().deleteOnExit();
                }
            }
            return dir;
        } catch (IOException e) {
            throw new DeviceException("cannot extract the emulated device from the jar: " + e.getMessage(), e);
        }
    }
}
