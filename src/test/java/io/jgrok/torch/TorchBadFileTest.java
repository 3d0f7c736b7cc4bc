package io.jgrok.torch;

import io.jgrok.InProcessCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files and flags {@code ./jgrok import} must refuse: one line on stderr saying what is wrong, exit code 2, no
 * stack trace, and nothing written (no run directory, no temporary left beside it, an existing run untouched).
 */
class TorchBadFileTest {
    @TempDir
    Path tmp;

    private void assertRefused(String expected, String... args) throws Exception {
        Path out = tmp.resolve("run");
        String[] all = new String[args.length + 4];
        all[0] = "import";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--out";
        all[args.length + 2] = out.toString();
        all[args.length + 3] = "--quiet";
        InProcessCli.Result r = InProcessCli.run(all);
        assertEquals(2, r.code(), "exit code; stderr: " + r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, "one line: " + r.err());
        assertTrue(lines[0].startsWith("jgrok: error: ") && lines[0].contains(expected),
                "expected '" + expected + "' in: " + lines[0]);
        assertFalse(r.err().contains("\tat "), "no stack trace");
        assertFalse(Files.exists(out), "nothing written");
        try (var s = Files.list(tmp)) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().startsWith(".run.tmp-")).count(),
                    "no temporary left");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad_legacy.pt      | legacy format (torch < 1.6",
        "bad_truncated.pth  | damaged or truncated zip archive",
        "bad_crc.pth        | is damaged (its size or CRC-32",
        "bad_class.pth      | refers to Python class payload.Payload, which jgrok does not read",
        "bad_shapes.pth     | blocks.0.mlp.W_in has shape [32, 17] but the other tensors make it [32, 16]",
        "bad_heads.pth      | 2 heads of d_head 9 do not make d_model 16",
        "bad_bias.pth       | blocks.0.attn.b_Q is non-zero",
    })
    void badFilesAreRefused(String file, String expected) throws Exception {
        assertRefused(expected.strip(), Fixtures.file(file.strip()).toString());
    }

    @Test
    void filesThatAreNotTorchFilesAreRefused() throws Exception {
        Path text = tmp.resolve("notes.pth");
        Files.writeString(text, "not a checkpoint\n");
        assertRefused("is not a PyTorch checkpoint", text.toString());
        assertRefused("does not exist", tmp.resolve("missing.pth").toString());
        Path views = Fixtures.file("views.pt");
        assertRefused("jgrok imports a state dict or a dict with 'model'", views.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "paper_training.pth | --data_seed=3          | --data_seed 3 contradicts paper_training.pth's config (seed 0",
        "paper_training.pth | --train_fraction=0.5   | --train_fraction 0.5 contradicts",
        "tl_demo.pth        | --data_seed=1          | gives its split (train indices); --data_seed does not apply",
        "tl_demo.pth        | --train_fraction=0.5   | --train_fraction 0.5 gives 60 training pairs, but tl_demo.pth has 36",
        "tl_demo.pth        | --preset=other         | --preset must be one of paper, tl-demo",
        "state_dict_tl.pt   | --epoch=-1             | --epoch must be an integer from 0 to 9999999",
    })
    void flagsThatContradictTheFileAreRefused(String file, String flag, String expected) throws Exception {
        assertRefused(expected.strip(), Fixtures.file(file.strip()).toString(), flag.strip());
    }

    @Test
    void anExistingRunIsKeptUnlessForced() throws Exception {
        Path out = tmp.resolve("kept");
        String f = Fixtures.file("state_dict_tl.pt").toString();
        assertEquals(0, InProcessCli.run("import", f, "--out", out.toString(), "--quiet").code());
        byte[] config = Files.readAllBytes(out.resolve("config.json"));
        InProcessCli.Result again = InProcessCli.run("import", Fixtures.file("paper_training.pth").toString(), "--out",
                out.toString(), "--quiet");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already holds a run"), again.err());
        assertTrue(java.util.Arrays.equals(config, Files.readAllBytes(out.resolve("config.json"))), "untouched");
        // A bad file with --force still leaves the old run as it was.
        InProcessCli.Result bad = InProcessCli.run("import", Fixtures.file("bad_class.pth").toString(), "--out",
                out.toString(), "--quiet", "--force");
        assertEquals(2, bad.code());
        assertTrue(java.util.Arrays.equals(config, Files.readAllBytes(out.resolve("config.json"))), "untouched");
        InProcessCli.Result forced = InProcessCli.run("import", Fixtures.file("paper_training.pth").toString(), "--out",
                out.toString(), "--quiet", "--force");
        assertEquals(0, forced.code(), forced.err());
        assertEquals(java.util.List.of(new io.jgrok.io.RunDirectory(out).checkpoint(29)),
                new io.jgrok.io.RunDirectory(out).checkpointFiles(), "the old run's checkpoint is gone");
    }
}
