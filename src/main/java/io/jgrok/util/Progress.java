package io.jgrok.util;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.text.DecimalFormat;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Progress of long work: a progress bar with ETA, rate and a status message on a terminal, nothing otherwise
 * (logs and CI stay clean). Thread-compatible: call from one thread.
 */
public abstract class Progress implements AutoCloseable {

    /** Moves to {@code done} units of work. */
    public abstract void stepTo(long done);

    /** A short status shown after the bar (e.g. current losses). */
    public abstract void message(String text);

    @Override
    public abstract void close();

    /**
     * A bar when stderr is a terminal and {@code enabled}, else a no-op.
     *
     * @param task  label, e.g. "train"
     * @param unit  unit name shown with the rate, e.g. "epochs"
     * @param total total units
     * @param start units already done (resumed work)
     */
    public static Progress create(String task, String unit, long total, long start, boolean enabled) {
        if (!enabled || !stderrIsTerminal()) {
            return new Quiet();
        }
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setUpdateIntervalMillis(250)
                .setUnit(" " + unit, 1)
                .showSpeed(new DecimalFormat("#,##0.0"))
                .setSpeedUnit(ChronoUnit.SECONDS)
                .startsFrom(start, Duration.ZERO)
                .setMaxRenderedLength(140)
                .build();
        return new Bar(bar);
    }

    /**
     * The bar is drawn on stderr. Java cannot ask whether stderr is a terminal ({@code System.console()} looks at
     * stdin and stdout), so the launcher tells it (JGROK_STDERR_IS_TERMINAL=1 or 0, from bash's {@code -t 2}); a JVM
     * started some other way falls back to the console check.
     */
    private static boolean stderrIsTerminal() {
        String told = System.getenv("JGROK_STDERR_IS_TERMINAL");
        return told != null ? told.equals("1") : System.console() != null;
    }

    private static final class Quiet extends Progress {
        @Override
        public void stepTo(long done) {
        }

        @Override
        public void message(String text) {
        }

        @Override
        public void close() {
        }
    }

    private static final class Bar extends Progress {
        private final ProgressBar bar;

        Bar(ProgressBar bar) {
            this.bar = bar;
        }

        @Override
        public void stepTo(long done) {
            bar.stepTo(done);
        }

        @Override
        public void message(String text) {
            bar.setExtraMessage(" " + text);
        }

        @Override
        public void close() {
            bar.close();
        }
    }
}
