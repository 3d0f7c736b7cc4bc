package io.jgrok.util;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Progress of long work on stderr: a one-line bar redrawn in place on a terminal, and, when stderr is not a terminal
 * (a log file, {@code make run > log 2>&1}), a plain line at a steady interval ({@link #LOG_INTERVAL_SECONDS}), so
 * that a log shows the run is alive and how far it is. Both say what their numbers are: done/total, percent, time
 * elapsed and left, rate, and the caller's message (losses, runs).
 *
 * <p>Other output printed while a bar is up must go through {@link #println}, which takes the bar off its line,
 * prints the line and puts the bar back below it; the bar never moves the cursor up, so nothing printed is
 * overwritten. Methods may be called from any thread.
 */
public abstract class Progress implements AutoCloseable {
    /** Seconds between progress lines when stderr is not a terminal (JGROK_PROGRESS_SECONDS overrides it). */
    public static final int LOG_INTERVAL_SECONDS = 30;
    /** How often a terminal bar is redrawn (it also shows the elapsed time, which moves without any step). */
    static final long BAR_REFRESH_MILLIS = 250;

    /** Moves to {@code done} units of work. */
    public abstract void stepTo(long done);

    /** A short status shown after the numbers (e.g. current losses); it should say what its numbers are. */
    public abstract void message(String text);

    /** Prints {@code line} on {@code to} without garbling the bar (nor being overwritten by it). */
    public abstract void println(PrintStream to, String line);

    @Override
    public abstract void close();

    /** Where progress goes. */
    public enum Mode {
        /** Nothing (--quiet, or work whose caller shows progress its own way). */
        QUIET,
        /** A bar redrawn in place: stderr is a terminal. */
        BAR,
        /** A plain line every so often: stderr is a file or a pipe. */
        LINES
    }

    /**
     * A bar when stderr is a terminal, plain lines when it is not; nothing unless {@code enabled}.
     *
     * @param task  label, e.g. "train"
     * @param unit  unit name, e.g. "epochs"
     * @param total total units
     * @param start units already done (resumed work): speed and time left count only new work
     */
    public static Progress create(String task, String unit, long total, long start, boolean enabled) {
        Mode mode = !enabled ? Mode.QUIET : stderrIsTerminal() ? Mode.BAR : Mode.LINES;
        return create(mode, task, unit, total, start, mode == Mode.BAR ? terminal() : System.err, System::nanoTime,
                logInterval(), TerminalWidth.forStderr());
    }

    private static PrintStream terminal;

    /**
     * Where the bar is drawn: the terminal device the launcher found on stderr (JGROK_STDERR_TTY), written directly,
     * else stderr. The launcher's stderr goes through a filter process, so what is written to stderr can reach the
     * terminal after what is written to stdout later; drawn straight on the device, the bar's erasing of its line
     * happens before the line printed over it, as {@link #println} needs.
     */
    private static synchronized PrintStream terminal() {
        if (terminal == null) {
            String device = System.getenv("JGROK_STDERR_TTY");
            try {
                terminal = device == null || device.isBlank() ? System.err
                        : new PrintStream(new java.io.FileOutputStream(device), false, charset());
            } catch (java.io.IOException | SecurityException e) {
                terminal = System.err;
            }
        }
        return terminal;
    }

    /** UTF-8 where the locale says so (the bar then uses block characters), else the platform's. */
    static java.nio.charset.Charset charset() {
        String locale = System.getenv().getOrDefault("LC_ALL", System.getenv().getOrDefault("LC_CTYPE",
                System.getenv().getOrDefault("LANG", "")));
        return locale.toUpperCase(Locale.ROOT).replace("-", "").contains("UTF8")
                ? java.nio.charset.StandardCharsets.UTF_8 : java.nio.charset.Charset.defaultCharset();
    }

    /** As {@link #create(String, String, long, long, boolean)}, with everything that it looks up given. */
    public static Progress create(Mode mode, String task, String unit, long total, long start, PrintStream err,
                                  LongSupplier nanoClock, long intervalMillis, LongSupplier columns) {
        return switch (mode) {
            case QUIET -> new Quiet();
            case BAR -> new Bar(new State(task, unit, total, start, nanoClock), err, columns);
            case LINES -> new Lines(new State(task, unit, total, start, nanoClock), err, intervalMillis);
        };
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

    private static long logInterval() {
        String s = System.getenv("JGROK_PROGRESS_SECONDS");
        try {
            double seconds = s == null ? LOG_INTERVAL_SECONDS : Double.parseDouble(s.trim());
            return seconds > 0 ? Math.round(seconds * 1000) : LOG_INTERVAL_SECONDS * 1000L;
        } catch (NumberFormatException e) {
            return LOG_INTERVAL_SECONDS * 1000L;
        }
    }

    /** Counts, timing and the message, and their text; shared by the bar and the lines. */
    static final class State {
        final String task;
        final String unit;
        final long total;
        final long start;
        final LongSupplier clock;
        final long startNanos;
        private volatile long done;
        private volatile String message = "";

        State(String task, String unit, long total, long start, LongSupplier clock) {
            this.task = task;
            this.unit = unit;
            this.total = total;
            this.start = start;
            this.clock = clock;
            this.startNanos = clock.getAsLong();
            this.done = start;
        }

        private State(State of, long now) {
            this.task = of.task;
            this.unit = of.unit;
            this.total = of.total;
            this.start = of.start;
            this.clock = () -> now;
            this.startNanos = of.startNanos;
            this.done = of.done;
            this.message = of.message;
        }

        /**
         * This state at one instant. The trainer steps on while a line is formatted; read live, a line could show
         * 0 epochs done beside a rate computed from the next one.
         */
        State frozen() {
            return new State(this, clock.getAsLong());
        }

        void stepTo(long d) {
            done = d;
        }

        void message(String m) {
            message = m == null ? "" : m.strip();
        }

        long done() {
            return done;
        }

        double fraction() {
            return total <= 0 ? 1 : Math.min(1, Math.max(0, (double) done / total));
        }

        double elapsedSeconds() {
            return (clock.getAsLong() - startNanos) / 1e9;
        }

        /** Units per second of this session's work; NaN before any. */
        double rate() {
            double t = elapsedSeconds();
            return done > start && t > 0 ? (done - start) / t : Double.NaN;
        }

        /** "0:13:31", or "?" while the rate is unknown. */
        String left() {
            double r = rate();
            return Double.isNaN(r) ? "?" : clock(Math.max(0, total - done) / r);
        }

        /** "9,200/40,000 epochs (23%)". */
        String counts() {
            return String.format(Locale.ROOT, "%,d/%,d %s (%.0f%%)", done, total, unit, 100 * fraction());
        }

        /** "elapsed 0:04:02, left 0:13:31, 37.9 epochs/s". */
        String timing() {
            double r = rate();
            return "elapsed " + clock(elapsedSeconds()) + ", left " + left()
                    + (Double.isNaN(r) ? "" : String.format(Locale.ROOT, ", %s %s/s", rate(r), unit));
        }

        String message() {
            return message;
        }

        static String rate(double r) {
            return r >= 100 ? String.format(Locale.ROOT, "%,.0f", r) : String.format(Locale.ROOT, "%.1f", r);
        }

        static String clock(double seconds) {
            long s = Math.round(seconds);
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        }
    }

    private static final class Quiet extends Progress {
        @Override
        public void stepTo(long done) {
        }

        @Override
        public void message(String text) {
        }

        @Override
        public void println(PrintStream to, String line) {
            to.println(line);
            to.flush();
        }

        @Override
        public void close() {
        }
    }

    /**
     * The terminal bar: one line, redrawn with a carriage return and erase-to-end-of-line, never longer than the
     * terminal is wide (a wrapped line could not be redrawn in place), and no colours.
     */
    static final class Bar extends Progress {
        private static final String ERASE_LINE = "\r\033[K";
        /** Block characters need a UTF-8 terminal; elsewhere the bar is drawn with # and -. */
        private static final boolean UNICODE = charset().equals(java.nio.charset.StandardCharsets.UTF_8);
        private static final char[] EIGHTHS = {' ', '\u258f', '\u258e', '\u258d', '\u258c', '\u258b', '\u258a',
                '\u2589', '\u2588'};
        private final State state;
        private final PrintStream err;
        private final LongSupplier columns;
        private final ScheduledExecutorService timer;
        private boolean shown;
        private boolean closed;

        Bar(State state, PrintStream err, LongSupplier columns) {
            this.state = state;
            this.err = err;
            this.columns = columns;
            this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "jgrok-progress-bar");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleAtFixedRate(this::draw, 0, BAR_REFRESH_MILLIS, TimeUnit.MILLISECONDS);
        }

        @Override
        public void stepTo(long done) {
            state.stepTo(done);
        }

        @Override
        public void message(String text) {
            state.message(text);
        }

        @Override
        public synchronized void println(PrintStream to, String line) {
            if (shown) {
                err.print(ERASE_LINE);
                err.flush();
                shown = false;
            }
            to.println(line);
            to.flush();
            if (!closed) {
                drawLocked();
            }
        }

        private synchronized void draw() {
            if (!closed) {
                drawLocked();
            }
        }

        private void drawLocked() {
            err.print(ERASE_LINE + render(state, (int) Math.max(20, columns.getAsLong() - 1)));
            err.flush();
            shown = true;
        }

        @Override
        public void close() {
            timer.shutdownNow();
            synchronized (this) {
                if (closed) {
                    return;
                }
                drawLocked();
                err.println();
                err.flush();
                closed = true;
                shown = false;
            }
        }

        /**
         * "train  23% |██▎     | 9,200/40,000 epochs | elapsed 0:04:02, left 0:13:31, 37.9 epochs/s | MESSAGE", cut
         * to {@code width} characters: the message first, then the bar, so that the numbers stay.
         */
        static String render(State live, int width) {
            State s = live.frozen();
            String head = String.format(Locale.ROOT, "%s %3.0f%%", s.task, 100 * s.fraction());
            String tail = String.format(Locale.ROOT, "%,d/%,d %s | %s", s.done(), s.total, s.unit, s.timing())
                    + (s.message().isEmpty() ? "" : " | " + s.message());
            int barWidth = Math.min(30, width - head.length() - tail.length() - 5);
            String line;
            if (barWidth >= 8) {
                line = head + " |" + blocks(s.fraction(), barWidth) + "| " + tail;
            } else {
                line = head + " " + tail;
            }
            return line.length() <= width ? line : line.substring(0, Math.max(0, width - 1)) + (UNICODE ? "\u2026"
                    : ">");
        }

        static String blocks(double fraction, int width) {
            if (!UNICODE) {
                int full = (int) Math.round(fraction * width);
                return "#".repeat(full) + "-".repeat(width - full);
            }
            int eighths = (int) Math.round(fraction * width * 8);
            StringBuilder sb = new StringBuilder(width);
            for (int i = 0; i < width; i++) {
                int e = Math.max(0, Math.min(8, eighths - 8 * i));
                sb.append(EIGHTHS[e]);
            }
            return sb.toString();
        }
    }

    /** Plain progress lines at a steady interval, for logs; the first at the start says how often they come. */
    static final class Lines extends Progress {
        private final State state;
        private final PrintStream err;
        private final ScheduledExecutorService timer;
        private boolean closed;

        Lines(State state, PrintStream err, long intervalMillis) {
            this.state = state;
            this.err = err;
            err.printf(Locale.ROOT, "%s: %s to do; a progress line every %s%n", state.task,
                    String.format(Locale.ROOT, "%,d of %,d %s", state.total - state.start, state.total, state.unit),
                    every(intervalMillis));
            err.flush();
            this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "jgrok-progress-lines");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleAtFixedRate(this::report, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        }

        private static String every(long millis) {
            if (millis % 1000 == 0) {
                return millis / 1000 + " s";
            }
            return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1e3);
        }

        /** "train: 9,200/40,000 epochs (23%), elapsed 0:04:02, left 0:13:31, 37.9 epochs/s; MESSAGE". */
        static String line(State live) {
            State s = live.frozen();
            return s.task + ": " + s.counts() + ", " + s.timing() + (s.message().isEmpty() ? "" : "; "
                    + s.message());
        }

        private synchronized void report() {
            if (!closed) {
                err.println(line(state));
                err.flush();
            }
        }

        @Override
        public void stepTo(long done) {
            state.stepTo(done);
        }

        @Override
        public void message(String text) {
            state.message(text);
        }

        @Override
        public synchronized void println(PrintStream to, String line) {
            to.println(line);
            to.flush();
        }

        @Override
        public void close() {
            timer.shutdownNow();
            synchronized (this) {
                closed = true;
            }
        }
    }
}
