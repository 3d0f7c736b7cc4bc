package io.jgrok.sweep;

import io.jgrok.UserError;
import io.jgrok.io.WriterLock;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code jgrok sweep merge DIR}: combines the shard indexes that the tasks of a SLURM array (or any set of
 * {@code --shard I/N} runs) wrote into one {@code sweep_index.json} and writes the sweep summary. Shards that have
 * not written an index yet leave their runs pending; merging again later picks them up.
 */
public final class SweepMerge {
    private SweepMerge() {
    }

    public static SweepIndex merge(Path sweepDir, ConfigResolver flags, PrintStream out) {
        List<Path> files = SweepIndex.shardFiles(sweepDir);
        if (files.isEmpty()) {
            throw new UserError("no shard indexes (sweep_index.shard-I-of-N.json) in " + sweepDir
                    + "; run ./jgrok sweep SPEC --out " + sweepDir + " --shard I/N first");
        }
        List<SweepIndex> shards = new ArrayList<>();
        int count = -1;
        for (Path f : files) {
            SweepIndex s = SweepIndex.read(f);
            if (count >= 0 && s.shard().count() != count) {
                throw new UserError(sweepDir + " holds shard indexes of different shard counts (" + count + " and "
                        + s.shard().count() + "); remove the stale ones");
            }
            count = s.shard().count();
            shards.add(s);
        }
        // The merged index is the whole sweep's: written by one process at a time, like a whole sweep's run.
        WriterLock lock;
        try {
            lock = WriterLock.acquire(SweepIndex.lockFile(sweepDir, null), "jgrok sweep merge " + sweepDir, out);
        } catch (WriterLock.Busy e) {
            throw new UserError("another jgrok sweep process is working on " + sweepDir + " ("
                    + e.owner().describe() + ")" + e.note() + "; wait for it, or " + e.owner().stopHint());
        }
        try (lock) {
            return mergeLocked(sweepDir, shards, count, flags, out);
        }
    }

    private static SweepIndex mergeLocked(Path sweepDir, List<SweepIndex> shards, int count, ConfigResolver flags,
                                          PrintStream out) {
        SweepSpec spec = SweepSpec.fromJson(shards.get(0).spec(), shards.get(0).specDir(),
                shards.get(0).path().toString(), flags);
        List<SweepRun> runs = spec.expand(flags);
        SweepIndex merged = SweepIndex.merge(sweepDir, shards, runs);
        SweepSummaryFile.write(sweepDir, merged.records(), runs);
        int[] counts = new int[RunStatus.values().length];
        for (RunRecord r : merged.records()) {
            counts[r.status.ordinal()]++;
        }
        StringBuilder sb = new StringBuilder();
        for (RunStatus s : RunStatus.values()) {
            if (counts[s.ordinal()] > 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append(counts[s.ordinal()]).append(' ').append(s.label());
            }
        }
        out.printf(Locale.ROOT, "jgrok sweep merge: %d shard indexes of %d, %d runs: %s; wrote %s, %s, %s%n",
                shards.size(), count, runs.size(), sb, merged.path(), SweepSummaryFile.JSON, SweepSummaryFile.CSV);
        if (shards.size() < count) {
            out.println("  some shards have not started yet; their runs are pending");
        }
        return merged;
    }
}
