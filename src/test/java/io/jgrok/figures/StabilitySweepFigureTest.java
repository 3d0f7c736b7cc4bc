package io.jgrok.figures;

import io.jgrok.TestConfigs;
import io.jgrok.config.GradProjection;
import io.jgrok.config.LossFunction;
import io.jgrok.config.RunConfig;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sweep figure of the stability comparison: drawn from the runs' own config and history files when the sweep
 * varies the loss or the projection (done and stopped runs; pending ones left out), with each condition's count of
 * runs that reached 99% test accuracy and their median epoch in the caption; not drawn for other sweeps.
 */
class StabilitySweepFigureTest {
    @TempDir
    Path tmp;

    /** A run directory with the config and a synthetic history: test accuracy reaches 1 at {@code grok} (or never). */
    private static void run(Path root, String name, RunConfig config, Long grok, int epochs) throws Exception {
        RunDirectory dir = new RunDirectory(root.resolve(name));
        Files.createDirectories(dir.logs());
        Files.writeString(dir.config(), config.toJson());
        History h = new History();
        for (int e = 0; e < epochs; e++) {
            double acc = grok != null && e >= grok ? 1.0 : 0.05;
            h.accept(e, 1.0 / (e + 1), 1.0, 2.0, acc, Math.min(1, e / 100.0), 0.0);
        }
        h.write(dir.history());
    }

    private static String row(String dir, String status, double wd) {
        return "{\"status\": \"" + status + "\", \"dir\": \"" + dir + "\", \"seed\": 1, \"weight_decay\": " + wd
                + ", \"train_fraction\": 0.4, \"epochs_to_grok\": null}";
    }

    @Test
    void conditionsAreComparedWhenTheSweepVariesTheMethod() throws Exception {
        Path root = tmp.resolve("sweep");
        RunConfig softmax = TestConfigs.with(TestConfigs.small(7, 8, 2, 16), b -> b.weightDecay = 0);
        RunConfig both = TestConfigs.with(softmax, b -> {
            b.loss = LossFunction.STABLEMAX;
            b.gradProjection = GradProjection.ORTHOGONAL;
        });
        run(root, "a", softmax, null, 300);
        run(root, "b", softmax, null, 300);
        run(root, "c", both, 120L, 300);
        run(root, "d", both, 180L, 250);  // stopped early
        run(root, "e", both, 10L, 300);   // pending: left out
        Files.writeString(root.resolve(SweepSummary.FILE), "{\"format\": \"jgrok-sweep-1\", \"p\": 7, \"n_epochs\": "
                + "300, \"runs\": [" + String.join(",", row("a", "done", 0), row("b", "done", 0), row("c", "done", 0),
                row("d", "interrupted", 0), row("e", "pending", 0)) + "]}");
        Figures.Result r = Figures.run(new RunDirectory(root), new Figures.Options(false,
                new PrintStream(new ByteArrayOutputStream())));
        Figure f = r.figures().stream().filter(x -> x.name().equals(StabilitySweepFigure.NAME)).findFirst()
                .orElseThrow();
        assertTrue(f.caption().contains("softmax, wd 0 0/2"), f.caption());
        assertTrue(f.caption().contains("StableMax + \u22a5Grad, wd 0 2/2 (120)"), f.caption());
        assertTrue(f.caption().contains("1 of the runs were stopped"), f.caption());
        Images.assertPng(root.resolve("figures").resolve(f.pngFile()), f.pngWidth(), f.pngHeight());
        BufferedImage img = ImageIO.read(root.resolve("figures").resolve(f.pngFile()).toFile());
        for (java.awt.Color c : List.of(Style.series(0), Style.series(1))) {
            int n = Images.pixelsOf(img, c.getRGB());
            assertTrue(n >= 100, "median curve in " + Integer.toHexString(c.getRGB()) + " drawn (" + n + " pixels)");
        }
    }

    @Test
    void otherSweepsGetNoStabilityFigure() throws Exception {
        Path root = tmp.resolve("plain");
        RunConfig c = TestConfigs.small(7, 8, 2, 16);
        run(root, "a", c, 50L, 100);
        run(root, "b", TestConfigs.with(c, b -> b.weightDecay = 3), null, 100);
        Files.writeString(root.resolve(SweepSummary.FILE), "{\"format\": \"jgrok-sweep-1\", \"p\": 7, \"n_epochs\": "
                + "100, \"runs\": [" + row("a", "done", 1) + "," + row("b", "done", 3) + "]}");
        Figures.Result r = Figures.run(new RunDirectory(root), new Figures.Options(false,
                new PrintStream(new ByteArrayOutputStream())));
        assertEquals(0, r.figures().stream().filter(x -> x.name().equals(StabilitySweepFigure.NAME)).count());
    }
}
