package io.jgrok.figures;

import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Captions describe a grokking run; for a run that has not grokked they say so before anything else. */
class NotGrokkedCaptionsTest {
    @TempDir
    Path tmp;

    @Test
    void aRunThatHasNotGrokkedIsToldSoInEveryCaption() throws Exception {
        RunDirectory dir = TrainedRun.create(tmp.resolve("run"));
        RunData run = RunData.load(dir);
        assertEquals(null, Headline.epochsToGrok(run.history), "60 epochs of a small model do not grok");
        List<Figure> figures = RunFigures.all(run);
        for (Figure f : figures) {
            assertTrue(f.caption().startsWith("This run has not grokked (its test accuracy never reached 99%)"),
                    f.name() + ": " + f.caption());
        }
        Figure curves = figures.stream().filter(f -> f.name().equals(TrainingFigures.NAME)).findFirst().orElseThrow();
        assertTrue(curves.caption().contains("; in a run that groks, train accuracy reaches 100% early"),
                curves.caption());
        assertTrue(figures.stream().anyMatch(f -> f.caption().contains("in a run that groks, W_L is sparse")),
                "names keep their capitals");
        assertTrue(figures.stream().anyMatch(f -> f.caption().contains("in a run that groks, a few frequencies carry")),
                "a capitalised first word of one letter reads on in lower case too");

        // The same run with a test accuracy that reaches 100%: the plain captions.
        History h = run.history;
        History grokked = new History();
        for (int i = 0; i < h.size(); i++) {
            grokked.accept(h.epoch(i), h.trainLoss(i), h.trainAcc(i), h.testLoss(i), i < h.size() / 2 ? 0.1 : 1.0);
        }
        grokked.write(dir.history());
        for (Figure f : RunFigures.all(RunData.load(dir))) {
            assertFalse(f.caption().contains("not grokked"), f.name() + ": " + f.caption());
        }
    }
}
