package io.jgrok.figures;

import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The softmax-collapse figure and the report's sentence on when collapse set in, on a real trained run whose
 * history's collapse columns are replaced by a known course (none, then float32 collapse from epoch 20, half by 34,
 * float64 from 50), and on a history written before jgrok measured collapse (no figure, no row).
 */
class CollapseReportTest {
    @TempDir
    static Path shared;
    static Path trained;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainOnce() {
        trained = TrainedRun.create(shared.resolve("run")).root();
    }

    /** A fresh copy of the trained run (each test rewrites files in it). */
    private RunDirectory copy(String name) throws IOException {
        Path to = tmp.resolve(name);
        try (Stream<Path> files = Files.walk(trained)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(trained.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return new RunDirectory(to);
    }

    private static History withCollapse(History h, boolean recorded) {
        History out = new History();
        for (int i = 0; i < h.size(); i++) {
            long e = h.epoch(i);
            double c32 = e < 20 ? 0 : Math.min(1, (e - 19) / 30.0);
            double c64 = e < 50 ? 0 : 0.1;
            out.accept(e, h.trainLoss(i), h.trainAcc(i), h.testLoss(i), h.testAcc(i), recorded ? c32 : Double.NaN,
                    recorded ? c64 : Double.NaN);
        }
        return out;
    }

    @Test
    void theReportSaysWhenCollapseSetIn() throws Exception {
        RunDirectory dir = copy("run");
        withCollapse(History.read(dir.history()), true).write(dir.history());
        CollapseOnset onset = CollapseOnset.of(History.read(dir.history()));
        assertEquals(20L, onset.firstF32());
        assertEquals(34L, onset.halfF32());
        assertEquals(50L, onset.firstF64());
        assertNull(onset.halfF64());
        Figures.Result result = Figures.run(dir, new Figures.Options(false, new PrintStream(
                new ByteArrayOutputStream())));
        String report = Files.readString(dir.report(), StandardCharsets.UTF_8);
        assertTrue(report.contains("softmax collapse of the training examples"), "headline row");
        String expected = "float32: from epoch 20, half of the examples by 34, 100% at the end; float64: from epoch "
                + "50, 10% at the end";
        assertTrue(report.contains(expected), "report says when collapse set in: " + expected);
        Figure f = result.figures().stream().filter(x -> x.name().equals(CollapseFigures.NAME)).findFirst()
                .orElseThrow();
        assertTrue(f.caption().contains(expected), f.caption());
        BufferedImage img = ImageIO.read(dir.figures().resolve(f.pngFile()).toFile());
        int green = Images.pixelsOf(img, Style.GREEN.getRGB());
        assertTrue(green >= 200, "the float32 curve is drawn (" + green + " pixels)");
    }

    @Test
    void olderHistoriesGetNoCollapseFigureOrRow() throws Exception {
        RunDirectory dir = copy("old");
        // A history as older jgrok wrote it: without the two collapse columns.
        String json = Files.readString(dir.history());
        String old = json.replaceAll(",\\s*\"softmax_collapse_f32\": \\[[^\\]]*\\]", "")
                .replaceAll(",\\s*\"softmax_collapse_f64\": \\[[^\\]]*\\]", "");
        assertFalse(old.contains("softmax_collapse"));
        Files.writeString(dir.history(), old);
        Figures.Result result = Figures.run(dir, new Figures.Options(false, new PrintStream(
                new ByteArrayOutputStream())));
        assertTrue(result.figures().stream().noneMatch(x -> x.name().equals(CollapseFigures.NAME)));
        String report = Files.readString(dir.report(), StandardCharsets.UTF_8);
        assertFalse(report.contains("softmax collapse of the training examples"));
    }
}
