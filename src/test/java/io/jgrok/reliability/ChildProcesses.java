package io.jgrok.reliability;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The jgrok child JVMs a test starts, none of which outlives the test whatever happens (a failed assertion included):
 * register one per test instance with {@code @RegisterExtension}. Each child is SIGKILLed and waited for after the
 * test, before its temporary directory (where the child logs and writes) is deleted.
 */
final class ChildProcesses implements AfterEachCallback {
    private final List<Process> children = new ArrayList<>();

    /** The jgrok CLI in a child JVM, its stdout and stderr in {@code logDir}/{@code name}.out and .err. */
    Process jgrok(Path logDir, String name, String... args) throws IOException {
        Process p = ChildJvm.jgrok(logDir, name, args);
        children.add(p);
        return p;
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor();
        }
        children.clear();
    }
}
