package io.jgrok.torch;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.jgrok.InProcessCli;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code analyze --agop on} of imported runs (no saved gradients; checkpoints that need not start at epoch 0, or a
 * single model): the measures are written, and the heatmaps name each moment truly: a first checkpoint after epoch 0
 * is not "initialisation", and one checkpoint is drawn once (not once as the start and again as the end).
 */
class ImportedRunAgopTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "paper_training.pth, 1",
        "tl_demo.pth, 3",
    })
    void agopOnWorksAndTheHeatmapMomentsAreTrue(String name, int checkpoints) throws Exception {
        Path out = tmp.resolve("run");
        assertEquals(0, InProcessCli.run("import", Fixtures.file(name).toString(), "--out", out.toString(),
                "--quiet").code());
        InProcessCli.Result a = InProcessCli.run("analyze", out.toString(), "--device", "cpu", "--agop", "on",
                "--quiet");
        assertEquals(0, a.code(), a.err());
        RunDirectory dir = new RunDirectory(out);
        JsonObject agop = new Gson().fromJson(Files.readString(dir.analysis().resolve("summary.json")),
                JsonObject.class).getAsJsonObject("agop");
        assertEquals(checkpoints, agop.get("n_checkpoints").getAsInt());
        assertTrue(agop.getAsJsonObject("final").get("nfm_correlation").isJsonPrimitive(), agop.toString());

        JsonArray heatmaps = agop.getAsJsonArray("heatmaps");
        Set<Long> epochs = new HashSet<>();
        for (JsonElement e : heatmaps) {
            JsonObject h = e.getAsJsonObject();
            long epoch = h.get("epoch").getAsLong();
            assertTrue(epochs.add(epoch), "checkpoint " + epoch + " drawn twice: " + heatmaps);
            if (epoch != 0) {
                assertFalse(h.get("moment").getAsString().contains("initialisation"), heatmaps.toString());
            }
        }
        JsonObject last = heatmaps.get(heatmaps.size() - 1).getAsJsonObject();
        assertTrue(last.get("moment").getAsString().endsWith("final"), heatmaps.toString());
        assertEquals(agop.get("reference_epoch").getAsLong(), last.get("epoch").getAsLong());

        InProcessCli.Result f = InProcessCli.run("figures", out.toString());
        assertEquals(0, f.code(), f.err());
        String report = Files.readString(dir.report(), StandardCharsets.UTF_8);
        assertTrue(report.contains("<h2 id=\"agop\">"), "AGOP section");
    }
}
