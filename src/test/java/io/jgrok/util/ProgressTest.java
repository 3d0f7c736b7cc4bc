package io.jgrok.util;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress bar and the progress lines: what they say, how wide they are, and that output interleaves cleanly. */
class ProgressTest {
    /** A clock that moves only when told. */
    static final class FakeClock {
        final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        void advanceSeconds(double s) {
            nanos.addAndGet((long) (s * 1e9));
        }
    }

    @Test
    void theNumbersSayWhatTheyAre() {
        FakeClock clock = new FakeClock();
        Progress.State s = new Progress.State("train", "epochs", 40_000, 0, clock.nanos::get);
        clock.advanceSeconds(242);
        s.stepTo(9_200);
        s.message("train loss 2.30e-07 acc 100.0%, test loss 1.20e+01 acc 11.2%");
        String line = Progress.Lines.line(s);
        assertEquals("train: 9,200/40,000 epochs (23%), elapsed 0:04:02, left 0:13:30, 38.0 epochs/s; "
                + "train loss 2.30e-07 acc 100.0%, test loss 1.20e+01 acc 11.2%", line);
        String bar = Progress.Bar.render(s, 200);
        assertTrue(bar.startsWith("train  23% |"), bar);
        assertTrue(bar.contains("| 9,200/40,000 epochs | elapsed 0:04:02, left 0:13:30, 38.0 epochs/s | train loss"),
                bar);
    }

    /** A line's count, rate and time left come from one instant, however the work moves on meanwhile. */
    @Test
    void aFrozenStateKeepsItsInstant() {
        FakeClock clock = new FakeClock();
        Progress.State live = new Progress.State("train", "epochs", 2_500, 0, clock.nanos::get);
        Progress.State before = live.frozen();
        clock.advanceSeconds(0.25);
        live.stepTo(1);
        assertEquals("train: 0/2,500 epochs (0%), elapsed 0:00:00, left ?", Progress.Lines.line(before));
        Progress.State after = live.frozen();
        live.stepTo(500);
        clock.advanceSeconds(60);
        assertEquals("train: 1/2,500 epochs (0%), elapsed 0:00:00, left 0:10:25, 4.0 epochs/s",
                Progress.Lines.line(after));
    }

    @Test
    void theBarNeverOutgrowsTheTerminal() {
        FakeClock clock = new FakeClock();
        Progress.State s = new Progress.State("sweep", "model-epochs", 1_800_000, 0, clock.nanos::get);
        clock.advanceSeconds(3600);
        s.stepTo(654_321);
        s.message("runs 12/45 done, 2 running, 1 failed");
        for (int width : new int[] {20, 40, 79, 99, 119, 200, 400}) {
            String bar = Progress.Bar.render(s, width);
            assertTrue(bar.length() <= width, width + ": " + bar.length() + " '" + bar + "'");
            assertTrue(bar.startsWith("sweep  36%"), bar);
        }
        assertTrue(Progress.Bar.render(s, 400).endsWith("runs 12/45 done, 2 running, 1 failed"));
    }

    @Test
    void linesAppearAtASteadyIntervalWhenStderrIsNoTerminal() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(buf, true, StandardCharsets.UTF_8);
        try (Progress p = Progress.create(Progress.Mode.LINES, "train", "epochs", 1000, 0, err, System::nanoTime,
                40, () -> 80)) {
            for (int e = 1; e <= 10; e++) {
                p.stepTo(100L * e);
                p.message("train loss 1.00e-01 acc 90.0%, test loss 2.00e+00 acc 10.0%");
                Thread.sleep(30);
            }
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("train: 1,000 of 1,000 epochs to do; a progress line every 40 ms", lines.get(0));
        assertTrue(lines.size() >= 4, "a line every 40 ms over 300 ms: " + lines);
        for (String l : lines.subList(1, lines.size())) {
            assertTrue(l.matches("train: [0-9,]+/1,000 epochs \\([0-9]+%\\), elapsed [0-9:]+, left [0-9:?]+.*"), l);
            assertFalse(l.contains("\r") || l.contains("\033"), "plain text for a log: " + l);
        }
        String count = String.valueOf(lines.size());
        Thread.sleep(120);
        assertEquals(count, String.valueOf(buf.toString(StandardCharsets.UTF_8).lines().count()),
                "nothing after close");
    }

    @Test
    void aLinePrintedUnderTheBarIsNeverOverwritten() throws Exception {
        ByteArrayOutputStream term = new ByteArrayOutputStream();
        PrintStream tty = new PrintStream(term, true, StandardCharsets.UTF_8);
        try (Progress p = Progress.create(Progress.Mode.BAR, "sweep", "model-epochs", 100, 0, tty, System::nanoTime,
                1000, () -> 120)) {
            for (int i = 1; i <= 5; i++) {
                p.stepTo(20L * i);
                p.println(tty, "run " + i + " done");
                Thread.sleep(60);
            }
        }
        String raw = term.toString(StandardCharsets.UTF_8);
        assertFalse(raw.matches("(?s).*\033\\[[0-9]*[ABF].*"), "the bar never moves the cursor up or down");
        List<String> screen = TerminalScreen.render(raw);
        for (int i = 1; i <= 5; i++) {
            assertTrue(screen.contains("run " + i + " done"), "line " + i + " survives: " + screen);
        }
        assertTrue(screen.get(screen.size() - 1).startsWith("sweep 100%") || screen.get(screen.size() - 2)
                .startsWith("sweep 100%"), "the final bar stays below the lines: " + screen);
    }
}
