package io.jgrok.figures;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.ChartPart;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The frac_explained histogram's legend sits beside the plot, so no histogram's bars can run under it. */
class FracExplainedLegendTest {
    @Test
    void theLegendDoesNotCoverThePlot() throws Exception {
        // A model that has not generalised: its tallest bars at low fractions, where an inside legend would sit.
        int[] shown = {3, 7, 11};
        double[][] counts = new double[shown.length + 1][ClusterFigures.BINS];
        for (int layer = 0; layer < counts.length; layer++) {
            for (int b = 0; b < 12; b++) {
                counts[layer][b] = 10 + b + layer;
            }
        }
        XYChart c = ClusterFigures.chart(counts, shown, 0.85, 60, 1000, 480);
        BufferedImage img = new BufferedImage(1000, 480, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        c.paint(g, 1000, 480);
        g.dispose();
        Rectangle2D plot = part(c, "plot").getBounds();
        // The legend's size is its bounds; where it was drawn is in two package-private fields.
        ChartPart legendPart = part(c, "legend");
        Rectangle2D size = legendPart.getBounds();
        Rectangle2D legend = new Rectangle2D.Double(offset(legendPart, "xOffset"), offset(legendPart, "yOffset"),
                size.getWidth(), size.getHeight());
        assertTrue(legend.getWidth() > 0 && legend.getHeight() > 0, "the legend is drawn: " + legend);
        assertFalse(legend.intersects(plot), "legend " + legend + " overlaps the plot " + plot);
    }

    /** One of XChart's chart parts (its fields are not public). */
    private static ChartPart part(XYChart c, String name) throws Exception {
        java.lang.reflect.Field f = org.knowm.xchart.internal.chartpart.Chart.class.getDeclaredField(name);
        f.setAccessible(true);
        return (ChartPart) f.get(c);
    }

    private static double offset(Object legend, String name) throws Exception {
        java.lang.reflect.Field f = org.knowm.xchart.internal.chartpart.Legend_.class.getDeclaredField(name);
        f.setAccessible(true);
        return f.getDouble(legend);
    }
}
