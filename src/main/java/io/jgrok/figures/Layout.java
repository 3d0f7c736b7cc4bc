package io.jgrok.figures;

import org.knowm.xchart.internal.chartpart.Chart;

import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;

/** Figure-level layout: a title band across the top and a grid of equal panels below it. */
final class Layout {
    /** Height of the figure title band. */
    static final int TITLE_BAND = 34;

    private Layout() {
    }

    /** Draws the figure title centred in the band and returns the area below it. */
    static Rectangle2D title(Graphics2D g, String title, int width, int height) {
        g.setFont(Style.TITLE);
        g.setColor(Style.TEXT);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(title, (float) ((width - fm.stringWidth(title)) / 2.0), (float) (8 + fm.getAscent()));
        return new Rectangle2D.Double(0, TITLE_BAND, width, height - TITLE_BAND);
    }

    /** Panel rectangles of a rows x cols grid over {@code area}, row by row. */
    static Rectangle2D[] grid(Rectangle2D area, int rows, int cols) {
        Rectangle2D[] out = new Rectangle2D[rows * cols];
        double w = area.getWidth() / cols;
        double h = area.getHeight() / rows;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = new Rectangle2D.Double(area.getX() + c * w, area.getY() + r * h, w, h);
            }
        }
        return out;
    }

    /** Paints an XChart chart into a rectangle (the chart draws in its own coordinates from (0, 0)). */
    static void chart(Graphics2D g, Chart<?, ?> chart, Rectangle2D r) {
        Graphics2D c = (Graphics2D) g.create();
        try {
            c.translate(Math.round(r.getX()), Math.round(r.getY()));
            int w = (int) Math.floor(r.getWidth());
            int h = (int) Math.floor(r.getHeight());
            c.clipRect(0, 0, w, h);
            chart.paint(c, w, h);
        } finally {
            c.dispose();
        }
    }

    /** Grey text for a note under a title or beside a map. */
    static void note(Graphics2D g, String text, double x, double y) {
        g.setFont(Style.SMALL);
        g.setColor(Style.MUTED);
        g.drawString(text, (float) x, (float) y);
    }
}
