package io.jgrok.figures;

import java.awt.BasicStroke;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A matrix drawn as coloured cells with Java2D (XChart's heat map draws one shape per cell and has no colour bar
 * ticks we can control): row 0 at the top, like a printed matrix. The cells are one bitmap scaled with
 * nearest-neighbour sampling, so a 113 x 113 map stays a handful of bytes in the SVG and sharp in the PNG. Around it:
 * a title, tick labels with optional leader lines (named Fourier components sit one cell apart and are spread out so
 * that none overlap), axis titles and a colour bar with its own ticks and title.
 */
final class Heatmap {
    /** A labelled position along an axis: the centre of cell {@code cell}; emphasised labels are drawn bold. */
    record Tick(int cell, String label, boolean emphasised) {
    }

    /** An axis: its title and ticks; {@code named} axes (text labels) are spread apart with leader lines. */
    record Axis(String title, List<Tick> ticks, boolean named) {
    }

    private static final int TICK_LENGTH = 4;
    private static final int LEADER = 12;
    private static final int BAR_WIDTH = 14;
    private static final int GAP = 10;

    private final float[] values;
    private final int rows;
    private final int cols;
    private final ColorMap map;
    private final double lo;
    private final double hi;
    private final String barTitle;

    private Heatmap(float[] values, int rows, int cols, ColorMap map, double lo, double hi, String barTitle) {
        if (values.length != rows * cols) {
            throw new IllegalArgumentException(rows + " x " + cols + " heatmap given " + values.length + " values");
        }
        this.values = values;
        this.rows = rows;
        this.cols = cols;
        this.map = map;
        this.lo = lo;
        this.hi = hi > lo ? hi : lo + 1;
        this.barTitle = barTitle;
    }

    /** A map coloured over the data's own range (symmetric about 0 for the diverging map). */
    static Heatmap of(float[] values, int rows, int cols, ColorMap map, String barTitle) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : values) {
            if (Float.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (min > max) {
            min = 0;
            max = 1;
        }
        if (map == ColorMap.DIVERGING) {
            double m = Math.max(Math.abs(min), Math.abs(max));
            return new Heatmap(values, rows, cols, map, -m, m, barTitle);
        }
        return new Heatmap(values, rows, cols, map, min, max, barTitle);
    }

    /** The same map coloured over [lo, hi]; values outside are clamped to the end colours. */
    Heatmap range(double lo, double hi) {
        return new Heatmap(values, rows, cols, map, lo, hi, barTitle);
    }

    double lo() {
        return lo;
    }

    double hi() {
        return hi;
    }

    /** Numeric ticks 0, step, 2 step, ... over n cells, with a round step giving at most about 7 labels. */
    static List<Tick> numericTicks(int n) {
        int step = 1;
        for (int s : new int[] {1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000}) {
            step = s;
            if (n / s <= 6) {
                break;
            }
        }
        List<Tick> ticks = new ArrayList<>();
        for (int i = 0; i < n; i += step) {
            ticks.add(new Tick(i, Integer.toString(i), false));
        }
        return ticks;
    }

    /**
     * Paints into {@code box}; {@code squareCells} keeps cells square (for p x p maps over a, b). Returns where the
     * cells went.
     */
    Rectangle2D paint(Graphics2D g0, Rectangle2D box, String title, Axis x, Axis y, boolean squareCells) {
        Graphics2D g = (Graphics2D) g0.create();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            FontMetrics tick = g.getFontMetrics(Style.TICK);
            FontMetrics axisFont = g.getFontMetrics(Style.AXIS_TITLE);
            FontMetrics titleFont = g.getFontMetrics(Style.PANEL_TITLE);

            double top = box.getY() + (title == null ? 4 : titleFont.getHeight() + 8);
            double yLabels = maxWidth(tick, y.ticks()) + TICK_LENGTH + 4 + (y.named() ? LEADER : 0);
            double left = box.getX() + axisFont.getHeight() + 4 + yLabels;
            double xLabels = x.named() ? maxWidth(tick, x.ticks()) + TICK_LENGTH + 4 + LEADER
                    : tick.getHeight() + TICK_LENGTH + 2;
            double bottom = box.getMaxY() - axisFont.getHeight() - 6 - xLabels;
            List<String> barLabels = new ArrayList<>();
            List<Double> barValues = niceTicks(lo, hi, 5);
            for (double v : barValues) {
                barLabels.add(format(v, barValues));
            }
            double barLabelWidth = 0;
            for (String s : barLabels) {
                barLabelWidth = Math.max(barLabelWidth, tick.stringWidth(s));
            }
            double right = box.getMaxX() - (GAP + BAR_WIDTH + TICK_LENGTH + 4 + barLabelWidth
                    + (barTitle == null ? 0 : axisFont.getHeight() + 6));
            double gw = Math.max(10, right - left);
            double gh = Math.max(10, bottom - top);
            if (squareCells) {
                // Cells a whole number of device pixels wide in the 2x PNG (half CSS pixels), so that every cell of
                // a fine checkerboard comes out the same size.
                double cell = Math.min(gw / cols, gh / rows);
                if (cell >= 1) {
                    cell = Math.floor(cell * FigureFiles.PNG_SCALE) / FigureFiles.PNG_SCALE;
                }
                gw = cell * cols;
                gh = cell * rows;
            }
            Rectangle2D grid = new Rectangle2D.Double(left, top, gw, gh);

            if (title != null) {
                g.setFont(Style.PANEL_TITLE);
                g.setColor(Style.TEXT);
                float tw = titleFont.stringWidth(title);
                double cx = Math.max(box.getX(), Math.min(grid.getCenterX() - tw / 2, box.getMaxX() - tw));
                g.drawString(title, (float) cx, (float) (box.getY() + titleFont.getAscent() + 2));
            }
            drawCells(g, grid);
            g.setColor(Style.FRAME);
            g.setStroke(new BasicStroke(1f));
            g.draw(grid);
            drawXAxis(g, grid, x, tick, axisFont);
            drawYAxis(g, grid, y, tick, axisFont, box.getX());
            drawBar(g, new Rectangle2D.Double(grid.getMaxX() + GAP, grid.getY(), BAR_WIDTH, grid.getHeight()),
                    barValues, barLabels, tick, axisFont);
            return grid;
        } finally {
            g.dispose();
        }
    }

    private void drawCells(Graphics2D g, Rectangle2D grid) {
        BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                img.setRGB(c, r, map.rgb((values[r * cols + c] - lo) / (hi - lo)));
            }
        }
        Graphics2D gi = (Graphics2D) g.create();
        gi.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        // Scale the graphics rather than pass a transform to drawImage: vector back ends then keep the bitmap as
        // it is (one pixel per cell) instead of resampling it.
        gi.translate(grid.getX(), grid.getY());
        gi.scale(grid.getWidth() / cols, grid.getHeight() / rows);
        gi.drawImage(img, 0, 0, null);
        gi.dispose();
    }

    private void drawXAxis(Graphics2D g, Rectangle2D grid, Axis axis, FontMetrics fm, FontMetrics axisFont) {
        double cellW = grid.getWidth() / cols;
        double edge = grid.getMaxY();
        double[] want = new double[axis.ticks().size()];
        for (int i = 0; i < want.length; i++) {
            want[i] = grid.getX() + (axis.ticks().get(i).cell() + 0.5) * cellW;
        }
        double labelEnd;
        g.setStroke(new BasicStroke(1f));
        if (axis.named()) {
            double[] at = LabelSpreader.spread(want, fm.getHeight() - 1, grid.getX() - 40, grid.getMaxX() + 40);
            double maxW = 0;
            for (int i = 0; i < want.length; i++) {
                Tick t = axis.ticks().get(i);
                g.setColor(Style.FRAME);
                g.draw(new Line2D.Double(want[i], edge, want[i], edge + TICK_LENGTH));
                g.draw(new Line2D.Double(want[i], edge + TICK_LENGTH, at[i], edge + TICK_LENGTH + LEADER));
                Font f = t.emphasised() ? Style.TICK.deriveFont(Font.BOLD) : Style.TICK;
                g.setFont(f);
                g.setColor(t.emphasised() ? Style.BLACK : Style.TEXT);
                // Vertical text reading bottom to top, ending at the leader, its centre line on the leader's end.
                double tw = g.getFontMetrics(f).stringWidth(t.label());
                Graphics2D gr = (Graphics2D) g.create();
                gr.translate(at[i] + fm.getAscent() / 2.0 - 1, edge + TICK_LENGTH + LEADER + 3 + tw);
                gr.rotate(-Math.PI / 2);
                gr.drawString(t.label(), 0, 0);
                gr.dispose();
                maxW = Math.max(maxW, g.getFontMetrics(f).stringWidth(t.label()));
            }
            labelEnd = edge + TICK_LENGTH + LEADER + 3 + maxW;
        } else {
            g.setFont(Style.TICK);
            for (int i = 0; i < want.length; i++) {
                Tick t = axis.ticks().get(i);
                g.setColor(Style.FRAME);
                g.draw(new Line2D.Double(want[i], edge, want[i], edge + TICK_LENGTH));
                g.setColor(Style.TEXT);
                g.drawString(t.label(), (float) (want[i] - fm.stringWidth(t.label()) / 2.0),
                        (float) (edge + TICK_LENGTH + 2 + fm.getAscent()));
            }
            labelEnd = edge + TICK_LENGTH + 2 + fm.getHeight();
        }
        if (axis.title() != null) {
            g.setFont(Style.AXIS_TITLE);
            g.setColor(Style.TEXT);
            g.drawString(axis.title(), (float) (grid.getCenterX() - axisFont.stringWidth(axis.title()) / 2.0),
                    (float) (labelEnd + 4 + axisFont.getAscent()));
        }
    }

    private void drawYAxis(Graphics2D g, Rectangle2D grid, Axis axis, FontMetrics fm, FontMetrics axisFont,
                           double boxLeft) {
        double cellH = grid.getHeight() / rows;
        double edge = grid.getX();
        double[] want = new double[axis.ticks().size()];
        for (int i = 0; i < want.length; i++) {
            want[i] = grid.getY() + (axis.ticks().get(i).cell() + 0.5) * cellH;
        }
        double[] at = axis.named()
                ? LabelSpreader.spread(want, fm.getHeight() - 1, grid.getY() - 20, grid.getMaxY() + 20) : want;
        double lead = axis.named() ? LEADER : 0;
        g.setStroke(new BasicStroke(1f));
        for (int i = 0; i < want.length; i++) {
            Tick t = axis.ticks().get(i);
            g.setColor(Style.FRAME);
            g.draw(new Line2D.Double(edge - TICK_LENGTH, want[i], edge, want[i]));
            if (lead > 0) {
                g.draw(new Line2D.Double(edge - TICK_LENGTH - lead, at[i], edge - TICK_LENGTH, want[i]));
            }
            Font f = t.emphasised() ? Style.TICK.deriveFont(Font.BOLD) : Style.TICK;
            g.setFont(f);
            g.setColor(t.emphasised() ? Style.BLACK : Style.TEXT);
            FontMetrics m = g.getFontMetrics(f);
            g.drawString(t.label(), (float) (edge - TICK_LENGTH - lead - 3 - m.stringWidth(t.label())),
                    (float) (at[i] + m.getAscent() / 2.0 - 1));
        }
        if (axis.title() != null) {
            Graphics2D gr = (Graphics2D) g.create();
            gr.setFont(Style.AXIS_TITLE);
            gr.setColor(Style.TEXT);
            gr.translate(boxLeft + axisFont.getAscent(), grid.getCenterY() + axisFont.stringWidth(axis.title()) / 2.0);
            gr.rotate(-Math.PI / 2);
            gr.drawString(axis.title(), 0, 0);
            gr.dispose();
        }
    }

    private void drawBar(Graphics2D g, Rectangle2D bar, List<Double> ticks, List<String> labels, FontMetrics fm,
                         FontMetrics axisFont) {
        BufferedImage img = new BufferedImage(1, 256, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 256; i++) {
            img.setRGB(0, 255 - i, map.rgb(i / 255.0));
        }
        Graphics2D gi = (Graphics2D) g.create();
        gi.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        gi.drawImage(img, (int) Math.round(bar.getX()), (int) Math.round(bar.getY()),
                (int) Math.round(bar.getWidth()), (int) Math.round(bar.getHeight()), null);
        gi.dispose();
        g.setColor(Style.FRAME);
        g.setStroke(new BasicStroke(1f));
        g.draw(bar);
        g.setFont(Style.TICK);
        double labelRight = bar.getMaxX();
        for (int i = 0; i < ticks.size(); i++) {
            double y = bar.getMaxY() - (ticks.get(i) - lo) / (hi - lo) * bar.getHeight();
            g.setColor(Style.FRAME);
            g.draw(new Line2D.Double(bar.getMaxX(), y, bar.getMaxX() + TICK_LENGTH, y));
            g.setColor(Style.TEXT);
            g.drawString(labels.get(i), (float) (bar.getMaxX() + TICK_LENGTH + 3), (float) (y + fm.getAscent() / 2.0 - 1));
            labelRight = Math.max(labelRight, bar.getMaxX() + TICK_LENGTH + 3 + fm.stringWidth(labels.get(i)));
        }
        if (barTitle != null) {
            Graphics2D gr = (Graphics2D) g.create();
            gr.setFont(Style.AXIS_TITLE);
            gr.setColor(Style.TEXT);
            gr.translate(labelRight + 6 + axisFont.getAscent(), bar.getCenterY() + axisFont.stringWidth(barTitle) / 2.0);
            gr.rotate(-Math.PI / 2);
            gr.drawString(barTitle, 0, 0);
            gr.dispose();
        }
    }

    private static double maxWidth(FontMetrics fm, List<Tick> ticks) {
        double w = 0;
        for (Tick t : ticks) {
            w = Math.max(w, fm.stringWidth(t.label()) * (t.emphasised() ? 1.1 : 1.0));
        }
        return w;
    }

    /** Round values (1, 2, 5 x 10^n steps) within [lo, hi], about {@code target} of them. */
    static List<Double> niceTicks(double lo, double hi, int target) {
        double span = hi - lo;
        double raw = span / Math.max(1, target);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            step = m * mag;
            if (span / step <= target) {
                break;
            }
        }
        List<Double> out = new ArrayList<>();
        double first = Math.ceil(lo / step - 1e-9) * step;
        for (double v = first; v <= hi + step * 1e-9; v += step) {
            out.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
        }
        return out;
    }

    /** Formats a colour-bar tick with as many decimals as the step between ticks needs. */
    static String format(double v, List<Double> ticks) {
        double step = ticks.size() > 1 ? Math.abs(ticks.get(1) - ticks.get(0)) : Math.abs(v);
        double a = Math.max(Math.abs(v), step);
        if (a >= 1e5 || (a > 0 && a < 1e-3)) {
            return String.format(Locale.ROOT, "%.1e", v).replace("e-0", "e-").replace("e+0", "e");
        }
        // As many decimals as the step has (2.5 needs one, 0.25 two), so that no tick label is rounded.
        int decimals = 0;
        while (decimals < 6 && Math.abs(step * Math.pow(10, decimals) - Math.rint(step * Math.pow(10, decimals)))
                > 1e-6 * Math.pow(10, decimals)) {
            decimals++;
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v).replace('-', '\u2212');
    }

}
