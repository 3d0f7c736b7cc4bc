package io.jgrok.figures;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The frac_explained histogram's legend names only the layers that have neurons: every entry stands for a bar. */
class FracExplainedEmptyLayerTest {
    @Test
    void aLayerWithoutNeuronsHasNoLegendEntry() {
        int[] shown = {4, 7};
        double[][] counts = new double[shown.length + 1][ClusterFigures.BINS];
        counts[0][30] = 5;   // k = 4
        counts[1][36] = 12;  // k = 7; no neuron of another frequency, as in a p = 23 model
        XYChart c = ClusterFigures.chart(counts, shown, 0.85, 12, 1000, 480);
        List<String> legend = c.getSeriesMap().values().stream().filter(XYSeries::isShowInLegend)
                .map(XYSeries::getName).toList();
        assertEquals(List.of("k = 7", "k = 4"), legend);

        counts[2][10] = 1;
        c = ClusterFigures.chart(counts, shown, 0.85, 12, 1000, 480);
        legend = c.getSeriesMap().values().stream().filter(XYSeries::isShowInLegend).map(XYSeries::getName).toList();
        assertEquals(List.of("other frequencies", "k = 7", "k = 4"), legend);
    }
}
