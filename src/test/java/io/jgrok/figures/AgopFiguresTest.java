package io.jgrok.figures;

import io.jgrok.analysis.Analyzer;
import io.jgrok.io.RunDirectory;
import io.jgrok.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AGOP figures and report section, on a tiny run trained here and analysed with {@code --agop on}. */
class AgopFiguresTest {
    @TempDir
    static Path tmp;
    static RunDirectory dir;
    static Figures.Result result;
    static String report;

    @BeforeAll
    static void drawOnce() throws Exception {
        dir = new RunDirectory(tmp.resolve("run"));
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        Trainer.start(TrainedRun.CONFIG, dir, null, null, false, new Trainer.Options(false, sink, sink));
        Analyzer.run(dir, new Analyzer.Options(null, "cpu", 2, false, sink, sink, io.jgrok.analysis.KeyFrequencyRule.CLUSTERED, "on"));
        result = Figures.run(dir, new Figures.Options(false, sink));
        report = Files.readString(dir.report(), StandardCharsets.UTF_8);
    }

    @Test
    void bothAgopFiguresFollowThePapersFiguresAsPngAndSvg() throws Exception {
        List<String> names = result.figures().stream().map(Figure::name).toList();
        assertEquals(FiguresTest.PAPER_FIGURES.size() + FiguresTest.OTHER_FIGURES.size() + 2, names.size(),
                names.toString());
        assertEquals(List.of(AgopFigures.HEATMAPS, AgopFigures.MEASURES), names.subList(names.size() - 2,
                names.size()));
        for (Figure f : result.figures().subList(names.size() - 2, names.size())) {
            Images.assertPng(dir.figures().resolve(f.pngFile()), f.pngWidth(), f.pngHeight());
            Images.assertSvg(dir.figures().resolve(f.svgFile()), f.width(), f.height());
        }
    }

    @Test
    void theCurvesAndTheHeatmapCellsAreDrawn() throws Exception {
        // The last series of each panel (nothing covers it): restricted loss, b-b deviation, NFM correlation, trace.
        BufferedImage m = ImageIO.read(dir.figures().resolve(AgopFigures.MEASURES + ".png").toFile());
        for (int series : new int[] {3, 5, 6, 7}) {
            Color c = Style.series(series);
            assertTrue(Images.pixelsOf(m, c.getRGB() & 0xFFFFFF) >= 100, "measures lack series colour " + series);
        }
        // Heatmaps: many distinct colours of the diverging map, in every panel (four moments here at most).
        BufferedImage h = ImageIO.read(dir.figures().resolve(AgopFigures.HEATMAPS + ".png").toFile());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < h.getHeight(); y++) {
            for (int x = 0; x < h.getWidth(); x++) {
                int rgb = h.getRGB(x, y) & 0xFFFFFF;
                int r = rgb >> 16 & 255;
                int g = rgb >> 8 & 255;
                int b = rgb & 255;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 40) {
                    colours.add(rgb);
                }
            }
        }
        assertTrue(colours.size() >= 64, "heatmaps show only " + colours.size() + " map colours");
    }

    @Test
    void theReportHasAnAgopSectionWithNumbersAndCaptions() {
        int section = report.indexOf("<h2 id=\"agop\">");
        assertTrue(section > 0, "AGOP section");
        assertTrue(report.indexOf("id=\"" + AgopFigures.HEATMAPS + "\"") > section);
        assertTrue(report.indexOf("id=\"" + AgopFigures.MEASURES + "\"") > section);
        assertTrue(report.indexOf("id=\"key_frequency_amplitudes\"") < section, "the paper's figures come first");
        String paragraph = report.substring(section, report.indexOf("</p>", section));
        assertTrue(paragraph.contains("Pearson correlation") && paragraph.contains("along a + b")
                && paragraph.contains("reaches 0.5") && paragraph.contains("reaches 0.9"), paragraph);
        assertFalse(paragraph.contains("n/a"), paragraph);
        for (Figure f : result.figures()) {
            assertTrue(report.contains(ReportPage.esc(f.caption())), f.name());
        }
    }

    @Test
    void aRunAnalysedWithoutAgopHasNoAgopSection() throws Exception {
        RunDirectory plain = TrainedRun.create(tmp.resolve("plain"));
        Figures.Result r = Figures.run(plain, new Figures.Options(false, new PrintStream(
                new ByteArrayOutputStream())));
        assertTrue(r.figures().stream().noneMatch(AgopFigures::isAgop));
        assertFalse(Files.readString(plain.report()).contains("id=\"agop\""));
    }
}
