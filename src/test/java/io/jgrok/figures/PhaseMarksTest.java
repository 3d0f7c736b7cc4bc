package io.jgrok.figures;

import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Phase boundaries on the epoch charts: every boundary that exists is a dashed line (read back from the SVG), a
 * phase is named only where both its ends are known, and names are placed clear of the curves.
 */
class PhaseMarksTest {
    /** How VectorGraphics2D writes {@link Style#DASHED} in an SVG. */
    static final String DASHED_SVG = "stroke-dasharray:7,5";

    @TempDir
    static Path tmp;
    static RunData run;

    @BeforeAll
    static void train() throws Exception {
        RunDirectory dir = TrainedRun.create(tmp.resolve("run"));
        run = RunData.load(dir);
    }

    static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** The SVG's text elements' contents. */
    static String texts(String svg) {
        StringBuilder sb = new StringBuilder();
        Matcher m = Pattern.compile("<text[^>]*>([^<]*)</text>").matcher(svg);
        while (m.find()) {
            sb.append(m.group(1)).append('\n');
        }
        return sb.toString();
    }

    @Test
    void aRunWithoutTheEndOfMemorizationStillGetsItsOtherBoundaries() throws Exception {
        // The example: circuit formation and cleanup ends found, memorization end not.
        Phases phases = new Phases(null, 20L, 45L);
        String curves = FigureFiles.svg(TrainingFigures.curves(run, phases));
        assertEquals(2 * 2, count(curves, DASHED_SVG), "two boundaries in each of two panels");
        String measures = FigureFiles.svg(ProgressFigures.measures(run, phases));
        assertEquals(2 * 4, count(measures, DASHED_SVG), "two boundaries in each of four panels");
        String names = texts(curves);
        assertTrue(names.contains("cleanup"), names);
        assertFalse(names.contains("memorization"), "memorization's end is unknown: " + names);
        assertFalse(names.contains("circuit formation"), "circuit formation's start is unknown: " + names);
    }

    @Test
    void aRunThatNeverGrokkedNamesOnlyMemorization() throws Exception {
        Phases phases = new Phases(25L, null, null);
        String curves = FigureFiles.svg(TrainingFigures.curves(run, phases));
        assertEquals(2, count(curves, DASHED_SVG));
        String names = texts(curves);
        assertTrue(names.contains("memorization"), names);
        assertFalse(names.contains("circuit formation"), "nothing after the end of memorization is known: " + names);
        assertFalse(names.contains("cleanup"), names);
    }

    @Test
    void allThreeBoundariesAreDrawnAndNamed() throws Exception {
        Phases phases = new Phases(20L, 35L, 50L);
        String curves = FigureFiles.svg(TrainingFigures.curves(run, phases));
        assertEquals(3 * 2, count(curves, DASHED_SVG));
        assertEquals(3 * 4, count(FigureFiles.svg(ProgressFigures.measures(run, phases)), DASHED_SVG));
        String names = texts(curves);
        for (String n : PhaseMarks.NAMES) {
            assertTrue(names.contains(n), n + " in " + names);
        }
        assertEquals(0, count(FigureFiles.svg(TrainingFigures.curves(run, new Phases(null, null, null))),
                DASHED_SVG));
    }

    @Test
    void namesAreNotDrawnOverTheCurves() {
        // A curve along the top of the plot (as a high test loss or 100% accuracy runs) and one along the bottom.
        double[] x = new double[61];
        double[] top = new double[61];
        double[] bottom = new double[61];
        for (int i = 0; i <= 60; i++) {
            x[i] = i;
            top[i] = 99 - 0.02 * i;
            bottom[i] = 1 + 0.02 * i;
        }
        PhaseMarks marks = new PhaseMarks(10L, 35L, 55L);
        XYChart c = Style.lineChart(700, 420, "test", "epoch", "value");
        Style.epochAxis(c, 60);
        Style.line(c, "top", x, top, Style.VERMILLION, Style.LINE);
        Style.line(c, "bottom", x, bottom, Style.BLUE, Style.LINE);
        c.addAnnotation(marks);
        paint(c);
        List<PhaseMarks.Placed> placed = marks.placed();
        assertEquals(List.of(PhaseMarks.NAMES), placed.stream().map(PhaseMarks.Placed::name).toList());
        // Paint again without the names and look for curve pixels where the names were.
        marks.setVisible(false);
        BufferedImage curvesOnly = paint(c);
        for (PhaseMarks.Placed p : placed) {
            Rectangle2D box = p.box();
            for (int py = (int) box.getMinY(); py < box.getMaxY(); py++) {
                for (int px = (int) box.getMinX(); px < box.getMaxX(); px++) {
                    Color pixel = new Color(curvesOnly.getRGB(px, py));
                    assertFalse(near(pixel, Style.VERMILLION) || near(pixel, Style.BLUE), p.name() + " at " + box
                            + " covers a curve at (" + px + ", " + py + ")");
                }
            }
        }
    }

    @Test
    void freeSlotIsTheHighestBoxClearOfEverySegment() {
        Rectangle2D plot = new Rectangle2D.Double(0, 0, 200, 100);
        List<Line2D> curves = List.of(new Line2D.Double(0, 10, 200, 10), new Line2D.Double(0, 90, 200, 90));
        Rectangle2D box = PhaseMarks.freeSlot(plot, 50, 40, 12, curves);
        assertNotNull(box);
        assertTrue(box.getMinY() > 10 + 3 && box.getMaxY() < 90 - 3, box.toString());
        assertTrue(box.getMinY() < 20, "the highest free slot, just under the top curve: " + box);
        List<Line2D> everywhere = List.of(new Line2D.Double(50, 0, 90, 100), new Line2D.Double(90, 0, 50, 100));
        assertNull(PhaseMarks.freeSlot(plot, 50, 40, 12, everywhere), "no slot clear of a cross over the box");
        assertNotNull(PhaseMarks.freeSlot(plot, 120, 40, 12, everywhere), "segments elsewhere do not count");
    }

    private static BufferedImage paint(XYChart c) {
        BufferedImage img = new BufferedImage(700, 420, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 700, 420);
        c.paint(g, 700, 420);
        g.dispose();
        return img;
    }

    private static boolean near(Color a, Color b) {
        return Math.abs(a.getRed() - b.getRed()) + Math.abs(a.getGreen() - b.getGreen())
                + Math.abs(a.getBlue() - b.getBlue()) < 60;
    }
}
