package io.jgrok.figures;

import org.knowm.xchart.internal.chartpart.Annotation;

import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;

/**
 * The paper's three phases on an epoch axis: a dashed line at the end of memorization, of circuit formation and of
 * cleanup, and the phase names along the top of the plot, each centred in its phase (a name that does not fit its
 * phase is left out rather than drawn over its neighbour). Missing boundaries (a run that has not grokked) are
 * simply not drawn.
 */
final class PhaseMarks extends Annotation {
    private static final Color LINE = new Color(0x555555);
    private static final Color LABEL_BACKGROUND = new Color(255, 255, 255, 170);
    private static final String[] NAMES = {"memorization", "circuit formation", "cleanup"};
    private final Long[] epochs;

    PhaseMarks(Long memorizationEnd, Long circuitFormationEnd, Long cleanupEnd) {
        super(false);
        this.epochs = new Long[] {memorizationEnd, circuitFormationEnd, cleanupEnd};
    }

    static PhaseMarks of(Phases p) {
        return new PhaseMarks(p.memorizationEnd(), p.circuitFormationEnd(), p.cleanupEnd());
    }

    @Override
    public void paint(Graphics2D g0) {
        if (!isVisible) {
            return;
        }
        Graphics2D g = (Graphics2D) g0.create();
        try {
            double top = getYAxisScreenValueForMin();
            double bottom = getYAxisScreenValueForMax();
            double left = getXAxisScreenValueForMin();
            double right = getXAxisScreenValueForMax();
            double[] xs = new double[epochs.length + 2];
            xs[0] = left;
            int n = 1;
            g.setColor(LINE);
            g.setStroke(Style.DASHED);
            for (Long b : epochs) {
                if (b == null) {
                    break;
                }
                double x = getXAxisScreenValue(b);
                if (x < left || x > right) {
                    break;
                }
                g.draw(new Line2D.Double(x, top, x, bottom));
                xs[n++] = x;
            }
            if (n == 1) {
                return;
            }
            xs[n] = right;
            g.setFont(Style.SMALL);
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i < Math.min(n, NAMES.length); i++) {
                double w = fm.stringWidth(NAMES[i]);
                double a = xs[i];
                double b = xs[i + 1];
                if (b - a > w + 10) {
                    // On a translucent white patch, so the name stays legible where a curve runs along the top.
                    double x = (a + b - w) / 2;
                    g.setColor(LABEL_BACKGROUND);
                    g.fill(new Rectangle2D.Double(x - 3, top + 2, w + 6, fm.getHeight()));
                    g.setColor(Style.MUTED);
                    g.drawString(NAMES[i], (float) x, (float) (top + 2 + fm.getAscent()));
                }
            }
        } finally {
            g.dispose();
        }
    }

    @Override
    public Rectangle2D getBounds() {
        return new Rectangle2D.Double();
    }
}
