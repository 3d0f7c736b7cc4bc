package io.jgrok.figures;

import io.jgrok.UserError;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sweep figures from a sweep_summary.json in the proposed format (no sweep command exists yet). */
class SweepFiguresTest {
    @TempDir
    Path tmp;

    static final String SUMMARY = """
            {"format": "jgrok-sweep-1", "p": 113, "n_epochs": 40000, "runs": [
              {"dir": "a", "seed": 0, "weight_decay": 0.3, "train_fraction": 0.3, "epochs_to_grok": 3100,
               "key_frequencies": [14, 35, 41]},
              {"dir": "b", "seed": 1, "weight_decay": 0.3, "train_fraction": 0.3, "epochs_to_grok": 2800,
               "key_frequencies": [4, 14, 52]},
              {"dir": "c", "seed": 0, "weight_decay": 1.0, "train_fraction": 0.3, "epochs_to_grok": 9000,
               "key_frequencies": [14, 35, 41, 42, 52]},
              {"dir": "d", "seed": 1, "weight_decay": 1.0, "train_fraction": 0.3, "epochs_to_grok": 7000,
               "key_frequencies": [17, 25, 32]},
              {"dir": "e", "seed": 0, "weight_decay": 3.0, "train_fraction": 0.3, "epochs_to_grok": 21000},
              {"dir": "f", "seed": 0, "weight_decay": 1.0, "train_fraction": 0.1, "epochs_to_grok": null},
              {"dir": "g", "seed": 0, "weight_decay": 1.0, "train_fraction": 0.5, "epochs_to_grok": 2500},
              {"dir": "h", "seed": 0, "weight_decay": 1.0, "train_fraction": 0.7, "epochs_to_grok": 300}
            ]}
            """;

    @Test
    void aSweepDirectoryGetsTheSweepFiguresAndAReport() throws Exception {
        Path root = tmp.resolve("sweep");
        Files.createDirectories(root);
        Files.writeString(root.resolve(SweepSummary.FILE), SUMMARY);
        Figures.Result r = Figures.run(new RunDirectory(root), new Figures.Options(false,
                new PrintStream(new ByteArrayOutputStream())));
        assertEquals(List.of(SweepFigures.WEIGHT_DECAY, SweepFigures.TRAIN_FRACTION, SweepFigures.KEY_FREQUENCIES),
                r.figures().stream().map(Figure::name).toList());
        String html = Files.readString(r.report());
        for (Figure f : r.figures()) {
            Images.assertPng(root.resolve("figures").resolve(f.pngFile()), f.pngWidth(), f.pngHeight());
            Images.assertSvg(root.resolve("figures").resolve(f.svgFile()), f.width(), f.height());
            assertTrue(html.contains("figures/" + f.pngFile()), f.name());
        }
    }

    @Test
    void readsTheProposedFormat() throws Exception {
        Path file = tmp.resolve(SweepSummary.FILE);
        Files.writeString(file, SUMMARY);
        SweepSummary s = SweepSummary.read(file);
        assertEquals(113, s.p());
        assertEquals(40_000, s.nEpochs());
        assertEquals(8, s.runs().size());
        assertEquals(null, s.runs().get(5).epochsToGrok());
        assertEquals(null, s.runs().get(4).keyFrequencies());
        assertEquals(5, s.runs().get(2).keyFrequencies().length);
        Files.writeString(file, "{\"format\": \"something-else\"}");
        assertThrows(UserError.class, () -> SweepSummary.read(file));
        Files.writeString(file, "{\"format\": \"jgrok-sweep-1\", \"p\": 113, \"runs\": [{\"dir\": \"a\"}]}");
        assertThrows(UserError.class, () -> SweepSummary.read(file));
    }

    @Test
    void aParameterWithOneValueGetsNoFigure() {
        SweepSummary s = new SweepSummary(113, 40_000, List.of(
                new SweepSummary.Run("a", 0, 1.0, 0.3, 5000L, new int[] {14}),
                new SweepSummary.Run("b", 1, 1.0, 0.3, 6000L, null)));
        assertEquals(List.of(SweepFigures.KEY_FREQUENCIES), SweepFigures.all(s).stream().map(Figure::name).toList());
    }
}
