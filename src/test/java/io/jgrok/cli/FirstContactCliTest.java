package io.jgrok.cli;

import io.jgrok.TestConfigs;
import io.jgrok.config.ConfigText;
import io.jgrok.config.RunConfig;
import io.jgrok.io.Checkpoints;
import io.jgrok.model.Initializer;
import io.jgrok.model.TrainingState;
import io.jgrok.sweep.SweepSpec;
import io.jgrok.UserError;
import org.apache.commons.cli.Option;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a first user meets it: versions, suggestions, negative numbers, quiet runs, plain reasons. */
class FirstContactCliTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream savedErr;
    private PrintStream savedOut;

    @BeforeEach
    void capture() {
        savedErr = System.err;
        savedOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(savedErr);
        System.setOut(savedOut);
    }

    private int run(String... args) {
        err.reset();
        out.reset();
        return Main.run(args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    static final String[] SMALL = {"--p", "7", "--d_model", "8", "--n_heads", "2", "--d_mlp", "8", "--threads", "1",
            "--device", "cpu"};

    private String[] train(String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("train"));
        a.addAll(List.of(SMALL));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void versionIsAnswered() {
        assertEquals(0, run("--version"));
        assertTrue(out().startsWith("jgrok ") && out().contains("Java "), out());
        assertEquals(0, run("version"));
    }

    @Test
    void aMisspelledFlagOrCommandGetsADidYouMean() {
        assertEquals(2, run("train", "--train_fractio", "0.3"));
        assertTrue(err().contains("did you mean --train_fraction?"), err());
        assertEquals(2, run("train", "--learning-rate", "0.1"));
        assertTrue(err().contains("did you mean --lr?"), err());
        assertEquals(2, run("analyze", "x", "--threds", "2"));
        assertTrue(err().contains("did you mean --threads?"), err());
        assertEquals(2, run("train", "--zzzzzz", "1"));
        assertFalse(err().contains("did you mean"), "nothing is near: " + err());
        assertEquals(2, run("anlyze", "x"));
        assertTrue(err().contains("did you mean 'analyze'?"), err());
    }

    @Test
    void aNegativeNumberIsAnArgumentNotAFlag() throws Exception {
        RunConfig config = TestConfigs.small(7, 8, 2, 8);
        Path ck = tmp.resolve("ck.safetensors");
        Checkpoints.write(ck, config, 0, TrainingState.fresh(Initializer.initialParameters(config)));
        assertEquals(2, run("predict", "--checkpoint", ck.toString(), "-1", "5"));
        assertTrue(err().contains("A must be in 0..6") && err().contains("got -1"), err());
        assertFalse(err().contains("unknown option"), err());
        assertEquals(0, run("predict", "--checkpoint", ck.toString(), "3", "5"));
        assertTrue(out().startsWith("3 + 5 mod 7 = "), out());
        // A negative value of a flag is still that flag's value.
        assertEquals(2, run(train("--out", tmp.resolve("neg").toString(), "--n_epochs", "-5")));
        assertTrue(err().contains("--n_epochs"), err());
    }

    @Test
    void quietPrintsNoConfigAndTheConfigIsPrintedAsFlags() {
        assertEquals(0, run(train("--out", tmp.resolve("loud").toString(), "--n_epochs", "3")));
        String loud = out();
        assertTrue(loud.contains("--init_scheme") && loud.contains("--mlp_biases") && loud.contains("trained")
                && loud.contains("--split_method") && loud.contains("python-shuffle"), loud);
        assertFalse(loud.contains("train_mlp_biases") || loud.contains("\"paper\""), loud);
        assertEquals(0, run(train("--out", tmp.resolve("quiet").toString(), "--n_epochs", "3", "--quiet")));
        String quiet = out();
        assertFalse(quiet.contains("--weight_decay") || quiet.contains("engine"), quiet);
        assertEquals(1, quiet.strip().lines().count(), "only the result line: " + quiet);
        assertTrue(quiet.startsWith("jgrok: trained 3 epochs"), quiet);
    }

    @Test
    void everyPrintedConfigNameIsATrainFlag() {
        org.apache.commons.cli.Options flags = TrainCommand.options();
        for (RunConfig c : List.of(TestConfigs.small(7, 8, 2, 8), io.jgrok.config.Preset.named("tl-demo")
                .defaults())) {
            for (String name : ConfigText.flags(c).keySet()) {
                assertTrue(flags.hasLongOption(name), name + " is printed but is no train flag");
            }
        }
    }

    @Test
    void resumingWithFewerEpochsThanTheRunHoldsIsAnError() {
        Path dir = tmp.resolve("run");
        assertEquals(0, run(train("--out", dir.toString(), "--n_epochs", "6", "--quiet")));
        assertEquals(2, run("train", "--resume", dir.toString(), "--n_epochs", "4"));
        assertTrue(err().contains("--n_epochs 4 is fewer than the 6 epochs") && err().contains("cannot be "
                + "shortened"), err());
        assertEquals(0, run("train", "--resume", dir.toString(), "--quiet"));
        assertTrue(out().contains("already complete (6 epochs); pass --n_epochs N with N > 6"), out());
        assertEquals(0, run("train", "--resume", dir.toString(), "--n_epochs", "8", "--quiet"));
        assertTrue(out().contains("trained 2 epochs"), out());
    }

    @Test
    void initWithOtherShapesSaysWhichFlagsFit() throws Exception {
        RunConfig other = TestConfigs.small(11, 16, 4, 24);
        Path file = tmp.resolve("other.safetensors");
        Checkpoints.write(file, other, 0, TrainingState.fresh(Initializer.initialParameters(other)));
        assertEquals(2, run(train("--out", tmp.resolve("init").toString(), "--init", file.toString(), "--quiet")));
        assertTrue(err().contains("the file's weights fit --p 11 --d_model 16 --n_heads 4 --d_mlp 24"), err());
    }

    @Test
    void anUnwritableOutputDirectorySaysWhy() {
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return; // no procfs: nothing to test against
        }
        assertEquals(2, run(train("--out", "/proc/jgrok-test/run", "--quiet")));
        String e = err().strip();
        assertTrue(e.startsWith("jgrok: error: cannot write to /proc/jgrok-test/run: "), e);
        assertFalse(e.endsWith(": /proc/jgrok-test/run"), "a reason, not the path again: " + e);
        assertTrue(e.contains("no such file or directory"), e);
    }

    @Test
    void benchHelpListsItsOwnFlagsFirstAndNoTrainOnlyFlags() {
        List<String> names = BenchCommand.options().getOptions().stream().map(Option::getLongOpt).toList();
        assertEquals(List.of("epochs", "repeats", "warmup"), names.subList(0, 3));
        assertEquals(List.of("debug", "help"), names.subList(names.size() - 2, names.size()));
        for (String trainOnly : List.of("out", "init", "split_file", "resume", "force", "quiet", "checkpoint_every",
                "profile")) {
            assertFalse(names.contains(trainOnly), trainOnly);
        }
    }

    @Test
    void aSpecWithoutAxesNamesNoRun() throws Exception {
        Path spec = tmp.resolve("one.json");
        Files.writeString(spec, "{\"train_fraction\": 1.5}");
        UserError e = assertThrows(UserError.class, () -> SweepSpec.read(spec, new TrainFlags())
                .expand(new TrainFlags()));
        assertTrue(e.getMessage().startsWith("sweep spec " + spec + ": --train_fraction"), e.getMessage());
        assertFalse(e.getMessage().contains("run run"), e.getMessage());
    }
}
