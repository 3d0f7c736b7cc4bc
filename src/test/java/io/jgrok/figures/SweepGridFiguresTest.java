package io.jgrok.figures;

import org.junit.jupiter.api.Test;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The grokking-time figures of a grid sweep show every run, and their legends name only what they draw. */
class SweepGridFiguresTest {
    /** Weight decay {0.3, 1, 3} x training fraction {0.2, 0.3, 0.5}, two seeds; some runs never grok. */
    static SweepSummary grid() {
        List<SweepSummary.Run> runs = new ArrayList<>();
        double[] decays = {0.3, 1.0, 3.0};
        double[] fractions = {0.2, 0.3, 0.5};
        for (double wd : decays) {
            for (double f : fractions) {
                for (int seed = 1; seed <= 2; seed++) {
                    // 20% of the data groks only once, at weight decay 0.3; the others grok faster with more data.
                    Long grok = null;
                    if (f != 0.2) {
                        grok = Math.round(wd * 4000 / f + 100 * seed);
                    } else if (wd == 0.3 && seed == 1) {
                        grok = 15_000L;
                    }
                    runs.add(new SweepSummary.Run("wd" + wd + "-frac" + f + "-seed" + seed, "done", seed, wd, f, grok,
                            null));
                }
            }
        }
        return new SweepSummary(113, 20_000, runs);
    }

    static int drawn(List<SweepFigures.GrokPoints> groups) {
        return groups.stream().mapToInt(g -> g.grokkedX().size() + g.notGrokkedX().size()).sum();
    }

    @Test
    void everyRunOfTheGridIsDrawnInBothFigures() {
        SweepSummary s = grid();
        assertEquals(18, drawn(SweepFigures.groups(s, SweepSummary.Run::weightDecay,
                SweepSummary.Run::trainFraction)));
        assertEquals(18, drawn(SweepFigures.groups(s, r -> 100 * r.trainFraction(), SweepSummary.Run::weightDecay)));
    }

    @Test
    void theLegendNamesEachGroupAndNothingThatIsNotDrawn() {
        SweepSummary s = grid();
        XYChart c = SweepFigures.grokChart(s, SweepFigures.BY_WEIGHT_DECAY, 900, 500);
        List<String> legend = new ArrayList<>();
        for (XYSeries series : c.getSeriesMap().values()) {
            if (!series.isShowInLegend()) {
                continue;
            }
            legend.add(series.getName());
            boolean markers = series.getMarker() != null && series.getMarker() != SeriesMarkers.NONE;
            boolean line = isLine(series) && series.getXData().length >= 2;
            assertTrue(series.getXData().length > 0 && (markers || line), series.getName() + " is in the legend "
                    + "but draws nothing");
        }
        assertEquals(List.of("20% of pairs for training", "30% of pairs for training", "50% of pairs for training"),
                legend);
        // The 20% group has no median (most of its runs never grok); a one-point median still gets a marker.
        List<SweepFigures.GrokPoints> groups = SweepFigures.groups(s, SweepSummary.Run::weightDecay,
                SweepSummary.Run::trainFraction);
        assertEquals(List.of(), groups.get(0).medianX());
        assertEquals(List.of(0.0, 1.0, 2.0), groups.get(1).medianX());
        List<XYSeries> lines = c.getSeriesMap().values().stream().filter(SweepGridFiguresTest::isLine).toList();
        assertEquals(2, lines.size(), "the 30% and 50% groups' medians");
        for (XYSeries series : lines) {
            assertEquals(SeriesMarkers.DIAMOND, series.getMarker(), series.getName());
        }
    }

    @Test
    void aLoneMedianIsDrawnAsAMarker() {
        SweepSummary s = new SweepSummary(113, 20_000, List.of(
                new SweepSummary.Run("a", "done", 1, 0.3, 0.3, 3000L, null),
                new SweepSummary.Run("b", "done", 1, 1.0, 0.3, null, null)));
        XYChart c = SweepFigures.grokChart(s, SweepFigures.BY_WEIGHT_DECAY, 900, 500);
        XYSeries median = c.getSeriesMap().values().stream()
                .filter(SweepGridFiguresTest::isLine).findFirst()
                .orElseThrow();
        assertEquals(1, median.getXData().length, "one value has a median, the other none");
        assertEquals(SeriesMarkers.DIAMOND, median.getMarker());
        assertFalse(median.isShowInLegend(), "the group's points carry its legend entry");
    }

    /** Series drawn as lines: the chart's default style (unset until it is painted) or Line. */
    private static boolean isLine(XYSeries s) {
        return s.getXYSeriesRenderStyle() == null || s.getXYSeriesRenderStyle() == XYSeries.XYSeriesRenderStyle.Line;
    }
}
