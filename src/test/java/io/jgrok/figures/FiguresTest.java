package io.jgrok.figures;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.jgrok.cli.Main;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jgrok figures} on a real (tiny) trained and analysed run: the files, their contents and the report. */
class FiguresTest {
    /** The figures of the paper's figure list (paper-facts.md, "Figures of the paper"), by file stem. */
    static final List<String> PAPER_FIGURES = List.of(
            "training_curves",               // 1: accuracy (linear) and loss (log) with phase lines
            "embed_fourier_norms",           // 2: Fourier-component norms of W_E, cos/sin bars
            "neuron_logit_fourier_norms",    // 3: the same for W_L
            "attention_heads",               // 4: attention from = to a, per head
            "neuron_activations",            // 5: neuron activations over (a, b)
            "logit_fourier_norms",           // 6: 2D Fourier norms of the logits
            "frac_explained_histogram",      // 7: frac_explained histogram
            "cluster_neuron_logit_fourier",  // 7: F W_L for one cluster
            "progress_measures",             // 8: excluded/restricted loss, Gini, weight norm
            "excluded_loss_per_frequency",   // 9: per-frequency excluded loss
            "restricted_excluded_accuracy",  // 9: restricted accuracy
            "key_frequency_amplitudes");     // 9: coefficients of cos(w_k(a+b-c)) over training

    /** Figures beyond the paper's: the softmax-collapse measure (Prieto et al. 2025) beside the losses. */
    static final List<String> OTHER_FIGURES = List.of("softmax_collapse");

    @TempDir
    static Path tmp;
    static RunDirectory dir;
    static Figures.Result result;
    static String report;

    @BeforeAll
    static void drawOnce() throws Exception {
        dir = TrainedRun.create(tmp.resolve("run"));
        result = Figures.run(dir, new Figures.Options(false, new PrintStream(new ByteArrayOutputStream())));
        report = Files.readString(dir.report(), StandardCharsets.UTF_8);
    }

    @Test
    void everyFigureOfThePaperIsDrawn() {
        List<String> names = result.figures().stream().map(Figure::name).toList();
        assertEquals(PAPER_FIGURES.size() + OTHER_FIGURES.size(), names.size(), "figures: " + names);
        assertTrue(names.containsAll(PAPER_FIGURES), "figures: " + names);
        assertTrue(names.containsAll(OTHER_FIGURES), "figures: " + names);
        assertEquals(dir.figures(), result.figuresDir());
    }

    @Test
    void eachFigureIsAPngAndAnSvgOfItsStatedSizeWithContent() throws Exception {
        for (Figure f : result.figures()) {
            Images.assertPng(dir.figures().resolve(f.pngFile()), f.width() * FigureFiles.PNG_SCALE,
                    f.height() * FigureFiles.PNG_SCALE);
            Document svg = Images.assertSvg(dir.figures().resolve(f.svgFile()), f.width(), f.height());
            assertNotNull(svg);
            assertTrue(f.width() >= 800 && f.height() >= 400, f.name() + " is too small to read: " + f.width()
                    + " x " + f.height());
        }
    }

    @Test
    void theDataIsDrawnNotJustTheAxes() throws Exception {
        RunData run = RunData.load(dir);
        int[] shown = ProgressFigures.strongest(run, ProgressFigures.MAX_FREQUENCY_CURVES);
        java.awt.Color lastFamily = TrainingFigures.TimeSeries.family(shown.length - 1, shown.length);
        // Curves and bars are drawn in known colours that text and frames never use, so finding a colour means its
        // series was drawn. Curves can lie on top of each other, so each plot is checked for the series it draws
        // last, which nothing covers.
        java.util.Map<String, List<java.awt.Color>> colours = java.util.Map.of(
                "training_curves", List.of(Style.VERMILLION),
                "softmax_collapse", List.of(Style.VERMILLION, Style.ORANGE),
                "progress_measures", List.of(Style.GREEN, Style.ORANGE, Style.SKY, Style.BLACK),
                "excluded_loss_per_frequency", List.of(lastFamily),
                "restricted_excluded_accuracy", List.of(Style.GREEN),
                "key_frequency_amplitudes", List.of(lastFamily),
                "embed_fourier_norms", List.of(Style.BLUE, Style.ORANGE),
                "neuron_logit_fourier_norms", List.of(Style.BLUE, Style.ORANGE));
        for (var e : colours.entrySet()) {
            java.awt.image.BufferedImage img = ImageIO.read(dir.figures().resolve(e.getKey() + ".png").toFile());
            for (java.awt.Color c : e.getValue()) {
                assertTrue(Images.pixelsOf(img, c.getRGB() & 0xFFFFFF) >= 100, e.getKey() + " lacks colour "
                        + Integer.toHexString(c.getRGB() & 0xFFFFFF));
            }
        }
        // Heatmaps: many distinct colours from the colour map (axes and text give only greys).
        for (String name : List.of("attention_heads", "neuron_activations", "logit_fourier_norms",
                "cluster_neuron_logit_fourier")) {
            java.awt.image.BufferedImage img = ImageIO.read(dir.figures().resolve(name + ".png").toFile());
            java.util.Set<Integer> mapColours = new java.util.HashSet<>();
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    int rgb = img.getRGB(x, y) & 0xFFFFFF;
                    int r = rgb >> 16 & 255;
                    int g = rgb >> 8 & 255;
                    int b = rgb & 255;
                    if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 40) {
                        mapColours.add(rgb);
                    }
                }
            }
            assertTrue(mapColours.size() >= 64, name + " shows only " + mapColours.size() + " map colours");
        }
    }

    @Test
    void heatmapsEmbedTheirCellsAsSharpBitmapsInTheSvg() throws Exception {
        for (String name : List.of("attention_heads", "neuron_activations", "logit_fourier_norms",
                "cluster_neuron_logit_fourier")) {
            String svg = Files.readString(dir.figures().resolve(name + ".svg"));
            assertTrue(svg.contains("<image style=\"image-rendering:pixelated\""), name);
        }
    }

    @Test
    void theReportShowsEveryFigureWithItsCaption() {
        for (Figure f : result.figures()) {
            assertTrue(report.contains("<img src=\"figures/" + f.pngFile() + "\""), "report lacks " + f.pngFile());
            assertTrue(report.contains("href=\"figures/" + f.svgFile() + "\""), "report lacks " + f.svgFile());
            assertTrue(report.contains(ReportPage.esc(f.caption())), "report lacks the caption of " + f.name());
            assertTrue(report.contains("id=\"" + f.name() + "\""), f.name());
        }
        // Self-contained: nothing is fetched from the network.
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(report).find(), "network reference");
        assertFalse(report.contains("<script"), "the report needs no scripts");
        // Every local reference resolves.
        Matcher m = Pattern.compile("(?:src|href)=\"(figures/[^\"]+)\"").matcher(report);
        int refs = 0;
        while (m.find()) {
            assertTrue(Files.exists(dir.root().resolve(m.group(1))), m.group(1));
            refs++;
        }
        assertEquals(3 * result.figures().size(), refs, "an img, a PNG link and an SVG link per figure");
    }

    @Test
    void theReportHasTheHeadlineNumbersBesideThePapers() throws Exception {
        JsonObject s = new Gson().fromJson(Files.readString(dir.analysis().resolve("summary.json")),
                JsonObject.class);
        List<String> keys = new ArrayList<>();
        for (JsonElement e : s.getAsJsonArray("key_frequencies")) {
            keys.add(e.getAsString());
        }
        assertContains(String.join(", ", keys));
        assertContains("14, 35, 41, 42, 52");
        JsonObject n = s.getAsJsonObject("neurons");
        assertContains(String.format(Locale.ROOT, "%d of %d (%.1f%%)", n.get("clustered").getAsInt(),
                n.get("count").getAsInt(), 100 * n.get("fraction_clustered").getAsDouble()));
        assertContains("433 of 512 (84.6%)");
        JsonObject ph = s.getAsJsonObject("phases");
        for (String b : List.of("memorization_end", "circuit_formation_end", "cleanup_end")) {
            JsonElement e = ph.get(b);
            assertContains(">" + (e == null || e.isJsonNull() ? "none" : String.format(Locale.ROOT, "%,d", e.getAsLong()))
                    + "<");
        }
        assertContains(">1,400<");
        assertContains(">9,400<");
        assertContains(">14,000<");
        assertContains(">" + Style.number(s.getAsJsonObject("loss").get("all").getAsDouble()) + "<");
        assertContains("2.40e-7");
        assertContains(Style.number(s.getAsJsonObject("ablations").get("restricted_loss").getAsDouble()));
        JsonObject info = new Gson().fromJson(Files.readString(dir.runInfo()), JsonObject.class);
        assertContains(String.format(Locale.ROOT, "%.1f epochs/s", info.get("epochs_per_second").getAsDouble()));
        assertContains(ReportPage.esc(info.get("engine").getAsString()));
        History h = History.read(dir.history());
        Long grok = null;
        for (int i = 0; i < h.size() && grok == null; i++) {
            if (h.testAcc(i) >= 0.99) {
                grok = h.epoch(i);
            }
        }
        assertContains(grok == null ? "not reached" : String.format(Locale.ROOT, "epoch %,d", grok));
        // The config is there, field by field.
        assertContains("<dt><code>--weight_decay</code></dt><dd>1.0</dd>");
        assertContains("<dt><code>--p</code></dt><dd>23</dd>");
    }

    @Test
    void timeToGrokIsTheFirstEpochAtNinetyNinePercentTestAccuracy() {
        History h = new History();
        double[] acc = {0.1, 0.5, 0.98, 0.99, 0.97, 1.0};
        for (int i = 0; i < acc.length; i++) {
            h.accept(i, 1, 1, 1, acc[i]);
        }
        assertEquals(3L, Headline.epochsToGrok(h));
        History never = new History();
        never.accept(0, 1, 1, 1, 0.5);
        never.accept(1, 1, 1, Double.NaN, Double.NaN);
        assertEquals(null, Headline.epochsToGrok(never));
    }

    @Test
    void embeddedReportIsOneFile() throws Exception {
        String html = ReportPage.html(RunData.load(dir), "t", result.figures(), dir.figures(), true,
                Figures.FIGURES_HREF);
        assertFalse(html.contains("<img src=\"figures/"), "images must be inline");
        Matcher m = Pattern.compile("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        int images = 0;
        while (m.find()) {
            byte[] png = Base64.getDecoder().decode(m.group(1));
            Figure f = result.figures().get(images);
            assertTrue(java.util.Arrays.equals(Files.readAllBytes(dir.figures().resolve(f.pngFile())), png),
                    f.name() + " is not the figure's PNG");
            assertNotNull(ImageIO.read(new ByteArrayInputStream(png)));
            images++;
        }
        assertEquals(result.figures().size(), images);
    }

    @Test
    void commandLine() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(0, Main.run(new String[] {"figures", dir.root().toString()}));
            int figures = PAPER_FIGURES.size() + OTHER_FIGURES.size();
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("wrote " + figures + " figures"));
            assertEquals(2, Main.run(new String[] {"figures"}));
            assertEquals(2, Main.run(new String[] {"figures", tmp.resolve("nowhere").toString()}));
            Path bare = tmp.resolve("bare");
            copyTree(dir.root(), bare);
            deleteTree(bare.resolve("analysis"));
            err.reset();
            assertEquals(2, Main.run(new String[] {"figures", bare.toString()}));
            String msg = err.toString(StandardCharsets.UTF_8);
            assertTrue(msg.contains("./jgrok analyze"), msg);
            assertEquals(1, msg.strip().lines().count(), "one line, no stack trace: " + msg);
            assertEquals(2, Main.run(new String[] {"figures", dir.root().toString(), "--bogus"}));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    private void assertContains(String s) {
        assertTrue(report.contains(s), "report lacks '" + s + "'");
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
