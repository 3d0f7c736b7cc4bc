package io.jgrok.analysis;

import io.jgrok.InProcessCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A warning of {@code analyze} reaches the user once, in the summary, not also as an early line on stderr. */
class AnalyzeWarningsOnceTest {
    @TempDir
    Path tmp;

    @Test
    void theNoClusteredNeuronWarningIsPrintedOnce() {
        String run = tmp.resolve("run").toString();
        // 300 epochs of a small model: it memorises, no neuron is clustered, the notebook's rule takes over.
        InProcessCli.Result train = InProcessCli.run("train", "--p", "23", "--d_model", "32", "--n_heads", "4",
                "--d_mlp", "64", "--n_epochs", "300", "--device", "cpu", "--quiet", "--out", run);
        assertEquals(0, train.code(), train.err());
        InProcessCli.Result analyze = InProcessCli.run("analyze", run, "--device", "cpu", "--quiet");
        assertEquals(0, analyze.code(), analyze.err());
        String all = analyze.out() + analyze.err();
        assertEquals(1, occurrences(all, "no neuron has frac_explained >= "), all);
        assertEquals(1, occurrences(all, "this model has not generalised"), all);
    }

    private static int occurrences(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
