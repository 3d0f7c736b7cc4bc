package io.jgrok.torch;

import java.nio.file.Path;

/** The PyTorch files of src/test/resources/torch (written by tools/make_torch_fixtures.py). */
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
}
