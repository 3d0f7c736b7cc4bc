package io.jgrok.figures;

import io.jgrok.analysis.Analyzer;
import io.jgrok.analysis.KeyFrequencyRule;
import io.jgrok.figures.TrainingFigures.TimeSeries;
import io.jgrok.io.RunDirectory;
import io.jgrok.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run with a single checkpoint (what {@code jgrok import} makes of one model) analysed with {@code --agop on}:
 * the measures figure shows each measure as a dot, where a line through one point drew nothing at all.
 */
class AgopFiguresOneCheckpointTest {
    @TempDir
    Path tmp;

    static final Rectangle2D PANEL = new Rectangle2D.Double(0, 0, 600, 450);

    /** One panel of the measures figure with a one-point series, with or without the dots. */
    static BufferedImage panel(boolean dots) {
        XYChart c = TimeSeries.chart(PANEL, "one checkpoint", "value", 1000, false, null);
        TimeSeries.add(c, "measure", new double[] {1000}, new double[] {0.5}, 4, false);
        if (dots) {
            AgopFigures.dotsWhenOnePoint(c);
        }
        BufferedImage img = new BufferedImage(600, 450, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        Layout.chart(g, c, PANEL);
        g.dispose();
        return img;
    }

    @Test
    void aOnePointSeriesIsDrawnAsADot() {
        int rgb = Style.series(4).getRGB() & 0xFFFFFF;
        int line = Images.pixelsOf(panel(false), rgb);
        int dot = Images.pixelsOf(panel(true), rgb);
        // The legend's sample is the same in both; the dot (10 px across) adds at least half its area.
        int dotArea = (int) (Math.PI * AgopFigures.DOT_SIZE * AgopFigures.DOT_SIZE / 4);
        assertTrue(dot - line >= dotArea / 2, "without dots " + line + " pixels, with " + dot);
    }

    @Test
    void theHeatmapsTitleFitsTheFigureForOneToFourCheckpoints() {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        g.setFont(Style.TITLE);
        for (int k = 1; k <= 4; k++) {
            int width = Math.min(k, 2) * AgopFigures.PANEL_WIDTH;
            int title = g.getFontMetrics().stringWidth(AgopFigures.heatmapTitle(k));
            assertTrue(title <= width - 20, k + " checkpoints: title " + title + " px in a figure " + width + " wide");
        }
        g.dispose();
    }

    @Test
    void theMeasuresFigureOfASingleCheckpointRunIsDrawn() throws Exception {
        RunDirectory dir = new RunDirectory(tmp.resolve("run"));
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        Trainer.start(TrainedRun.CONFIG, dir, null, null, false, new Trainer.Options(false, sink, sink));
        List<Path> files = dir.checkpointFiles();
        for (Path f : files.subList(0, files.size() - 1)) {
            Files.delete(f);
        }
        Analyzer.run(dir, new Analyzer.Options(null, "cpu", 2, false, sink, sink, KeyFrequencyRule.CLUSTERED, "on"));
        Figures.Result r = Figures.run(dir, new Figures.Options(false, sink));
        Figure m = r.figures().stream().filter(f -> f.name().equals(AgopFigures.MEASURES)).findFirst().orElseThrow();
        Images.assertPng(dir.figures().resolve(m.pngFile()), m.pngWidth(), m.pngHeight());
    }
}
