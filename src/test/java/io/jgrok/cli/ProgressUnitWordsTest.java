package io.jgrok.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** export's and import's progress counts checkpoints in words, as analyze's does (it said "31 of 31 ckpt"). */
class ProgressUnitWordsTest {
    @TempDir
    Path tmp;

    private static String stderrOf(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run(args), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void exportAndImportCountCheckpoints() {
        Path run = tmp.resolve("run");
        stderrOf("train", "--p", "11", "--d_model", "16", "--n_heads", "2", "--d_mlp", "32", "--n_epochs", "12",
                "--checkpoint_every", "6", "--device", "cpu", "--threads", "1", "--out", run.toString(), "--quiet");
        // Outside a terminal (as here) progress is a line at the start and one every 30 s.
        String export = stderrOf("export", run.toString(), "--format", "tl-demo", "--out",
                tmp.resolve("run.pth").toString());
        assertTrue(export.contains("export: 3 of 3 checkpoints to do"), export);
        String imported = stderrOf("import", tmp.resolve("run.pth").toString(), "--out",
                tmp.resolve("back").toString());
        assertTrue(imported.contains("accuracy: 3 of 3 checkpoints to do"), imported);
        assertFalse((export + imported).contains("ckpt"), export + imported);
    }
}
