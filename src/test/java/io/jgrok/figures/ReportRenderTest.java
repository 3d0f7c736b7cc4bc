package io.jgrok.figures;

import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * report.html in a real browser: headless Chromium (Debian's {@code chromium}, which .ci/run installs) takes a
 * screenshot of it, and loads it once more with a checker script that lists every image that failed to load.
 * Skipped, with the reason, where the browser is not installed.
 */
class ReportRenderTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final int WIDTH = 1280;
    static final int HEIGHT = 2400;
    static final long TIMEOUT_SECONDS = 120;

    @TempDir
    static Path tmp;
    static RunDirectory dir;

    @BeforeAll
    static void draw() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "headless Chromium is not installed at " + CHROMIUM
                + " (apt-get install chromium; .ci/run installs it)");
        dir = TrainedRun.create(tmp.resolve("run"));
        Figures.run(dir, new Figures.Options(false, new PrintStream(new ByteArrayOutputStream())));
    }

    @Test
    void rendersToANonBlankScreenshot() throws Exception {
        Path shot = tmp.resolve("report.png");
        Result r = chromium("--screenshot=" + shot, "--window-size=" + WIDTH + "," + HEIGHT, "--hide-scrollbars",
                dir.report().toUri().toString());
        assertEquals(0, r.exit(), "chromium failed:\n" + r.output());
        Images.assertPng(shot, WIDTH, HEIGHT);
    }

    @Test
    void everyImageLoadsInTheBrowser() throws Exception {
        // A copy of the page beside the original (so relative links resolve the same way) with a script that, once
        // the page has loaded, records the images that did not decode.
        String html = Files.readString(dir.report(), StandardCharsets.UTF_8);
        String checker = "<script>window.addEventListener('load', () => { const bad = [...document.images]"
                + ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));"
                + " document.body.setAttribute('data-images', document.images.length + ' loaded, broken: '"
                + " + (bad.length ? bad.join(' ') : 'none')); });</script>";
        Path probe = dir.root().resolve("report-probe.html");
        Files.writeString(probe, html.replace("</body>", checker + "</body>"), StandardCharsets.UTF_8);
        Result r = chromium("--dump-dom", probe.toUri().toString());
        assertEquals(0, r.exit(), "chromium failed:\n" + r.output());
        Matcher m = Pattern.compile("data-images=\"(\\d+) loaded, broken: ([^\"]*)\"").matcher(r.stdout());
        assertTrue(m.find(), "the checker did not run; page:\n" + r.stdout());
        assertEquals("none", m.group(2), "images that did not load");
        assertEquals(FiguresTest.PAPER_FIGURES.size() + FiguresTest.OTHER_FIGURES.size(),
                Integer.parseInt(m.group(1)));
    }

    record Result(int exit, String stdout, String output) {
    }

    /** Runs headless Chromium with the flags that keep it off the network and out of the user's profile. */
    static Result chromium(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(tmp, "profile")));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "chromium", ".out");
        Path err = Files.createTempFile(tmp, "chromium", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within " + TIMEOUT_SECONDS + " s");
        }
        String stdout = Files.readString(out);
        return new Result(p.exitValue(), stdout, stdout + Files.readString(err));
    }
}
