package io.jgrok.io;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.jgrok.UserError;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one writer of a run directory or of a sweep index: an exclusive OS file lock (POSIX {@code fcntl} on Linux)
 * on a small hidden file beside what it protects ({@code DIR/.jgrok.lock}, {@code SWEEP/.sweep_index.json.lock}).
 * The kernel drops the lock when its process ends, however it ends (SIGKILL included), so a crashed owner never
 * blocks the next one and nothing has to be cleaned up.
 *
 * <p>The file names its owner while it is held (holder, pid, host, process start, when it was locked), so a refused
 * writer can say who holds it; the owner empties it when it lets go. The file itself stays: deleting a lock file
 * races with a process that has opened it but not locked it yet (it would lock the deleted file while a third
 * process creates and locks a new one, and both would write). Making deletion safe needs the inode of an open file
 * descriptor, which Java does not expose, so the file persists: hidden, and empty when no one holds it.
 *
 * <p>Two bytes are locked. Byte 0 decides between writers ({@link #acquire}); byte 1 is what readers test
 * ({@link #liveOwner}) with a momentary shared lock, so a reader probing a run never makes a writer that starts at
 * the same moment fail: a writer that has won byte 0 simply waits out the probe on byte 1.
 *
 * <p>POSIX locks belong to a process, and closing any descriptor of the file in that process drops them all. So
 * within this JVM every acquisition and probe goes through one registry: a second acquisition of a held file is
 * refused without opening it, and a probe of a held file is answered from the registry.
 *
 * <p>Where the file system refuses locks (NFS without a lock daemon, some FUSE file systems), acquiring fails with
 * a message saying so; {@code JGROK_LOCKS=off} then does without OS locks, keeping only the checks that the
 * recorded owner allows: a live owner process on this host, or another host's owner whose heartbeat (the lock
 * file's modification time, touched every {@link #HEARTBEAT}) is fresh. With OS locks on, a fresh heartbeat from
 * another host when the lock was granted is only a warning (a takeover right after a crash looks the same), since
 * some file systems grant locks that are local to one host (NFS mounted {@code nolock} or {@code local_lock=all},
 * Lustre with {@code localflock}).
 */
public final class WriterLock implements AutoCloseable {
    /** Environment variable: "on" (default) uses OS locks; "off" does without them (see the class comment). */
    public static final String ENV = "JGROK_LOCKS";
    /** How often a holder touches its lock file, so that other hosts can tell a live owner from a dead one. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(30);
    /** A lock file touched more recently than this may belong to a live owner. */
    public static final Duration FRESH = HEARTBEAT.multipliedBy(3);
    /** How long a writer that has won byte 0 waits for readers' momentary probes of byte 1. */
    private static final long PROBE_WAIT_MS = 5_000;
    private static final Gson GSON = new Gson();
    private static final String HOST = hostName();
    /** Lock files this JVM holds, by file key (device and inode), and the monitor every acquisition and probe take. */
    private static final Map<Object, WriterLock> HELD = new HashMap<>();
    private static ScheduledExecutorService heartbeats;

    /** Whether OS locks are used. */
    public enum Mode {
        ON, OFF;

        /** The mode {@value WriterLock#ENV} asks for; another value is a one-line error. */
        public static Mode fromEnvironment() {
            return parse(System.getenv(ENV));
        }

        /** "on" (or unset) or "off"; another value is a one-line error. */
        public static Mode parse(String v) {
            if (v == null || v.isBlank() || v.equalsIgnoreCase("on")) {
                return ON;
            }
            if (v.equalsIgnoreCase("off")) {
                return OFF;
            }
            throw new UserError(ENV + " must be on or off, got '" + v + "'");
        }
    }

    /**
     * Who holds (or held) a lock, as its lock file records it.
     *
     * @param holder         what the owner is doing, e.g. "jgrok train" or "jgrok sweep runs/tiny"
     * @param processStarted the owner process's start time (tells a live owner from a later process with its pid)
     * @param lockedAt       when it took the lock
     * @param thisProcess    the owner is this JVM
     */
    public record Owner(String holder, long pid, String host, String processStarted, String lockedAt,
                        boolean thisProcess) {
        static final Owner UNKNOWN = new Owner(null, -1, null, null, null, false);

        /** e.g. "jgrok train, pid 4242 on host n1, since 2025-01-01T10:00:00Z". */
        public String describe() {
            if (pid < 0) {
                return "owner not recorded";
            }
            return (holder == null ? "" : holder + ", ") + (thisProcess ? "this process (pid " + pid + ")"
                    : "pid " + pid + " on host " + host) + (lockedAt == null ? "" : ", since " + lockedAt);
        }

        /** How to stop the owner: SIGTERM makes a jgrok trainer or sweep write a checkpoint and exit. */
        public String stopHint() {
            if (pid < 0 || thisProcess) {
                return "stop it first";
            }
            return "stop it first (" + (HOST.equals(host) ? "" : "on " + host + ", ") + "kill " + pid
                    + ": it writes a checkpoint and exits)";
        }

        /** The owner process still runs on this host (same pid and same start time). */
        boolean aliveHere() {
            if (pid < 0 || !HOST.equals(host)) {
                return false;
            }
            Optional<ProcessHandle> p = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (p.isEmpty()) {
                return false;
            }
            Optional<Instant> started = p.get().info().startInstant();
            return processStarted == null || started.isEmpty() || started.get().toString().equals(processStarted);
        }

        String toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("holder", holder);
            o.addProperty("pid", pid);
            o.addProperty("host", host);
            o.addProperty("process_started", processStarted);
            o.addProperty("locked_at", lockedAt);
            return GSON.toJson(o) + "\n";
        }

        /** The owner a lock file's text names, or null when it names none (empty: released; or unreadable). */
        static Owner parse(String text) {
            if (text == null || text.isBlank()) {
                return null;
            }
            try {
                JsonObject o = GSON.fromJson(text, JsonObject.class);
                if (o == null || !o.has("pid")) {
                    return null;
                }
                return new Owner(string(o, "holder"), o.get("pid").getAsLong(), string(o, "host"),
                        string(o, "process_started"), string(o, "locked_at"), false);
            } catch (JsonParseException | IllegalStateException | ClassCastException | NumberFormatException
                     | UnsupportedOperationException e) {
                return null;
            }
        }

        private static String string(JsonObject o, String key) {
            return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : null;
        }
    }

    /** Someone else holds the lock; the message names it, and callers may reword it for their situation. */
    public static final class Busy extends UserError {
        private final transient Owner owner;
        private final String note;

        public Busy(String message, Owner owner) {
            this(message, owner, "");
        }

        /** @param note more about the owner, kept by a caller that rewords the message ("" or " (...)") */
        Busy(String message, Owner owner, String note) {
            super(message + note);
            this.owner = owner;
            this.note = note;
        }

        public Owner owner() {
            return owner;
        }

        /** "" or a parenthesis to add after the owner: why it counts as live though the OS granted the lock. */
        public String note() {
            return note;
        }
    }

    private final Path file;
    private final Object key;
    private final Owner owner;
    private final FileChannel channel;
    private final FileLock writerByte;
    private final FileLock liveByte;
    private final ScheduledFuture<?> heartbeat;
    private boolean closed;

    private WriterLock(Path file, Object key, Owner owner, FileChannel channel, FileLock writerByte,
                       FileLock liveByte, ScheduledFuture<?> heartbeat) {
        this.file = file;
        this.key = key;
        this.owner = owner;
        this.channel = channel;
        this.writerByte = writerByte;
        this.liveByte = liveByte;
        this.heartbeat = heartbeat;
    }

    /** {@link #acquire(Path, String, Mode, PrintStream)} in the mode {@value #ENV} asks for. */
    public static WriterLock acquire(Path lockFile, String holder, PrintStream notices) {
        return acquire(lockFile, holder, Mode.fromEnvironment(), notices);
    }

    /**
     * Takes the lock or throws {@link Busy} at once (no waiting for the owner). Creates the lock file (not its
     * directory) if needed.
     *
     * @param holder  what this process is doing, recorded for messages ("jgrok train")
     * @param notices where a warning goes (another host's fresh heartbeat, {@value #ENV}=off)
     */
    public static WriterLock acquire(Path lockFile, String holder, Mode mode, PrintStream notices) {
        synchronized (HELD) {
            Object key = create(lockFile);
            WriterLock mine = HELD.get(key);
            if (mine != null) {
                throw new Busy(lockFile + " is held by " + mine.owner.describe(), mine.owner);
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UserError("cannot open lock file " + lockFile + ": " + reason(e));
            }
            FileLock writerByte = null;
            FileLock liveByte = null;
            try {
                if (mode == Mode.ON) {
                    writerByte = osLock(ch, lockFile, 0, false);
                    if (writerByte == null) {
                        Owner other = ownerOrUnknown(ch);
                        throw new Busy(lockFile + " is held by " + other.describe(), other);
                    }
                    liveByte = waitForProbes(ch, lockFile);
                }
                refuseLiveOwner(lockFile, recorded(ch), mode, notices);
                Owner me = new Owner(holder, ProcessHandle.current().pid(), HOST, processStart(),
                        Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(), true);
                write(ch, me.toJson());
                if (mode == Mode.OFF) {
                    notices.println("jgrok: warning: " + ENV + "=off: " + lockFile.getParent() + " is not locked; "
                            + "only a live owner on this host or another host's fresh heartbeat stops a second "
                            + "writer");
                }
                WriterLock lock = new WriterLock(lockFile, key, me, ch, writerByte, liveByte,
                        heartbeats().scheduleAtFixedRate(() -> touch(lockFile), HEARTBEAT.toSeconds(),
                                HEARTBEAT.toSeconds(), TimeUnit.SECONDS));
                HELD.put(key, lock);
                return lock;
            } catch (RuntimeException e) {
                // Nothing of this JVM holds a lock on the file now, so closing the channel drops only our own.
                closeQuietly(ch);
                throw e;
            }
        }
    }

    /**
     * The live owner of a lock file, if any: what a reader of a run asks. Never creates the file and never makes a
     * writer fail (it tests byte 1 only, for an instant).
     */
    public static Optional<Owner> liveOwner(Path lockFile) {
        return liveOwner(lockFile, Mode.fromEnvironment());
    }

    public static Optional<Owner> liveOwner(Path lockFile, Mode mode) {
        synchronized (HELD) {
            WriterLock mine;
            try {
                mine = HELD.get(fileKey(lockFile));
            } catch (UserError absentOrUnreadable) {
                return Optional.empty();  // no lock file: nobody ever trained here; unreadable: it tells nothing
            }
            if (mine != null) {
                return Optional.of(mine.owner);
            }
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.READ)) {
                if (mode == Mode.ON) {
                    FileLock probe;
                    try {
                        probe = ch.tryLock(1, 1, true);
                    } catch (IOException unsupported) {
                        return recordedLiveOwner(lockFile, ch);
                    }
                    if (probe != null) {
                        probe.release();
                        return Optional.empty();
                    }
                    return Optional.of(ownerOrUnknown(ch));
                }
                return recordedLiveOwner(lockFile, ch);
            } catch (IOException goneOrUnreadable) {
                return Optional.empty();  // such a lock file tells a reader nothing either way
            }
        }
    }

    /** The owner this lock file records, if it is alive as far as the record can tell (no OS lock to ask). */
    private static Optional<Owner> recordedLiveOwner(Path lockFile, FileChannel ch) {
        Owner o = recorded(ch);
        if (o == null) {
            return Optional.empty();
        }
        boolean live = HOST.equals(o.host()) ? o.aliveHere() : fresh(lockFile);
        return live ? Optional.of(o) : Optional.empty();
    }

    /** Who holds this lock (this process). */
    public Owner owner() {
        return owner;
    }

    public Path file() {
        return file;
    }

    /** Not closed yet. */
    public boolean held() {
        synchronized (HELD) {
            return !closed;
        }
    }

    /** Empties the lock file and releases the lock. */
    @Override
    public void close() {
        synchronized (HELD) {
            if (closed) {
                return;
            }
            closed = true;
            heartbeat.cancel(false);
            try {
                channel.truncate(0);
            } catch (IOException ignored) {
                // The record is advice; the next owner finds this pid gone and takes over.
            }
            try {
                if (liveByte != null) {
                    liveByte.release();
                }
                if (writerByte != null) {
                    writerByte.release();
                }
            } catch (IOException ignored) {
                // Closing the channel below releases them as well.
            }
            closeQuietly(channel);
            HELD.remove(key);
        }
    }

    /**
     * The lock was granted (or there is no OS lock), but the file still names an owner that did not let go: normally
     * one that was killed. Refuses when that owner is alive after all (its pid with its start time on this host), and
     * looks at another host's heartbeat.
     */
    private static void refuseLiveOwner(Path lockFile, Owner previous, Mode mode, PrintStream notices) {
        if (previous == null || previous.pid() == ProcessHandle.current().pid() && HOST.equals(previous.host())) {
            return;
        }
        if (HOST.equals(previous.host())) {
            if (previous.aliveHere()) {
                throw new Busy(lockFile + " is held by " + previous.describe(), previous, mode == Mode.ON
                        ? " (it still runs although the OS granted the lock: this file system does not enforce file "
                        + "locks)" : "");
            }
            tookOver(lockFile, previous, notices);
            return;
        }
        if (fresh(lockFile)) {
            long age = age(lockFile).toSeconds();
            if (mode == Mode.OFF) {
                throw new Busy(lockFile + " is held by " + previous.describe(), previous, " (its heartbeat is "
                        + age + " s old; if that process has stopped, try again in " + (FRESH.toSeconds() - age)
                        + " s)");
            }
            notices.println("jgrok: warning: " + lockFile + " was last refreshed " + age + " s ago by "
                    + previous.describe() + "; if that process still runs, this file system's locks do not reach "
                    + "across hosts and both will write: stop one of them");
            return;
        }
        tookOver(lockFile, previous, notices);
    }

    /** Says that the recorded owner ended without letting go (killed, crashed, its node lost) and this one goes on. */
    private static void tookOver(Path lockFile, Owner previous, PrintStream notices) {
        notices.println("jgrok: note: taking over " + lockFile.getParent() + " from " + previous.describe()
                + ", which ended without letting go of it (killed or crashed)");
    }

    /**
     * A writer that holds byte 0 takes byte 1 too; a reader may be testing it at this instant, which lasts
     * microseconds, so it is retried for a while.
     */
    private static FileLock waitForProbes(FileChannel ch, Path lockFile) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROBE_WAIT_MS);
        while (true) {
            FileLock l = osLock(ch, lockFile, 1, false);
            if (l != null) {
                return l;
            }
            if (System.nanoTime() > deadline) {
                throw new Busy(lockFile + " is held by a reader that does not let go (byte 1 of the lock file is "
                        + "locked but byte 0 is not)", Owner.UNKNOWN);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UserError("interrupted while locking " + lockFile);
            }
        }
    }

    private static FileLock osLock(FileChannel ch, Path lockFile, long position, boolean shared) {
        try {
            return ch.tryLock(position, 1, shared);
        } catch (IOException e) {
            throw new UserError("cannot lock " + lockFile + ": " + reason(e) + "; the file system does not support "
                    + "file locks, which jgrok uses to keep one writer per run; " + ENV + "=off does without them "
                    + "(see docs/reliability.md)");
        }
    }

    /** Creates the lock file if needed (never opening one that exists) and returns its file key. */
    private static Object create(Path lockFile) {
        try {
            Files.createFile(lockFile);
        } catch (FileAlreadyExistsException exists) {
            // The usual case: the file persists between owners.
        } catch (IOException e) {
            throw new UserError("cannot create lock file " + lockFile + ": " + reason(e));
        }
        return fileKey(lockFile);
    }

    private static Object fileKey(Path lockFile) {
        try {
            Object key = Files.readAttributes(lockFile, BasicFileAttributes.class).fileKey();
            return key != null ? key : lockFile.toRealPath().toString();
        } catch (IOException e) {
            throw new UserError("cannot read lock file " + lockFile + ": " + reason(e));
        }
    }

    private static Owner ownerOrUnknown(FileChannel ch) {
        Owner o = recorded(ch);
        return o == null ? Owner.UNKNOWN : o;
    }

    /** The owner the file records, or null when it records none (released, or unreadable). */
    private static Owner recorded(FileChannel ch) {
        try {
            return Owner.parse(read(ch));
        } catch (IOException e) {
            return null;
        }
    }

    private static String read(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        long pos = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                break;
            }
            pos += n;
        }
        buf.flip();
        return StandardCharsets.UTF_8.decode(buf).toString();
    }

    private static void write(FileChannel ch, String text) {
        try {
            ch.truncate(0);
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            long pos = 0;
            while (b.hasRemaining()) {
                pos += ch.write(b, pos);
            }
        } catch (IOException ignored) {
            // A full disk: the lock holds all the same; only the owner's name is missing from messages.
        }
    }

    private static void touch(Path lockFile) {
        try {
            // Sets the time by name (utimensat), never opening the file, which would drop this process's locks.
            Files.setLastModifiedTime(lockFile, FileTime.from(Instant.now()));
        } catch (IOException | RuntimeException ignored) {
            // A heartbeat missed is a warning another host may print; nothing to do here.
        }
    }

    private static Duration age(Path lockFile) {
        try {
            return Duration.between(Files.getLastModifiedTime(lockFile).toInstant(), Instant.now());
        } catch (IOException e) {
            return Duration.ofDays(1);
        }
    }

    private static boolean fresh(Path lockFile) {
        return age(lockFile).compareTo(FRESH) < 0;
    }

    private static synchronized ScheduledExecutorService heartbeats() {
        if (heartbeats == null) {
            heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "jgrok-lock-heartbeat");
                t.setDaemon(true);
                return t;
            });
        }
        return heartbeats;
    }

    private static String processStart() {
        return ProcessHandle.current().info().startInstant().map(Instant::toString).orElse(null);
    }

    /** This host's name: the kernel's (no DNS look-up, which can hang), else Java's, else "unknown". */
    private static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException ignored) {
            // Not Linux.
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** This host's name as lock files record it. */
    public static String host() {
        return HOST;
    }

    private static String reason(IOException e) {
        return WriteFailure.reasonOf(e);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Releasing is all that matters, and the kernel does it when the descriptor goes.
        }
    }
}
