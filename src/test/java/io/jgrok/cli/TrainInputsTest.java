package io.jgrok.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.jgrok.Tolerances;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The success paths of train's --split_file and --init: the run uses what it was given and records it. */
class TrainInputsTest {
    @TempDir
    Path tmp;

    private static final String[] SMALL = {"--p", "7", "--d_model", "8", "--n_heads", "2", "--d_mlp", "8",
        "--quiet", "--device", "cpu"};

    private static int train(String... args) {
        String[] all = new String[1 + SMALL.length + args.length];
        all[0] = "train";
        System.arraycopy(SMALL, 0, all, 1, SMALL.length);
        System.arraycopy(args, 0, all, 1 + SMALL.length, args.length);
        PrintStream saved = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            return Main.run(all);
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void splitFileIsUsedAndRecorded() throws Exception {
        int[] given = {40, 3, 17, 22, 8, 31, 0, 12, 45, 27};
        Path file = tmp.resolve("mine.json");
        Files.writeString(file, Arrays.toString(given));
        Path run = tmp.resolve("run");
        assertEquals(0, train("--out", run.toString(), "--n_epochs", "4", "--split_file", file.toString()));
        RunDirectory dir = new RunDirectory(run);
        JsonObject split = new Gson().fromJson(Files.readString(dir.split()), JsonObject.class);
        assertArrayEquals(given, new Gson().fromJson(split.get("train_indices"), int[].class), "train order kept");
        assertEquals(49 - given.length, split.getAsJsonArray("test_indices").size());
        String source = split.get("source").getAsString();
        assertTrue(source.startsWith("split file " + file.toAbsolutePath()) && source.contains("10 train pairs"),
                source);
        // Accuracy over 10 train pairs moves in steps of 1/10, over the 39 others in steps of 1/39.
        History h = History.read(dir.history());
        for (int i = 0; i < h.size(); i++) {
            double trainHits = h.trainAcc(i) * given.length;
            double testHits = h.testAcc(i) * 39;
            assertEquals(Math.rint(trainHits), trainHits, Tolerances.FLOAT64_ABS, "train accuracy, epoch " + i);
            assertEquals(Math.rint(testHits), testHits, Tolerances.FLOAT64_ABS, "test accuracy, epoch " + i);
        }
        // A run without --split_file names the config's split.
        Path plain = tmp.resolve("plain");
        assertEquals(0, train("--out", plain.toString(), "--n_epochs", "1"));
        String plainSource = new Gson().fromJson(Files.readString(new RunDirectory(plain).split()), JsonObject.class)
                .get("source").getAsString();
        assertEquals("python-shuffle, data_seed 0, train_fraction 0.3", plainSource);
    }

    @Test
    void initWeightsAreTheStartingPoint() throws Exception {
        Path donor = tmp.resolve("donor");
        assertEquals(0, train("--out", donor.toString(), "--n_epochs", "30", "--seed", "5"));
        Path weights = new RunDirectory(donor).checkpoint(29);
        float[] given = Checkpoints.read(weights).state().params();

        Path run = tmp.resolve("run");
        assertEquals(0, train("--out", run.toString(), "--n_epochs", "2", "--seed", "0", "--init",
                weights.toString()));
        RunDirectory dir = new RunDirectory(run);
        assertArrayEquals(given, Checkpoints.read(dir.initialWeights()).state().params(), "initial weights kept");
        // The paper's first step runs at learning rate 0, so checkpoint 0 is the given weights, not seed 0's.
        float[] first = Checkpoints.read(dir.checkpoint(0)).state().params();
        assertArrayEquals(given, first, "checkpoint 0 equals --init's weights");
        Path seeded = tmp.resolve("seeded");
        assertEquals(0, train("--out", seeded.toString(), "--n_epochs", "1", "--seed", "0"));
        assertFalse(Arrays.equals(first, Checkpoints.read(new RunDirectory(seeded).checkpoint(0)).state().params()),
                "and differs from a seeded start");
    }

    @Test
    void predictPrintsTheAnswerAndTheAccuracy() {
        Path run = tmp.resolve("run");
        assertEquals(0, train("--out", run.toString(), "--n_epochs", "3"));
        String checkpoint = new RunDirectory(run).checkpoint(2).toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run(new String[] {"predict", "--checkpoint", checkpoint, "5", "4"}));
            assertEquals(0, Main.run(new String[] {"predict", "--checkpoint", checkpoint, "--all"}));
        } finally {
            System.setOut(saved);
        }
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(2, lines.length, String.join("\n", lines));
        assertTrue(lines[0].matches("5 \\+ 4 mod 7 = [0-6]"), lines[0]);
        assertTrue(lines[1].matches("epoch 2 checkpoint: accuracy [0-9.]+% \\([0-9]+ of 49 pairs\\), mean loss .*"),
                lines[1]);
    }
}
