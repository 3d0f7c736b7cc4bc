package io.jgrok.torch;

import io.jgrok.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The PyTorch files of src/test/resources/torch (written by tools/make_torch_fixtures.py) and a CLI runner. */
final class Fixtures {
    /** The fixtures' model: p 11, d_model 16, 2 heads, d_mlp 32. */
    static final int P = 11;
    static final int D = 16;
    static final int H = 2;
    static final int DH = 8;
    static final int M = 32;

    private Fixtures() {
    }

    static Path file(String name) {
        return Path.of(System.getProperty("jgrok.project.dir", ".")).resolve("src/test/resources/torch").resolve(name);
    }

    /** Exit code, stdout and stderr of one CLI call. */
    record Cli(int code, String out, String err) {
    }

    static synchronized Cli run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }
}
