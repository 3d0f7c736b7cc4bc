package io.jgrok.reliability;

import io.jgrok.TestConfigs;
import io.jgrok.cli.Main;
import io.jgrok.config.RunConfig;
import io.jgrok.io.Checkpoints;
import io.jgrok.model.Initializer;
import io.jgrok.model.TrainingState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input named in the reliability issue gets one line on stderr saying what is wrong and what is
 * allowed, exit code 2, and no stack trace; nothing already on disk is lost.
 */
class BadInputTest {
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

    /** Runs the CLI and asserts a one-line error containing {@code expected}, exit 2, no stack trace. */
    private void assertRejected(String expected, String... args) {
        err.reset();
        int code = Main.run(args);
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, "exit code for " + String.join(" ", args) + "; stderr: " + text);
        String[] lines = text.strip().split("\n");
        assertEquals(1, lines.length, "exactly one line on stderr: " + text);
        String last = lines[0];
        assertTrue(last.startsWith("jgrok: error: "), text);
        assertTrue(last.contains(expected), "expected '" + expected + "' in: " + last);
        assertFalse(text.contains("Exception") || text.contains("\tat "), "no stack trace: " + text);
    }

    private String[] train(String... extra) {
        String[] base = {"train", "--out", tmp.resolve("run").toString(), "--quiet"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return args;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown flag            | unknown option --bogus for 'train'       | --bogus=1",
        "repeated flag           | option --p is given more than once       | --p=7 --p=11",
        "non-numeric value       | --lr must be a number, got 'fast'        | --lr=fast",
        "non-integer epochs      | --n_epochs must be an integer            | --n_epochs=1e3x",
        "p below 2               | --p must be an integer >= 2, got 1       | --p=1",
        "p too large for an int  | --p must be an integer in [-2147483648, 2147483647], got '3000000000' | --p=3000000000",
        "train fraction 0        | open interval (0, 1), got 0.0            | --train_fraction=0",
        "train fraction 1        | open interval (0, 1), got 1.0            | --train_fraction=1",
        "train fraction 1.5      | open interval (0, 1), got 1.5            | --train_fraction=1.5",
        "heads do not divide     | --d_model (10) must be divisible by --n_heads (4) | --d_model=10",
        "negative epochs         | --n_epochs must be a positive integer    | --n_epochs=-5",
        "zero epochs             | --n_epochs must be a positive integer    | --n_epochs=0",
        "negative learning rate, spaced | --lr must be a finite number >= 0 | --lr -0.1",
        "negative learning rate  | --lr must be a finite number >= 0        | --lr=-0.1",
        "negative weight decay   | --weight_decay must be a finite number >= 0 | --weight_decay=-1",
        "unknown device          | --device must be one of auto, cpu, cuda, emulated | --device=tpu",
        "unknown preset          | --preset must be one of paper, tl-demo   | --preset=gpt",
        "unknown split method    | --split_method must be one of python-shuffle, torch-randperm | --split_method=numpy",
    })
    void invalidTrainFlags(String name, String expected, String flag) {
        assertRejected(expected.strip(), train(flag.strip().split(" ")));
        assertFalse(Files.exists(tmp.resolve("run")), "nothing is created for rejected flags");
    }

    @Test
    void kebabCaseAliasesAreAccepted() {
        assertRejected("open interval (0, 1), got 2.0", train("--train-fraction", "2"));
    }

    @Test
    void outputDirectoryHoldingADifferentRunIsRefused() throws Exception {
        assertEquals(0, Main.run(train("--p", "7", "--d_model", "8", "--n_heads", "2", "--d_mlp", "8",
                "--n_epochs", "3")));
        Path ck = tmp.resolve("run/checkpoints/checkpoint_epoch_0.safetensors");
        byte[] before = Files.readAllBytes(ck);
        assertRejected("already holds a different run; use --resume", train("--p", "11", "--d_model", "8",
                "--n_heads", "2", "--d_mlp", "8", "--n_epochs", "3"));
        assertEquals(java.util.Arrays.hashCode(before), java.util.Arrays.hashCode(Files.readAllBytes(ck)),
                "the existing run is untouched");
    }

    private Path writeCheckpoint(RunConfig c, String name) throws Exception {
        Path f = tmp.resolve(name);
        Checkpoints.write(f, c, 0, TrainingState.fresh(Initializer.initialParameters(c)));
        return f;
    }

    @Test
    void missingTruncatedAndCorruptedCheckpointsAreDetected() throws Exception {
        RunConfig c = TestConfigs.small(7, 8, 2, 8);
        Path good = writeCheckpoint(c, "good.safetensors");
        assertEquals(0, Main.run(new String[] {"predict", "--checkpoint", good.toString(), "3", "4"}));

        assertRejected("does not exist", "predict", "--checkpoint", tmp.resolve("nope.safetensors").toString(),
                "1", "2");

        byte[] bytes = Files.readAllBytes(good);
        Path truncated = tmp.resolve("truncated.safetensors");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertRejected("truncated", "predict", "--checkpoint", truncated.toString(), "1", "2");
        Path headerOnly = tmp.resolve("header.safetensors");
        Files.write(headerOnly, java.util.Arrays.copyOf(bytes, 20));
        assertRejected("truncated", "predict", "--checkpoint", headerOnly.toString(), "1", "2");

        byte[] flipped = bytes.clone();
        flipped[flipped.length - 7] ^= 0x10;
        Path corrupted = tmp.resolve("corrupted.safetensors");
        Files.write(corrupted, flipped);
        assertRejected("corrupted: data checksum", "predict", "--checkpoint", corrupted.toString(), "1", "2");

        // The checksum's key renamed in place (same length, so the file stays well formed): no checksum left.
        String latin = new String(bytes, StandardCharsets.ISO_8859_1);
        assertTrue(latin.contains("jgrok.data_crc32c"));
        Path unchecked = tmp.resolve("unchecked.safetensors");
        Files.write(unchecked, latin.replace("jgrok.data_crc32c", "jgrok.data_crc32x")
                .getBytes(StandardCharsets.ISO_8859_1));
        assertRejected("has no data checksum", "predict", "--checkpoint", unchecked.toString(), "1", "2");

        Path garbage = tmp.resolve("garbage.safetensors");
        Files.writeString(garbage, "this is not a checkpoint at all, just text that is long enough");
        assertRejected("not a safetensors file", "predict", "--checkpoint", garbage.toString(), "1", "2");
    }

    @Test
    void initCheckpointWithOtherShapesIsRefused() throws Exception {
        Path other = writeCheckpoint(TestConfigs.small(7, 8, 2, 8), "other.safetensors");
        assertRejected("has shape [8, 8] but the config needs [12, 8]", train("--p", "11", "--d_model", "8",
                "--n_heads", "2", "--d_mlp", "8", "--n_epochs", "2", "--init", other.toString()));
    }

    @Test
    void splitFilesWithBadIndicesAreRefused() throws Exception {
        Path range = tmp.resolve("range.json");
        Files.writeString(range, "[1, 2, 49]");
        assertRejected("train index 49 is out of range; indices must be in 0..48", train("--p", "7", "--d_model",
                "8", "--n_heads", "2", "--d_mlp", "8", "--split_file", range.toString()));
        Path dup = tmp.resolve("dup.json");
        Files.writeString(dup, "{\"train_indices\": [3, 5, 3]}");
        assertRejected("train index 3 appears more than once", train("--p", "7", "--d_model", "8", "--n_heads", "2",
                "--d_mlp", "8", "--split_file", dup.toString()));
        Path notJson = tmp.resolve("bad.json");
        Files.writeString(notJson, "{train: ");
        assertRejected("is not valid JSON", train("--p", "7", "--d_model", "8", "--n_heads", "2", "--d_mlp", "8",
                "--split_file", notJson.toString()));
        Path notNumber = tmp.resolve("nan.json");
        Files.writeString(notNumber, "{\"train_indices\": [1, \"x\"]}");
        assertRejected("p and every index must be whole numbers", train("--p", "7", "--d_model", "8", "--n_heads",
                "2", "--d_mlp", "8", "--split_file", notNumber.toString()));
        Files.writeString(notNumber, "{\"p\": \"x\", \"train_indices\": [1, 2]}");
        assertRejected("p and every index must be whole numbers", train("--p", "7", "--d_model", "8", "--n_heads",
                "2", "--d_mlp", "8", "--split_file", notNumber.toString()));
    }

    @Test
    void damagedRunFilesAreNamedOnResume() throws Exception {
        assertEquals(0, Main.run(train("--p", "7", "--d_model", "8", "--n_heads", "2", "--d_mlp", "8",
                "--n_epochs", "2")));
        io.jgrok.io.RunDirectory dir = new io.jgrok.io.RunDirectory(tmp.resolve("run"));
        String config = Files.readString(dir.config());
        String history = Files.readString(dir.history());

        Files.writeString(dir.config(), config.replace("\"lr\": 0.001", "\"lr\": -5"));
        assertRejected(dir.config() + ": --lr must be a finite number >= 0, got -5.0", "train", "--resume",
                dir.root().toString());
        Files.writeString(dir.config(), "{\"p\": 7, \"lr\": ");
        assertRejected(dir.config() + ": config is not valid JSON", "train", "--resume", dir.root().toString());
        Files.writeString(dir.config(), config);

        Files.writeString(dir.history(), history.replaceFirst("\"epoch\": \\[0,", "\"epoch\": [\"x\","));
        assertRejected("history " + dir.history() + " is not valid jgrok history JSON", "train", "--resume",
                dir.root().toString(), "--n_epochs", "3");
    }

    @Test
    void nonPrimeModulusTrainsWithAWarning() {
        err.reset();
        assertEquals(0, Main.run(train("--p", "12", "--d_model", "8", "--n_heads", "2", "--d_mlp", "8",
                "--n_epochs", "2")));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("p = 12 is not prime"), err.toString());
    }

    @Test
    void resumeRefusesFlagsItWouldIgnore() {
        assertEquals(0, Main.run(train("--p", "7", "--d_model", "8", "--n_heads", "2", "--d_mlp", "8",
                "--n_epochs", "2")));
        String dir = tmp.resolve("run").toString();
        assertRejected("--lr cannot be combined with it (allowed with --resume: --n_epochs", "train", "--resume", dir,
                "--lr", "0.1");
        assertRejected("--p cannot be combined with it", "train", "--resume", dir, "--p", "11");
        assertRejected("--out cannot be combined with it", "train", "--resume", dir, "--out", dir);
        assertEquals(0, Main.run(new String[] {"train", "--resume", dir, "--n_epochs", "3", "--quiet"}));
    }

    @Test
    void resumeOfADirectoryWithoutARunIsRefused() {
        assertRejected("no run there", "train", "--resume", tmp.resolve("empty").toString());
    }

    @Test
    void predictRejectsOutOfRangeOperands() throws Exception {
        Path good = writeCheckpoint(TestConfigs.small(7, 8, 2, 8), "good.safetensors");
        assertRejected("B must be in 0..6", "predict", "--checkpoint", good.toString(), "1", "9");
        assertRejected("A must be an integer in 0..6, got 'x'", "predict", "--checkpoint", good.toString(), "x", "1");
    }

    @Test
    void unknownCommandIsRefused() {
        assertRejected("unknown command 'trian'", "trian");
    }
}
