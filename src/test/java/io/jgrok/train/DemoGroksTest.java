package io.jgrok.train;

import io.jgrok.analysis.AnalysisResults;
import io.jgrok.analysis.Analyzer;
import io.jgrok.analysis.LogitMeasures;
import io.jgrok.cli.TrainFlags;
import io.jgrok.config.RunConfig;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * README promises that {@code make demo} groks in about a minute: the model memorises its training pairs first,
 * generalises much later, and the analysis finds a few clean key frequencies. This trains the Makefile's own
 * DEMO_FLAGS (read from the Makefile, so the two cannot drift apart) for the first 1,200 of its 2,500 epochs, far
 * enough to see both phases (it reaches 99% test accuracy near epoch 930), and checks each promise.
 */
class DemoGroksTest {
    /** Epochs trained here: the demo reaches 99% test accuracy near 930 (926-943 over threads and BLAS). */
    private static final int EPOCHS = 1200;

    @TempDir
    Path tmp;

    @Test
    void theDemoMemorisesFirstThenGroksAndTheAnalysisFindsAFewKeyFrequencies() throws IOException {
        Map<String, String> flags = demoFlags(Path.of("Makefile"));
        flags.put("n_epochs", Integer.toString(EPOCHS));
        flags.put("checkpoint_every", "300");
        flags.put("threads", "2");
        flags.put("device", "cpu");
        RunConfig config = new TrainFlags().resolve(flags);
        assertEquals(0, config.seed(), "the demo is README's seed-0 run");

        RunDirectory dir = new RunDirectory(tmp.resolve("demo"));
        Trainer.Outcome out = Trainer.start(config, dir, null, null, false, TrainerTest.quiet());
        assertEquals(Trainer.Status.DONE, out.status());
        History h = History.read(dir.history());
        double chance = Math.log(config.p());

        // Memorisation: every training pair right within 150 epochs, while the test set stays mostly wrong and its
        // loss climbs far above chance.
        int trainPerfect = firstEpoch(h, true, 1.0);
        assertTrue(trainPerfect < 150, "train accuracy 100% at epoch " + trainPerfect);
        assertTrue(h.testAcc(300) < 0.6, "test accuracy at epoch 300 is " + h.testAcc(300));
        assertTrue(h.testLoss(300) > 1.5 * chance, "test loss at epoch 300 is " + h.testLoss(300));

        // Grokking: much later, test accuracy reaches 99% and the test loss falls far below chance.
        int groks = firstEpoch(h, false, 0.99);
        assertTrue(groks > 3 * trainPerfect && groks < EPOCHS, "test accuracy 99% at epoch " + groks);
        assertTrue(h.testLoss(EPOCHS - 1) < 1e-3, "final test loss " + h.testLoss(EPOCHS - 1));

        // The mechanism: a handful of key frequencies carry the logits. Keeping only them loses nothing; removing
        // them leaves the training pairs worse than chance.
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        AnalysisResults r = Analyzer.run(dir, new Analyzer.Options(null, "cpu", 2, false, sink, sink));
        int nKey = r.keyFrequencies().length;
        assertTrue(nKey >= 2 && nKey <= 6, nKey + " key frequencies");
        assertTrue(r.fin().clusters().clusteredFraction() > 0.5,
                "clustered fraction " + r.fin().clusters().clusteredFraction());
        LogitMeasures m = r.fin().logits();
        assertTrue(m.restrictedLoss() <= m.lossAll(), "restricted " + m.restrictedLoss() + " vs " + m.lossAll());
        assertTrue(m.excludedLoss() > chance, "excluded loss " + m.excludedLoss() + ", chance " + chance);
    }

    /** The demo's train flags, from the Makefile's line {@code DEMO_FLAGS = --flag value ...}. */
    static Map<String, String> demoFlags(Path makefile) throws IOException {
        for (String line : Files.readAllLines(makefile)) {
            if (line.startsWith("DEMO_FLAGS")) {
                String[] words = line.substring(line.indexOf('=') + 1).trim().split("\\s+");
                assertEquals(0, words.length % 2, "DEMO_FLAGS must be --flag value pairs: " + line);
                Map<String, String> flags = new LinkedHashMap<>();
                for (int i = 0; i < words.length; i += 2) {
                    assertTrue(words[i].startsWith("--"), "not a flag: " + words[i]);
                    flags.put(words[i].substring(2), words[i + 1]);
                }
                return flags;
            }
        }
        return fail("no DEMO_FLAGS line in " + makefile.toAbsolutePath());
    }

    private static int firstEpoch(History h, boolean train, double accuracy) {
        for (int e = 0; e < h.size(); e++) {
            double a = train ? h.trainAcc(e) : h.testAcc(e);
            if (a >= accuracy) {
                return e;
            }
        }
        return fail((train ? "train" : "test") + " accuracy never reached " + accuracy);
    }
}
