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

/** The sweep figures from a sweep_summary.json as the sweep command writes it. */
class SweepFiguresTest {
    @TempDir
    Path tmp;

    static final String SUMMARY = """
            {"format": "jgrok-sweep-1", "p": 113, "n_epochs": 40000, "runs": [
              {"status": "done", "dir": "a", "seed": 0, "weight_decay": 0.3, "train_fraction": 0.3, "epochs_to_grok": 3100,
               "key_frequencies": [14, 35, 41]},
              {"status": "done", "dir": "b", "seed": 1, "weight_decay": 0.3, "train_fraction": 0.3, "epochs_to_grok": 2800,
               "key_frequencies": [4, 14, 52]},
              {"status": "done", "dir": "c", "seed": 0, "weight_decay": 1.0, "train_fraction": 0.3, "epochs_to_grok": 9000,
               "key_frequencies": [14, 35, 41, 42, 52]},
              {"status": "done", "dir": "d", "seed": 1, "weight_decay": 1.0, "train_fraction": 0.3, "epochs_to_grok": 7000,
               "key_frequencies": [17, 25, 32]},
              {"status": "done", "dir": "e", "seed": 0, "weight_decay": 3.0, "train_fraction": 0.3, "epochs_to_grok": 21000},
              {"status": "done", "dir": "f", "seed": 0, "weight_decay": 1.0, "train_fraction": 0.1, "epochs_to_grok": null},
              {"status": "done", "dir": "g", "seed": 0, "weight_decay": 1.0, "train_fraction": 0.5, "epochs_to_grok": 2500},
              {"status": "done", "dir": "h", "seed": 0, "weight_decay": 1.0, "train_fraction": 0.7, "epochs_to_grok": 300},
              {"status": "failed", "dir": "i", "seed": 2, "weight_decay": 3.0, "train_fraction": 0.3, "epochs_to_grok": null},
              {"status": "pending", "dir": "j", "seed": 3, "weight_decay": 3.0, "train_fraction": 0.3, "epochs_to_grok": null}
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
        assertEquals(10, s.runs().size());
        assertTrue(s.runs().get(0).done());
        assertEquals(List.of("failed", "pending"), s.runs().subList(8, 10).stream().map(SweepSummary.Run::status)
                .toList());
        assertEquals(null, s.runs().get(5).epochsToGrok());
        assertEquals(null, s.runs().get(4).keyFrequencies());
        assertEquals(5, s.runs().get(2).keyFrequencies().length);
        Files.writeString(file, "{\"format\": \"something-else\"}");
        assertThrows(UserError.class, () -> SweepSummary.read(file));
        Files.writeString(file, "{\"format\": \"jgrok-sweep-1\", \"p\": 113, \"runs\": [{\"dir\": \"a\"}]}");
        assertThrows(UserError.class, () -> SweepSummary.read(file));
        Files.writeString(file, SUMMARY.replace("\"status\": \"done\", ", ""));
        assertThrows(UserError.class, () -> SweepSummary.read(file), "runs without a status");
    }

    @Test
    void aParameterWithOneValueGetsNoFigure() {
        SweepSummary s = new SweepSummary(113, 40_000, List.of(
                new SweepSummary.Run("a", "done", 0, 1.0, 0.3, 5000L, new int[] {14}),
                new SweepSummary.Run("b", "done", 1, 1.0, 0.3, 6000L, null)));
        assertEquals(List.of(SweepFigures.KEY_FREQUENCIES), SweepFigures.all(s).stream().map(Figure::name).toList());
    }

    @Test
    void unfinishedRunsAreLeftOutAndSaidSo() throws Exception {
        SweepSummary s = new SweepSummary(113, 40_000, List.of(
                new SweepSummary.Run("a", "done", 0, 0.3, 0.3, 3000L, null),
                new SweepSummary.Run("b", "done", 0, 1.0, 0.3, 8000L, null),
                new SweepSummary.Run("c", "failed", 1, 1.0, 0.3, null, null),
                new SweepSummary.Run("d", "pending", 2, 1.0, 0.3, null, null)));
        Figure f = SweepFigures.all(s).get(0);
        assertEquals(SweepFigures.WEIGHT_DECAY, f.name());
        String svg = FigureFiles.svg(f);
        assertTrue(svg.contains("2 of 4 runs not finished, left out"), "the title says runs were left out");
        SweepFigures.GrokPoints pts = SweepFigures.grokPoints(s, s.runs(), SweepSummary.Run::weightDecay);
        assertEquals(2, pts.left());
        assertEquals(List.of(0.0, 1.0), pts.grokkedX());
        assertEquals(List.of(3000.0, 8000.0), pts.grokkedY());
        assertEquals(List.of(), pts.notGrokkedX(), "no unfinished run is drawn as not grokking");
        assertEquals(List.of(3000.0, 8000.0), pts.medianY(), "the medians are over the finished runs");
    }

    @Test
    void medianCountsRunsThatNeverGrokkedAsSlowest() {
        java.util.ArrayList<Long> v = new java.util.ArrayList<>(java.util.Arrays.asList(3000L, null, 1000L));
        assertEquals(3000.0, SweepFigures.censoredMedian(v), "odd count: the middle one, null sorted last");
        v.add(2000L);
        assertEquals(2500.0, SweepFigures.censoredMedian(v), "even count: mean of the two middle ones");
        assertEquals(null, SweepFigures.censoredMedian(java.util.Arrays.asList(1000L, null, null)),
                "most runs never grokked: no median");
        assertEquals(null, SweepFigures.censoredMedian(java.util.Arrays.asList(1000L, null)),
                "a middle run never grokked: no median");
        assertEquals(null, SweepFigures.censoredMedian(List.of()));
    }
}
