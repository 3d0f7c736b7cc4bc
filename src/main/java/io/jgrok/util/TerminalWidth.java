package io.jgrok.util;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The width of the terminal the progress bar is drawn on, in columns. Java cannot ask the terminal itself, so the
 * launcher passes the width it found (JGROK_TERMINAL_COLUMNS, from {@code stty size} on stderr), and while the bar
 * is up the width is asked again every few seconds with {@code stty size < /dev/tty}, so that a resized window gets
 * a bar that fits: a line wider than the terminal wraps, and a wrapped line cannot be redrawn in place.
 */
final class TerminalWidth implements LongSupplier {
    /** Without any answer: wide enough for the numbers, narrow enough for most windows. */
    static final int FALLBACK_COLUMNS = 100;
    private static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(3);

    private volatile long columns;
    private volatile long checkedAt;
    private volatile boolean sttyWorks = true;

    private TerminalWidth(long columns) {
        this.columns = columns;
        this.checkedAt = System.nanoTime();
    }

    static LongSupplier forStderr() {
        return new TerminalWidth(parse(System.getenv("JGROK_TERMINAL_COLUMNS"),
                parse(System.getenv("COLUMNS"), FALLBACK_COLUMNS)));
    }

    private static long parse(String s, long fallback) {
        try {
            long v = s == null ? fallback : Long.parseLong(s.trim());
            return v >= 20 ? v : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    @Override
    public long getAsLong() {
        long now = System.nanoTime();
        if (sttyWorks && now - checkedAt > RECHECK_NANOS) {
            checkedAt = now;
            long asked = ask();
            if (asked > 0) {
                columns = asked;
            } else {
                sttyWorks = false;
            }
        }
        return columns;
    }

    /** {@code stty size} on the controlling terminal: "rows columns"; 0 if it cannot be asked. */
    private static long ask() {
        File tty = new File("/dev/tty");
        if (!tty.canRead()) {
            return 0;
        }
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(tty)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (!p.waitFor(2, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return 0;
            }
            String[] parts = outText.split("\\s+");
            return parts.length == 2 ? parse(parts[1], 0) : 0;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
