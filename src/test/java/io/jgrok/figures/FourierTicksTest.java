package io.jgrok.figures;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Heatmaps over Fourier components name every row and column at small p, and only the key ones at large p. */
class FourierTicksTest {
    @TempDir
    Path tmp;

    @Test
    void atSmallPEveryComponentIsNamedAndTheKeyFrequenciesAreBold() throws Exception {
        RunData run = RunData.load(TrainedRun.create(tmp.resolve("run")));
        assertEquals(23, run.p());
        List<Heatmap.Tick> ticks = MapFigures.FourierTicks.of(run, -1);
        assertEquals(List.of(run.basisLabels), ticks.stream().map(Heatmap.Tick::label).toList(),
                "every row and column of the 23 x 23 logit map is named");
        Set<String> bold = ticks.stream().filter(Heatmap.Tick::emphasised).map(Heatmap.Tick::label)
                .collect(Collectors.toSet());
        assertEquals(2 * run.keyFrequencies.length, bold.size(), bold.toString());
        for (int k : run.keyFrequencies) {
            assertTrue(bold.contains("cos " + k) && bold.contains("sin " + k), k + ": " + bold);
        }
        List<Heatmap.Tick> own = MapFigures.FourierTicks.of(run, run.keyFrequencies[0]);
        assertEquals(23, own.size());
        assertEquals(2, own.stream().filter(Heatmap.Tick::emphasised).count(), "only the cluster's own frequency");
        String svg = FigureFiles.svg(MapFigures.logitFourier(run));
        for (String label : run.basisLabels) {
            assertTrue(svg.contains(">" + label + "</text>"), label + " is drawn");
        }
    }
}
