package io.jgrok.device;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Source lines of src/main/cuda/selftest_faults.cu by their {@code // marker:NAME} comments, as errors print them. */
final class FaultSource {
    static final String FILE = "selftest_faults.cu";

    private FaultSource() {
    }

    /** "selftest_faults.cu:LINE" of the line that carries {@code // marker:name}. */
    static String site(String marker) {
        Path path = Path.of(System.getProperty("jgrok.project.dir", "."), "src", "main", "cuda", FILE);
        try {
            List<String> lines = Files.readAllLines(path);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains("// marker:" + marker)) {
                    return FILE + ":" + (i + 1);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalArgumentException("no marker:" + marker + " in " + path);
    }
}
