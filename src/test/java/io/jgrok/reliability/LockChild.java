package io.jgrok.reliability;

import io.jgrok.io.WriterLock;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Child process for {@link WriterLockTest}. {@code hold FILE HOLDER}: takes the lock, prints "locked" and waits to be
 * killed. {@code probe FILE MILLIS}: asks who holds the lock (as a reader does), over and over, then prints how often.
 * {@code pause FILE MILLIS}: a reader stopped in the middle of its probe (holding the shared lock on byte 1).
 */
public final class LockChild {
    private LockChild() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        if (args[0].equals("hold")) {
            WriterLock lock = WriterLock.acquire(file, args[2], System.err);
            System.out.println("locked " + lock.owner().pid());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        } else if (args[0].equals("pause")) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                 FileLock probe = ch.lock(1, 1, true)) {
                System.out.println("probing");
                System.out.flush();
                Thread.sleep(Long.parseLong(args[2]));
            }
        } else {
            long end = System.nanoTime() + Long.parseLong(args[2]) * 1_000_000L;
            long probes = 0;
            System.out.println("probing");
            System.out.flush();
            while (System.nanoTime() < end) {
                WriterLock.liveOwner(file);
                probes++;
            }
            System.out.println("probes " + probes);
        }
    }
}
