package io.jgrok.figures;

import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Annotation;
import org.knowm.xchart.internal.series.Series;

import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * The paper's three phases on an epoch axis: a dashed line at each phase boundary the analysis found (end of
 * memorization, of circuit formation, of cleanup), whichever of them exist, and each phase's name inside it where
 * both of its ends are known (memorization starts at epoch 0). A run that has not grokked has only some of the
 * boundaries; a phase with an unknown end is not named, since where it ends is exactly what is not known.
 *
 * <p>A name goes in the highest free slot of its phase: the first position from the top of the plot where its box
 * crosses no curve (loss curves run along the top while the test loss is high, accuracy curves along 100%). If no
 * slot is free it sits at the top on a translucent white patch. A name that does not fit its phase's width is left
 * out rather than drawn over its neighbour.
 */
final class PhaseMarks extends Annotation {
    private static final Color LINE = new Color(0x555555);
    private static final Color LABEL_BACKGROUND = new Color(255, 255, 255, 170);
    static final String[] NAMES = {"memorization", "circuit formation", "cleanup"};
    /** Space kept between a name's box and the curves, the frame and the phase lines, in pixels. */
    private static final double MARGIN = 3;

    private final Long[] boundaries;
    private final List<Placed> placed = new ArrayList<>();

    /** A phase name and the box it was drawn in (screen coordinates of the last paint). */
    record Placed(String name, Rectangle2D box) {
    }

    PhaseMarks(Long memorizationEnd, Long circuitFormationEnd, Long cleanupEnd) {
        super(false);
        this.boundaries = new Long[] {memorizationEnd, circuitFormationEnd, cleanupEnd};
    }

    static PhaseMarks of(Phases p) {
        return new PhaseMarks(p.memorizationEnd(), p.circuitFormationEnd(), p.cleanupEnd());
    }

    /** The names drawn by the last paint, with their boxes. */
    List<Placed> placed() {
        return List.copyOf(placed);
    }

    @Override
    public void paint(Graphics2D g0) {
        placed.clear();
        if (!isVisible) {
            return;
        }
        Graphics2D g = (Graphics2D) g0.create();
        try {
            double top = getYAxisScreenValueForMin();
            double bottom = getYAxisScreenValueForMax();
            double left = getXAxisScreenValueForMin();
            double right = getXAxisScreenValueForMax();
            // Screen x of each boundary; phase i runs from edge[i] to edge[i + 1], edge[0] being epoch 0.
            Double[] edge = new Double[boundaries.length + 1];
            edge[0] = left;
            g.setColor(LINE);
            g.setStroke(Style.DASHED);
            for (int i = 0; i < boundaries.length; i++) {
                if (boundaries[i] == null) {
                    continue;
                }
                double x = getXAxisScreenValue(boundaries[i]);
                if (x < left || x > right) {
                    continue;
                }
                g.draw(new Line2D.Double(x, top, x, bottom));
                edge[i + 1] = x;
            }
            g.setFont(Style.SMALL);
            FontMetrics fm = g.getFontMetrics();
            List<Line2D> curves = curveSegments();
            Rectangle2D plot = new Rectangle2D.Double(left, top, right - left, bottom - top);
            for (int i = 0; i < NAMES.length; i++) {
                if (edge[i] == null || edge[i + 1] == null) {
                    continue;
                }
                double w = fm.stringWidth(NAMES[i]);
                double a = edge[i];
                double b = edge[i + 1];
                if (b - a < w + 4 * MARGIN) {
                    continue;
                }
                Rectangle2D box = freeSlot(plot, (a + b - w) / 2 - MARGIN, w + 2 * MARGIN, fm.getHeight(), curves);
                if (box == null) {
                    // Nowhere clear of the curves: on a translucent patch at the top, so it stays legible.
                    box = new Rectangle2D.Double((a + b - w) / 2 - MARGIN, top + 2, w + 2 * MARGIN, fm.getHeight());
                    g.setColor(LABEL_BACKGROUND);
                    g.fill(box);
                }
                g.setColor(Style.MUTED);
                g.drawString(NAMES[i], (float) (box.getX() + MARGIN), (float) (box.getY() + fm.getAscent()));
                placed.add(new Placed(NAMES[i], box));
            }
        } finally {
            g.dispose();
        }
    }

    /**
     * The highest box of the given x and size inside {@code plot} that keeps {@link #MARGIN} pixels from every
     * segment; null if there is none. Slots are tried from the top down in steps of a quarter of the box height.
     */
    static Rectangle2D freeSlot(Rectangle2D plot, double x, double width, double height, List<Line2D> curves) {
        double step = Math.max(1, height / 4);
        List<Line2D> near = new ArrayList<>();
        for (Line2D c : curves) {
            if (Math.max(c.getX1(), c.getX2()) >= x - MARGIN && Math.min(c.getX1(), c.getX2()) <= x + width + MARGIN) {
                near.add(c);
            }
        }
        for (double y = plot.getMinY() + 2; y + height <= plot.getMaxY() - 2; y += step) {
            Rectangle2D box = new Rectangle2D.Double(x, y, width, height);
            Rectangle2D keepOut = new Rectangle2D.Double(x - MARGIN, y - MARGIN, width + 2 * MARGIN,
                    height + 2 * MARGIN);
            boolean clear = true;
            for (Line2D s : near) {
                if (s.intersects(keepOut)) {
                    clear = false;
                    break;
                }
            }
            if (clear) {
                return box;
            }
        }
        return null;
    }

    /** Every series of the chart as screen-space segments (points outside a log axis's range are skipped). */
    private List<Line2D> curveSegments() {
        List<Line2D> out = new ArrayList<>();
        for (Object o : chart.getSeriesMap().values()) {
            if (!(o instanceof XYSeries s) || !((Series) s).isEnabled()) {
                continue;
            }
            double[] x = s.getXData();
            double[] y = s.getYData();
            double px = Double.NaN;
            double py = Double.NaN;
            for (int i = 0; i < x.length; i++) {
                if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
                    px = Double.NaN;
                    continue;
                }
                double sx = getXAxisScreenValue(x[i]);
                double sy = getYAxisScreenValue(y[i]);
                if (!Double.isNaN(px)) {
                    out.add(new Line2D.Double(px, py, sx, sy));
                } else {
                    out.add(new Line2D.Double(sx, sy, sx, sy));
                }
                px = sx;
                py = sy;
            }
        }
        return out;
    }

    @Override
    public Rectangle2D getBounds() {
        return new Rectangle2D.Double();
    }
}
