package io.jgrok.figures;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.AxisPair;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.lang.reflect.Field;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Epoch axes are ticked at round epochs, whatever the curves' spacing: a curve with a point at every epoch of a
 * 2,500-epoch run (the demo's) used to be ticked at every 147th point, and labelled "0.1k", "0.3k", ... .
 */
class EpochTicksTest {
    @Test
    void exactLabels() {
        assertEquals("0.25k", Style.epochLabel(250, 2_499));
        assertEquals("1.25k", Style.epochLabel(1_250, 2_499));
        assertEquals("12.5k", Style.epochLabel(12_500, 40_000));
        assertEquals("150", Style.epochLabel(150, 599));
    }

    @Test
    void evenlySpacedCurvesGetRoundTicks() throws Exception {
        for (int epochs : new int[]{100, 600, 2_500, 3_000}) {
            double[] x = new double[epochs];
            double[] y = new double[epochs];
            for (int i = 0; i < epochs; i++) {
                x[i] = i;
                y[i] = Math.exp(-i / 300.0);
            }
            for (boolean log : new boolean[]{false, true}) {
                XYChart c = TrainingFigures.TimeSeries.chart(new Rectangle2D.Double(0, 0, 560, 440), "t", "y",
                        epochs - 1, log, null);
                TrainingFigures.TimeSeries.add(c, "curve", x, y, 0, log);
                List<Double> ticks = epochTicks(c);
                assertTrue(ticks.size() >= 3, epochs + ": " + ticks);
                double step = ticks.get(1) - ticks.get(0);
                assertTrue(isRound(step), epochs + " epochs: tick step " + step + " in " + ticks);
                for (int i = 0; i < ticks.size(); i++) {
                    assertEquals(ticks.get(0) + i * step, ticks.get(i), 1e-9, epochs + ": " + ticks);
                }
                assertEquals(1, c.getSeriesMap().values().stream().filter(s -> s.isShowInLegend()).count(),
                        "the legend shows the curve alone");
            }
        }
    }

    @Test
    void theHiddenSeriesLeavesTheLegendAlone() {
        XYChart c = TrainingFigures.TimeSeries.chart(new Rectangle2D.Double(0, 0, 560, 440), "t", "y", 99, false,
                null);
        for (int k = 0; k < 5; k++) {
            TrainingFigures.TimeSeries.add(c, "curve " + k, new double[]{0, 50, 99}, new double[]{k, k, k}, k, false);
        }
        TrainingFigures.TimeSeries.placeLegend(c);
        assertEquals(Styler.LegendPosition.OutsideS, c.getStyler().getLegendPosition(), "five curves: a row below");
        TrainingFigures.TimeSeries.add(c, "curve 5", new double[]{0, 50, 99}, new double[]{5, 5, 5}, 5, false);
        TrainingFigures.TimeSeries.placeLegend(c);
        assertEquals(Styler.LegendPosition.OutsideE, c.getStyler().getLegendPosition(), "six: a column beside");
    }

    /** 1, 2, 2.5 or 5 times a power of ten. */
    private static boolean isRound(double step) {
        double decade = Math.pow(10, Math.floor(Math.log10(step)));
        double m = step / decade;
        return Math.abs(m - 1) < 1e-9 || Math.abs(m - 2) < 1e-9 || Math.abs(m - 2.5) < 1e-9
                || Math.abs(m - 5) < 1e-9;
    }

    /** The x tick values XChart drew (parsed back from their labels). */
    private static List<Double> epochTicks(XYChart c) throws Exception {
        c.paint(new BufferedImage(560, 440, BufferedImage.TYPE_INT_RGB).createGraphics(), 560, 440);
        Field f = Chart.class.getDeclaredField("axisPair");
        f.setAccessible(true);
        AxisPair<?, ?> axes = (AxisPair<?, ?>) f.get(c);
        return axes.getXAxis().getAxisTickCalculator().getTickLabels().stream()
                .map(EpochTicksTest::epochOf).toList();
    }

    private static double epochOf(String label) {
        return label.endsWith("k") ? 1000 * Double.parseDouble(label.substring(0, label.length() - 1))
                : Double.parseDouble(label);
    }
}
