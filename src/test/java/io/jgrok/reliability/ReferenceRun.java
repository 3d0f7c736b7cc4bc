package io.jgrok.reliability;

import io.jgrok.InProcessCli;
import io.jgrok.io.RunDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link OneWriterTest#CONFIG} trained alone for {@link OneWriterTest#EPOCHS} epochs, once per test JVM: what every
 * run that another process contested must equal, bit for bit, at its end.
 */
final class ReferenceRun {
    private static RunDirectory run;

    private ReferenceRun() {
    }

    static synchronized RunDirectory get() throws IOException {
        if (run == null) {
            Path dir = Files.createTempDirectory("jgrok-reference-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            RunDirectory r = new RunDirectory(dir.resolve("run"));
            InProcessCli.Result result = InProcessCli.run(OneWriterTest.train(r.root(), OneWriterTest.EPOCHS));
            assertEquals(0, result.code(), result.err());
            run = r;
        }
        return run;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // A temporary directory; the system cleans up what is left.
        }
    }
}
