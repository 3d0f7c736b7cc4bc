package io.jgrok.analysis;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.jgrok.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key-frequency rules on hand-made frac_explained matrices (whose answers are known), and what summary.json
 * records of them.
 */
class KeyFrequencyRuleTest {
    /**
     * Six neurons over K = 5 frequencies: two clustered at 2, one at 4; unclustered argmaxes at 1 and 5 (noise); one
     * neuron without variance.
     */
    private static NeuronClusters sample() {
        double[][] rows = {
            {0.01, 0.95, 0.01, 0.01, 0.02},   // k = 2, clustered
            {0.02, 0.90, 0.02, 0.02, 0.02},   // k = 2, clustered
            {0.01, 0.01, 0.01, 0.86, 0.01},   // k = 4, clustered
            {0.30, 0.20, 0.10, 0.10, 0.10},   // argmax 1, not clustered
            {0.10, 0.10, 0.10, 0.10, 0.40},   // argmax 5, not clustered
            {0.00, 0.00, 0.00, 0.00, 0.00},   // no variance: no frequency
        };
        double[] frac = new double[rows.length * 5];
        for (int n = 0; n < rows.length; n++) {
            System.arraycopy(rows[n], 0, frac, n * 5, 5);
        }
        return new NeuronClusters(frac, rows.length, 5);
    }

    @Test
    void defaultKeepsOnlyFrequenciesWithClusteredNeurons() {
        NeuronClusters nc = sample();
        assertArrayEquals(new int[] {2, 4}, nc.clusteredFrequencies());
        assertArrayEquals(new int[] {1, 2, 4, 5}, nc.keyFrequencies(), "the notebook's rule: every argmax");
        KeyFrequencyRule.Choice c = KeyFrequencyRule.CLUSTERED.choose(nc);
        assertArrayEquals(new int[] {2, 4}, c.frequencies());
        assertEquals(KeyFrequencyRule.Kind.CLUSTERED, c.rule());
        assertFalse(c.fallback());
        assertArrayEquals(new int[] {1, 2, 4, 5}, c.notebook());
        assertArrayEquals(new int[] {1, 2, 4, 5}, KeyFrequencyRule.NOTEBOOK.choose(nc).frequencies());
    }

    @Test
    void explicitListsAreCheckedAgainstTheModel() {
        NeuronClusters nc = sample();
        assertArrayEquals(new int[] {3, 5}, KeyFrequencyRule.parse("5, 3").choose(nc).frequencies());
        assertEquals(KeyFrequencyRule.Kind.EXPLICIT, KeyFrequencyRule.parse("5,3").choose(nc).rule());
        assertThrows(UserError.class, () -> KeyFrequencyRule.parse("2,6").choose(nc), "6 > p / 2");
        for (String bad : new String[] {"", "0", "2,2", "two", "1,-3", "clusterd"}) {
            UserError e = assertThrows(UserError.class, () -> KeyFrequencyRule.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--key_freqs must be"), e.getMessage());
        }
        assertEquals(KeyFrequencyRule.Kind.NOTEBOOK, KeyFrequencyRule.parse(" Notebook ").kind());
    }

    @Test
    void withoutClusteredNeuronsTheDefaultFallsBackAndSaysSo() {
        double[] frac = {0.3, 0.2, 0.1, 0.1, 0.2, 0.5};
        NeuronClusters nc = new NeuronClusters(frac, 2, 3);
        KeyFrequencyRule.Choice c = KeyFrequencyRule.CLUSTERED.choose(nc);
        assertTrue(c.fallback());
        assertArrayEquals(new int[] {1, 3}, c.frequencies());
        assertTrue(c.describe().contains("no neuron is clustered"));
    }

    /** summary.json records the rule used and what the other rule gives, and the ablations follow the choice. */
    @Test
    void summaryRecordsTheRuleAndTheOtherRulesAnswer(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        assertEquals(0, io.jgrok.cli.Main.run(new String[] {"train", "--p", "11", "--d_model", "16", "--n_heads", "2", "--d_mlp",
            "32", "--n_epochs", "12", "--checkpoint_every", "6", "--device", "cpu", "--threads", "1", "--out",
            run.toString(), "--quiet"}));
        io.jgrok.io.RunDirectory dir = new io.jgrok.io.RunDirectory(run);
        AnalysisResults nb = Analyzer.run(dir, new Analyzer.Options(null, "cpu", 1, false, sink, sink,
                KeyFrequencyRule.NOTEBOOK, "auto"));
        JsonObject s = new Gson().fromJson(Files.readString(dir.analysis().resolve("summary.json")),
                JsonObject.class);
        JsonObject rule = s.getAsJsonObject("key_frequency_rule");
        assertEquals("notebook", rule.get("used").getAsString());
        assertArrayEquals(ints(s.getAsJsonArray("key_frequencies")), ints(rule.getAsJsonArray("notebook")));
        assertArrayEquals(nb.fin().clusters().clusteredFrequencies(), ints(rule.getAsJsonArray("clustered")));
        assertEquals(nb.keyFrequencies().length, nb.fin().logits().excludedLossPerFrequency().length,
                "ablations at the chosen frequencies");

        AnalysisResults two = Analyzer.run(dir, new Analyzer.Options(null, "cpu", 1, false, sink, sink,
                KeyFrequencyRule.parse("1,3"), "auto"));
        assertArrayEquals(new int[] {1, 3}, two.keyFrequencies());
        s = new Gson().fromJson(Files.readString(dir.analysis().resolve("summary.json")), JsonObject.class);
        assertEquals("explicit", s.getAsJsonObject("key_frequency_rule").get("used").getAsString());
        assertEquals(2, s.getAsJsonObject("ablations").getAsJsonArray("per_frequency").size());
        String csv = Files.readString(dir.analysis().resolve("progress.csv"));
        assertTrue(csv.lines().findFirst().orElseThrow().contains("excluded_loss_k3"), "progress at 1 and 3");
    }

    private static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }
}
